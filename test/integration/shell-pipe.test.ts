import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {openDynsecSession} from '../../src/lib/dynsec/client.js'
import {kickScope, mayKick} from '../../src/lib/shell/pipeline.js'
import {startBroker, type Broker} from '../helpers/broker.js'
import {BIN, mqctl, run} from '../helpers/cli.js'
import {findMosquittoTools} from '../helpers/mosquitto-install.js'

// The piped shell keeps requests in flight (lib/shell/pipeline.ts); these check that it still
// answers like one mosquitto_ctrl process per line, in order, and stops where the broker kicks it.
const tools = findMosquittoTools()
const ADMIN_PW = 'admin-secret'
let broker: Broker

const conn = () => ['-h', '127.0.0.1', '-p', String(broker.port), '-u', 'admin', '-P', ADMIN_PW, '--quiet']
const ctrlArgs = () => ['-h', '127.0.0.1', '-p', String(broker.port), '-u', 'admin', '-P', ADMIN_PW, 'dynsec']
const ctrl = (args: string[]) => run(tools.ctrl, [...ctrlArgs(), ...args])
/** stdout and stderr in the order they were written: `2>&1` into one pipe. */
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`
const merged = (argv: string[], input: string) =>
  run('sh', ['-c', `${argv.map(quote).join(' ')} 2>&1`], {input}).then((r) => ({code: r.code, out: r.stdout}))
// mosquitto_ctrl 2.0 warns on every run without TLS; the shell (like mqctl) says it once, or never with --quiet.
const withoutWarning = (text: string) =>
  text.replace(/Warning: You are running mosquitto_ctrl without encryption\.\nThis means all[^\n]*\n\n/g, '')

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mqctl-shell-pipe-'))
  const file = join(dir, 'dynsec.json')
  expect((await mqctl(['dynsec', 'init', file, 'admin', '--password-stdin'], {input: `${ADMIN_PW}\n`})).code).toBe(0)
  broker = await startBroker({dynsec: {configFile: file}})
})
afterAll(async () => broker?.stop())

/** Lines where each depends on the ones before it, with refusals in between. */
function script(n: number): string[] {
  const lines: string[] = []
  for (let i = 0; i < n; i++) {
    lines.push(
      `createRole pr${i}`,
      `addRoleACL pr${i} publishClientSend a/${i}/# allow 5`,
      `createClient pc${i} -p pw${i}`,
      `addClientRole pc${i} pr${i} 3`,
      `getClient pc${i}`,
      `createClient pc${i} -p again`,
      `getRole pr${i}`,
      `removeClientRole pc${i} pr${i}`,
      `getClient pc${i}`,
      `deleteClient pc${i}`,
      `getClient pc${i}`,
      `deleteRole pr${i}`,
    )
  }

  return lines
}

