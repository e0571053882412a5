import {execFileSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {loadPolicy, passwordSources} from '../../../src/lib/dynsec/apply.js'
import {MqctlError} from '../../../src/lib/errors.js'

const dir = mkdtempSync(join(tmpdir(), 'mqctl-apply-unit-'))

const thrown = (fn: () => unknown): MqctlError => {
  try {
    fn()
  } catch (error) {
    if (error instanceof MqctlError) return error
    throw error
  }

  throw new Error('did not throw')
}

describe('password sources', () => {
  const policy = {
    version: 1 as const,
    clients: [
      {username: 'a', password: {env: 'MQCTL_TEST_PW_A'}},
      {username: 'b', password: {file: 'b.pw'}},
      {username: 'c', password: {hash: '$7$101$x$y'}},
    ],
  }

  it('reads env and files (relative to the policy) only when asked, and never takes a hash as a password', () => {
    writeFileSync(join(dir, 'b.pw'), 'from-file\nignored\n')
    const sources = passwordSources(policy, join(dir, 'policy.yaml'), undefined, () => {})
    expect([...sources.keys()]).toEqual(['a', 'b'])
    expect(sources.get('b')!()).toBe('from-file')
    expect(thrown(() => sources.get('a')!()).message).toContain('MQCTL_TEST_PW_A is not set')
  })

  it('--passwords: username:password lines win, a world-readable file is warned about, a bad line is located', () => {
    const pw = join(dir, 'pw')
    writeFileSync(pw, '# devices\na:pw:with:colons\n\n', {mode: 0o644})
    const warnings: string[] = []
    const sources = passwordSources(policy, join(dir, 'policy.yaml'), pw, (m) => warnings.push(m))
    expect(sources.get('a')!()).toBe('pw:with:colons')
    expect(warnings).toEqual([expect.stringContaining('readable by other users')])
    writeFileSync(pw, 'a:x\nnocolon\n', {mode: 0o600})
    const e = thrown(() => passwordSources(policy, join(dir, 'policy.yaml'), pw, () => {}))
    expect([e.exit, e.location]).toEqual([5, {file: pw, line: 2}])
  })
})

describe('loadPolicy on hostile input', () => {
  it('refuses devices and FIFOs (exit 5) instead of hanging', async () => {
    const fifo = join(dir, 'fifo')
    execFileSync('mkfifo', [fifo])
    for (const path of ['/dev/zero', fifo]) {
      const error = await loadPolicy(path).catch((e: unknown) => e)
      expect([(error as MqctlError).exit, (error as MqctlError).code]).toEqual([5, 'FILE_NOT_REGULAR'])
    }
  })
})
