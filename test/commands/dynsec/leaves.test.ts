/// <reference types="vite/client" />
/*
 * The in-process tier: every catalog leaf run in this process on the fake I/O seam against a
 * real broker with the plugin, for flag wiring (the subprocess tier covers what only a real
 * process shows). Each command's --json output is checked against its declared contract.
 */
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import DynsecInit from '../../../src/commands/dynsec/init.js'
import {DYNSEC_COMMANDS} from '../../../src/lib/dynsec/catalog.js'
import {jsonContracts} from '../../../src/lib/output/contracts.js'
import {freePort, mqttConnectCheck, startBroker, type Broker} from '../../helpers/broker.js'
import {runCommand} from '../../helpers/run-command.js'

const ADMIN_PW = 'admin-secret'
let dir: string
let broker: Broker

type Leaf = Parameters<typeof runCommand>[0]
// The leaf files themselves, as oclif loads them (a template import() is not resolved by vite).
const LEAVES = import.meta.glob<{default: Leaf}>('../../../src/commands/dynsec/*.ts')
const leaf = async (name: string) => (await LEAVES[`../../../src/commands/dynsec/${name}.ts`]()).default
const conn = () => ['--host', '127.0.0.1', '--port', String(broker.port), '--username', 'admin', '--pw', ADMIN_PW]
const ds = async (name: string, args: string[], options: Parameters<typeof runCommand>[2] = {}) =>
  runCommand(await leaf(name), [...args, ...conn(), '--quiet'], options)
const canLogin = async (username: string, password: string) =>
  (await mqttConnectCheck({port: broker.port, username, password})).accepted

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mqctl-cmd-dynsec-'))
  const file = join(dir, 'dynsec.json')
  const init = await runCommand(DynsecInit, [file, 'admin', ADMIN_PW])
  expect(init.status, init.stderr).toBe(0)
  broker = await startBroker({dynsec: {configFile: file}})
})
afterAll(async () => broker?.stop())

