import {execFileSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {describe, expect, it} from 'vitest'

import {PLAIN, type Palette} from '../../../src/lib/io.js'
import {capPerRule, findingsText, omittedText, type Finding} from '../../../src/lib/output/findings.js'

const tag = (name: string) => (text: string) => `<${name}>${text}</${name}>`
const MARKED: Palette = {...PLAIN, enabled: true, red: tag('r'), yellow: tag('y'), cyan: tag('c')}
const at = (severity: Finding['severity']): Finding => ({rule: 'x/y', severity, message: 'm', line: 1, column: 2})

describe('findingsText', () => {
  it('colours each severity with the palette it is given, and nothing without one', () => {
    const findings = [at('error'), at('warning'), at('note')]
    expect(findingsText('f', findings, MARKED)).toEqual([
      'f:1:2: <r>error</r>: m [x/y]',
      'f:1:2: <y>warning</y>: m [x/y]',
      'f:1:2: <c>note</c>: m [x/y]',
    ])
    expect(findingsText('f', findings).join('\n').includes('\u001b')).toBe(false)
  })

  it('config lint colours through the seam: FORCE_COLOR colours a pipe, NO_COLOR wins over it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mqctl-findings-'))
    const conf = join(dir, 'm.conf')
    writeFileSync(conf, 'no_such_option 1\n')
    const bin = fileURLToPath(new URL('../../../bin/run.js', import.meta.url))
    const lint = (env: Record<string, string>, fast: string) => {
      try {
        return execFileSync(process.execPath, [bin, 'config', 'lint', conf], {
          env: {...process.env, NO_COLOR: '', FORCE_COLOR: '', ...env, MQCTL_FAST: fast},
          encoding: 'utf8',
        })
      } catch (error) {
        return (error as {stdout: string}).stdout
      }
    }

    for (const fast of ['1', '0']) {
      expect(lint({FORCE_COLOR: '1'}, fast)).toContain('\u001b[31merror\u001b[39m')
      expect(lint({FORCE_COLOR: '1', NO_COLOR: '1'}, fast)).not.toContain('\u001b[')
    }
  })
})

describe('capPerRule and omittedText: bounded finding lists for the linters', () => {
  it('keeps the first max of each rule id in the order given and counts the rest per rule', () => {
    const f = (rule: string, line: number) => ({rule, line})
    const input = [f('a', 1), f('b', 2), f('a', 3), f('a', 4), f('b', 5), f('c', 6), f('a', 7)]
    expect(capPerRule(input, 2)).toEqual({
      listed: [f('a', 1), f('b', 2), f('a', 3), f('b', 5), f('c', 6)],
      omitted: {a: 2},
    })
    expect(capPerRule(input, 10)).toEqual({listed: input, omitted: {}})
    expect(capPerRule(Array.from({length: 1005}, (_, i) => f('x', i))).omitted).toEqual({x: 5})
  })

  it('says what was left out, one line per rule, with the file escaped', () => {
    expect(omittedText('a\u001b.conf', {'conf/x': 1, 'conf/y': 7}, 1000)).toEqual([
      'a\\x1b.conf: 1 more conf/x finding not listed (the first 1000 are)',
      'a\\x1b.conf: 7 more conf/y findings not listed (the first 1000 are)',
    ])
  })
})
