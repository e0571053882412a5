import {describe, expect, it} from 'vitest'

import {findingsSarif, findingsText, sarifUri} from '../../../src/lib/output/findings.js'

describe('findings output', () => {
  it('percent-encodes SARIF artifact URIs, relative and absolute', () => {
    expect(sarifUri('conf/my acl#1.txt')).toBe('conf/my%20acl%231.txt')
    expect(sarifUri('/etc/mosquitto/my acl#1')).toBe('file:///etc/mosquitto/my%20acl%231')
    expect(sarifUri('a:b/acl')).toBe('a%3Ab/acl')
    for (const p of ['x y/#z', '/a b/%c?d']) expect(() => new URL(sarifUri(p), 'file:///base/')).not.toThrow()
    const sarif = findingsSarif('my acl', [{rule: 'r', severity: 'error', message: 'm', line: 1, column: 1}], {}, '1')
    expect(JSON.stringify(sarif)).toContain('"uri":"my%20acl"')
  })

  it('escapes control bytes echoed from the input (terminal injection)', () => {
    const [line] = findingsText('f\u001b]0;x\u0007', [
      {rule: 'r', severity: 'warning', message: 'topic "a\u001b[2Jb"', line: 1, column: 1},
    ])
    expect([...line].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)).toBe(false)
    expect(line).toContain('\\x1b[2J')
  })
})
