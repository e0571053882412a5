import {execFileSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {applyPolicy, loadPolicy, passwordSources} from '../../../src/lib/dynsec/apply.js'
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

describe('--audit-log', () => {
  const POLICY = {version: 1 as const, roles: [{rolename: 'r1'}, {rolename: 'r2'}]}

  const fileTarget = async () => {
    const {openFileBackend} = await import('../../../src/lib/dynsec/file-backend.js')
    const d = mkdtempSync(join(tmpdir(), 'mqctl-audit-unit-'))
    const file = join(d, 'ds.json')
    const backend = await openFileBackend(file, {allowMissing: true})
    return {d, file, t: {backend, target: file, admin: undefined}}
  }

  const applyWithLog = async (t: Parameters<typeof applyPolicy>[0], auditLog: string) => {
    try {
      return await applyPolicy(t, POLICY, {auditLog})
    } finally {
      await t.backend.close()
    }
  }

  it('is appended after the file was written, one line per applied command', async () => {
    const {d, file, t} = await fileTarget()
    const log = join(d, 'audit.jsonl')
    await applyWithLog(t, log)
    expect(existsSync(file)).toBe(true)
    const lines = readFileSync(log, 'utf8').trim().split('\n')
    expect(lines.map((l) => JSON.parse(l).object.rolename)).toEqual(['r1', 'r2'])
    expect(statSync(log).mode & 0o777).toBe(0o600)
  })

  it('that cannot be opened stops the apply before anything is applied (exit 5)', async () => {
    const {d, file, t} = await fileTarget()
    const err = await applyWithLog(t, join(d, 'missing', 'audit.jsonl')).catch((e: unknown) => e)
    expect([(err as MqctlError).code, (err as MqctlError).exit]).toEqual(['FILE_ENOENT', 5])
    expect(t.backend.changed).toBe(false)
    expect(existsSync(file)).toBe(false)
  })

  it('a FIFO nobody reads fails after the writers’ 10 s wait instead of hanging, nothing applied', async () => {
    const {d, file, t} = await fileTarget()
    const fifo = join(d, 'audit.fifo')
    execFileSync('mkfifo', [fifo])
    const started = Date.now()
    const err = await applyWithLog(t, fifo).catch((e: unknown) => e)
    expect((err as MqctlError).code).toBe('FILE_FIFO_NO_READER')
    expect(Date.now() - started).toBeLessThan(14_000)
    expect(existsSync(file)).toBe(false)
  }, 20_000)

  it('that fails after the changes were made says they were applied (a full disk)', async () => {
    const {file, t} = await fileTarget()
    const err = (await applyWithLog(t, '/dev/full').catch((e: unknown) => e)) as MqctlError
    expect([err.exit, err.hint]).toEqual([5, `2 command(s) were applied to ${file} but are not in the log`])
    expect(existsSync(file)).toBe(true)
  })

  it('records nothing when the file could not be written', async () => {
    const {d, file, t} = await fileTarget()
    const log = join(d, 'audit.jsonl')
    mkdirSync(file) // the rewrite now fails: a directory stands where the file goes
    const err = await applyWithLog(t, log).catch((e: unknown) => e)
    expect((err as MqctlError).exit).toBe(5)
    expect(readFileSync(log, 'utf8')).toBe('')
  })
})