describe('mqctl shell, piped, with requests in flight', () => {
  it('prints what one mosquitto_ctrl per line prints, in input order, stdout and stderr interleaved', async () => {
    const lines = script(8)
    let expected = ''
    for (const line of lines) {
      const r = await merged([tools.ctrl, ...ctrlArgs(), ...line.split(' ')], '')
      expected += withoutWarning(r.out)
    }

    // Every entity the reference run made is gone again, so the shell starts from the same state.
    expect(expected).toContain('getClient: Error: Client not found')
    expect(expected).toContain('Roles:    pr7 (priority: 3)')
    const shell = await merged([process.execPath, BIN, 'shell', ...conn()], lines.join('\n') + '\n')
    expect(shell.out).toBe(expected)
    // The last failure is `getClient` of a deleted client: a refusal, exit 1.
    expect(shell.code).toBe(1)
  }, 120_000)

  it('takes less time than the ~40 ms stall per command pair that one-at-a-time sending hit', async () => {
    const lines: string[] = []
    for (let i = 0; i < 150; i++) lines.push(`createClient t${i} -p pw`, `getClient t${i}`)
    const started = Date.now()
    const r = await mqctl(['shell', ...conn()], {input: lines.join('\n') + '\n'})
    const elapsed = Date.now() - started
    expect([r.code, r.stderr]).toEqual([0, ''])
    expect(r.stdout.split('\n').filter((l) => l.startsWith('Username: '))).toHaveLength(150)
    // Sent one by one, 150 pairs took >= 150 x 40 ms (a timer, not CPU): a busy machine cannot explain 5 s.
    expect(elapsed).toBeLessThan(5000)
  }, 60_000)

  it('sends a change that kicks the admin alone: every earlier answer printed, nothing after it run', async () => {
    const before = Array.from({length: 30}, (_, i) => `createClient k${i} -p pw`)
    const input = [
      ...before,
      'getClient k29',
      'addRoleACL admin subscribeLiteral kick/me allow',
      'createClient late -p pw',
    ]
    const r = await mqctl(['shell', ...conn()], {input: input.join('\n') + '\n'})
    expect(r.code).toBe(3)
    expect(r.stdout).toBe('Username: k29\nClientid:\n')
    expect(r.stderr.match(/connection closed by the broker/g)).toHaveLength(1)
    const listed = (await ctrl(['listClients'])).stdout.split('\n')
    for (let i = 0; i < 30; i++) expect(listed).toContain(`k${i}`)
    expect(listed).not.toContain('late')
    // The change itself was applied (the broker kicks after applying it).
    expect((await ctrl(['getRole', 'admin'])).stdout).toContain('kick/me')
  }, 60_000)

  it('works one request at a time with QoS 2', async () => {
    const r = await mqctl(['shell', ...conn(), '-q', '2'], {
      input: 'createClient q2 -p pw\ngetClient q2\ngetClient nope\n',
    })
    expect([r.code, r.stdout, r.stderr]).toEqual([
      1,
      'Username: q2\nClientid:\n',
      'getClient: Error: Client not found\n',
    ])
  }, 60_000)
})

describe('kickScope and mayKick', () => {
  it("read the admin's client, groups and roles from the broker, and flag the changes that touch them", async () => {
    expect((await ctrl(['createGroup', 'ops'])).code).toBe(0)
    expect((await ctrl(['createRole', 'opsrole'])).code).toBe(0)
    expect((await ctrl(['createRole', 'other'])).code).toBe(0)
    expect((await ctrl(['addGroupRole', 'ops', 'opsrole'])).code).toBe(0)
    expect((await ctrl(['addGroupClient', 'ops', 'admin'])).code).toBe(0)
    const connection = {
      host: '127.0.0.1',
      port: broker.port,
      username: 'admin',
      password: ADMIN_PW,
      protocolVersion: 5 as const,
      qos: 1 as const,
      timeoutMs: 5000,
    }
    const session = await openDynsecSession(connection as never)
    try {
      const scope = await kickScope(session, 'admin')
      expect(scope).toEqual({username: 'admin', groups: new Set(['ops']), roles: new Set(['admin', 'opsrole'])})
      const stranger = await kickScope(session, 'nobody-here')
      expect(stranger).toEqual({username: 'nobody-here', groups: new Set(), roles: new Set()})
      const kicks = (request: Record<string, unknown>) => mayKick(request as never, scope)
      expect(kicks({command: 'addRoleACL', rolename: 'opsrole', acltype: 'subscribeLiteral', topic: 'x'})).toBe(true)
      expect(kicks({command: 'addRoleACL', rolename: 'other', acltype: 'subscribeLiteral', topic: 'x'})).toBe(false)
      expect(kicks({command: 'addGroupClient', groupname: 'ops', username: 'someone'})).toBe(true)
      expect(kicks({command: 'setClientPassword', username: 'admin', password: 'x'})).toBe(true)
      expect(kicks({command: 'createClient', username: 'new1'})).toBe(false)
      expect(kicks({command: 'getRole', rolename: 'opsrole'})).toBe(false)
      // Unknown scope: every change is sent alone, reads still fly.
      expect(mayKick({command: 'createClient', username: 'new1'} as never, undefined)).toBe(true)
      expect(mayKick({command: 'listClients'} as never, undefined)).toBe(false)
    } finally {
      await session.close()
    }
  }, 60_000)
})