describe('dynsec leaves in process', () => {
  it('wires every catalog command: status 0, and --json output of the declared shape', async () => {
    const contracts = jsonContracts()
    // Run in an order where each command finds what it needs.
    const words: Record<string, string[]> = {
      createRole: ['r1'],
      createGroup: ['g1'],
      createClient: ['c1'],
      setDefaultACLAccess: ['publishClientSend', 'allow'],
      getDefaultACLAccess: [],
      enableClient: ['c1'],
      disableClient: ['c1'],
      setClientId: ['c1', 'id-1'],
      setClientPassword: ['c1', 'pw-2'],
      addClientRole: ['c1', 'r1', '3'],
      removeClientRole: ['c1', 'r1'],
      getClient: ['c1'],
      listClients: ['10', '0'],
      modifyClient: ['c1', '--text-name', 'C one'],
      getGroup: ['g1'],
      listGroups: [],
      addGroupClient: ['g1', 'c1', '2'],
      removeGroupClient: ['g1', 'c1'],
      addGroupRole: ['g1', 'r1'],
      removeGroupRole: ['g1', 'r1'],
      setAnonymousGroup: ['g1'],
      getAnonymousGroup: [],
      modifyGroup: ['g1', '--text-name', 'G one'],
      getRole: ['r1'],
      listRoles: [],
      addRoleACL: ['r1', 'subscribePattern', 'a/#', 'allow', '4'],
      removeRoleACL: ['r1', 'subscribePattern', 'a/#'],
      modifyRole: ['r1', '--acl', 'publishClientSend b/+ deny 2'],
      deleteClient: ['c1'],
      deleteRole: ['r1'],
      deleteGroup: ['g2'],
    }
    expect(Object.keys(words).sort()).toEqual(DYNSEC_COMMANDS.map((c) => c.name).sort())
    expect((await ds('createGroup', ['g2'])).status).toBe(0)
    for (const [name, args] of Object.entries(words)) {
      const extra = name === 'createClient' ? ['--password-env', 'C1_PW'] : []
      const r = await ds(name, [...args, ...extra, '--json'], {env: {C1_PW: 'pw-1'}})
      expect([name, r.status, r.stderr]).toEqual([name, 0, expect.not.stringContaining('Error')])
      const parsed = contracts.get(`dynsec:${name}`)!.safeParse(JSON.parse(r.stdout))
      expect([name, parsed.success, parsed.error?.message]).toEqual([name, true, undefined])
    }
  })

  it('createClient takes its flags and the password from --password-file', async () => {
    expect((await ds('createRole', ['sensors'])).status).toBe(0)
    expect((await ds('createGroup', ['devices'])).status).toBe(0)
    const pwFile = join(dir, 'alice.pw')
    writeFileSync(pwFile, 'alice-pw\nignored second line\n')
    const r = await ds('createClient', [
      'alice',
      '-c',
      'alice-id',
      '--password-file',
      pwFile,
      '--text-name',
      'Alice',
      '--text-description',
      'the first',
      '--role',
      'sensors:7',
      '--group',
      'devices',
    ])
    expect([r.status, r.stdout, r.stderr]).toEqual([0, '', ''])
    const got = await ds('getClient', ['alice', '--json'])
    expect(JSON.parse(got.stdout).client).toMatchObject({
      username: 'alice',
      clientid: 'alice-id',
      textname: 'Alice',
      textdescription: 'the first',
      roles: [{rolename: 'sensors', priority: 7}],
      groups: [{groupname: 'devices'}],
    })
    const text = await ds('getClient', ['alice'])
    expect(text.stdout).toContain('Username: alice\nClientid: alice-id\n')
  })

  it('setClientPassword: --password-env, the prompt asked twice, a mismatch (2), argv with one warning', async () => {
    expect((await ds('createClient', ['bob', '--password-env', 'PW'], {env: {PW: 'bob-1'}})).status).toBe(0)
    expect(await canLogin('bob', 'bob-1')).toBe(true)

    const prompted = await ds('setClientPassword', ['bob'], {tty: true, answers: ['bob-2', 'bob-2']})
    expect(prompted.status).toBe(0)
    expect(prompted.io.prompts).toEqual(['New password for bob:', 'Reenter password for bob:'])
    expect(await canLogin('bob', 'bob-2')).toBe(true)

    const mismatch = await ds('setClientPassword', ['bob'], {tty: true, answers: ['x1', 'x2']})
    expect([mismatch.status, mismatch.stderr]).toEqual([2, 'Error: Passwords do not match.\n'])
    const unset = await ds('setClientPassword', ['bob', '--password-env', 'NOPE'], {env: {NOPE: undefined}})
    expect([unset.status, unset.stderr]).toEqual([2, expect.stringContaining('NOPE: the variable is not set')])

    const argv = await ds('setClientPassword', ['bob', 'bob-3'])
    expect(argv.status).toBe(0)
    expect(argv.stderr.match(/warning/g)).toHaveLength(1)
    expect(await canLogin('bob', 'bob-3')).toBe(true)
    expect(await canLogin('bob', 'bob-2')).toBe(false)
  })

  it('modifyClient changes the password only when a source is named', async () => {
    const pwFile = join(dir, 'bob.pw')
    writeFileSync(pwFile, 'bob-4\r\n')
    expect((await ds('modifyClient', ['bob', '--text-name', 'Bob'])).status).toBe(0)
    expect(await canLogin('bob', 'bob-3')).toBe(true)
    expect((await ds('modifyClient', ['bob', '--password-file', pwFile])).status).toBe(0)
    expect(await canLogin('bob', 'bob-4')).toBe(true)
    const both = await ds('modifyClient', ['bob', '--password-file', pwFile, '--password-env', 'X'])
    expect(both.status).toBe(2)
  })

  it('renders failures once with the status of the exit table', async () => {
    const dup = await ds('createClient', ['bob', '--password-env', 'PW'], {env: {PW: 'x'}})
    expect([dup.status, dup.stdout, dup.stderr]).toEqual([1, '', 'createClient: Error: Client already exists\n'])
    const json = await ds('getClient', ['nobody', '--json'])
    expect(json.status).toBe(1)
    expect(JSON.parse(json.stdout)).toEqual({
      error: {code: 'REFUSED_DYNSEC', message: 'getClient: Error: Client not found', exit: 1},
    })
    // Checked before connecting: a closed port would otherwise give 3.
    const closed = ['--host', '127.0.0.1', '--port', String(await freePort()), '--quiet']
    const usage = await runCommand(await leaf('addClientRole'), ['bob', 'r', 'high', ...closed])
    expect([usage.status, usage.stderr]).toEqual([2, 'mqctl: invalid priority "high": give a whole number\n'])
    const missing = await runCommand(await leaf('getClient'), [...closed, '--json'])
    expect(missing.status).toBe(2)
    expect(JSON.parse(missing.stdout).error).toMatchObject({code: 'USAGE_ARGUMENTS', exit: 2})
    const refused = await runCommand(await leaf('listClients'), closed)
    expect([refused.status, refused.stdout]).toEqual([3, ''])
    expect(refused.stderr).toMatch(/^mqctl: .*connection refused/)
  })

  it('refuses to delete the anonymous group before sending the delete', async () => {
    expect((await ds('createGroup', ['anon'])).status).toBe(0)
    expect((await ds('setAnonymousGroup', ['anon'])).status).toBe(0)
    const r = await ds('deleteGroup', ['anon'])
    expect([r.status, r.stderr]).toEqual([1, 'deleteGroup: Error: Deleting the anonymous group is forbidden\n'])
    expect((await ds('getGroup', ['anon'])).status).toBe(0)
  })
})
