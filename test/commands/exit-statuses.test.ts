/*
 * The base class on the fake I/O seam, through commands that need no broker: one rendering of
 * each failure, the status of the exit table (DESIGN.md §4), nothing but JSON on stdout under
 * --json, and success output of the declared contract.
 */
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import AclCheck from '../../src/commands/acl/check.js'
import Hash from '../../src/commands/hash.js'
import {jsonContracts} from '../../src/lib/output/contracts.js'
import {runCommand} from '../helpers/run-command.js'

const dir = mkdtempSync(join(tmpdir(), 'mqctl-cmd-exit-'))
const contract = (id: string) => jsonContracts().get(id)!

describe('exit statuses and rendering in process', () => {
  it('usage errors are 2, one line on stderr, the envelope alone on stdout under --json', async () => {
    const text = await runCommand(Hash, ['--format', 'nope'])
    expect([text.status, text.stdout]).toEqual([2, ''])
    expect(text.stderr).toMatch(/^mqctl: Expected --format=nope to be one of: .* \(see --help\)\n$/)
    const json = await runCommand(Hash, ['--format', 'nope', '--json'])
    expect(json.stderr).toBe('')
    expect(JSON.parse(json.stdout).error).toMatchObject({code: 'USAGE_ARGUMENTS', exit: 2})
  })

  it('a file problem is 5 and names the file', async () => {
    const missing = join(dir, 'missing.acl')
    const r = await runCommand(AclCheck, [missing, '--user', 'u', '--topic', 't', '--access', 'read'])
    expect([r.status, r.stdout]).toEqual([5, ''])
    expect(r.stderr).toContain(missing)
  })

  it('a "deny" is 1 and an "allow" is 0, with the declared --json shape', async () => {
    const acl = join(dir, 'a.acl')
    writeFileSync(acl, 'user u\ntopic read a/#\n')
    const allow = await runCommand(AclCheck, [acl, '--user', 'u', '--topic', 'a/b', '--access', 'read', '--json'])
    expect(allow.status).toBe(0)
    expect(contract('acl:check').safeParse(JSON.parse(allow.stdout)).success).toBe(true)
    const deny = await runCommand(AclCheck, [acl, '--user', 'u', '--topic', 'a/b', '--access', 'write', '--json'])
    expect(deny.status).toBe(1)
    expect(JSON.parse(deny.stdout)).toMatchObject({allowed: false})
    const text = await runCommand(AclCheck, [acl, '--user', 'u', '--topic', 'a/b', '--access', 'write'])
    expect([text.status, text.stdout]).toEqual([1, expect.stringMatching(/^deny: /)])
  })

  it('hash reads --password-env and prints the hash; --verify answers with its status', async () => {
    const made = await runCommand(Hash, ['--password-env', 'PW', '--json'], {env: {PW: 'secret'}})
    expect(made.status).toBe(0)
    const out = JSON.parse(made.stdout) as {hash: string}
    expect(contract('hash').safeParse(out).success).toBe(true)
    const ok = await runCommand(Hash, ['--verify', out.hash, '--password-env', 'PW'], {env: {PW: 'secret'}})
    const bad = await runCommand(Hash, ['--verify', out.hash, '--password-env', 'PW'], {env: {PW: 'other'}})
    expect([ok.status, bad.status]).toEqual([0, 1])
  })
})
