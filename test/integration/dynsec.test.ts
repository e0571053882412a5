import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {freePort, startBroker, type Broker} from '../helpers/broker.js'
import {isolatedHome, mqctl, run} from '../helpers/cli.js'
import {findMosquittoTools} from '../helpers/mosquitto-install.js'

const tools = findMosquittoTools()
const ADMIN_PW = 'admin-secret'
let dir: string
let broker: Broker
let pki: string

async function initFile(name: string): Promise<string> {
  const file = join(dir, name)
  const r = await mqctl(['dynsec', 'init', file, 'admin', '--password-stdin'], {input: `${ADMIN_PW}\n`})
  expect(r.code).toBe(0)
  return file
}

const conn = (b: Broker) => ['-h', '127.0.0.1', '-p', String(b.port), '-u', 'admin', '-P', ADMIN_PW, '--quiet']
const ds = (args: string[], input?: string) => mqctl([...conn(broker), 'dynsec', ...args], {input})

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mqctl-dynsec-it-'))
  pki = join(dir, 'pki')
  expect((await mqctl(['cert', 'ca', '--out', pki])).code).toBe(0)
  expect(
    (
      await mqctl([
        'cert',
        'server',
        '--ca',
        pki,
        '--host',
        'localhost',
        '--ip',
        '127.0.0.1',
        '--out',
        join(pki, 'server'),
      ])
    ).code,
  ).toBe(0)
  broker = await startBroker({
    dynsec: {configFile: await initFile('dynsec.json')},
    tls: {
      cafile: join(pki, 'ca.crt'),
      certfile: join(pki, 'server', 'server.crt'),
      keyfile: join(pki, 'server', 'server.key'),
    },
    unixSocket: true,
  })
})
afterAll(async () => broker?.stop())

describe('dynsec commands against a real broker with the plugin', () => {
  it('runs every command in mosquitto_ctrl form and prints its layout', async () => {
    const steps: Array<[string[], string?]> = [
      [['createRole', 'r1']],
      [['createRole', 'r2', '--text-name', 'Role two']],
      [['createGroup', 'g1']],
      [['createClient', 'alice', '-c', 'alice-id', '-p', 'alicepw']],
      [['createClient', 'bob', '--password-stdin', '--text-description', 'Bob'], 'bobpw\n'],
      [['createClient', 'nopw']],
      [['addRoleACL', 'r1', 'publishClientSend', 'a/#', 'allow', '5']],
      [['addRoleACL', 'r1', 'subscribePattern', 'a/#', 'allow']],
      [['addRoleACL', 'r1', 'publishClientReceive', 'a/b', 'deny', '10']],
      [['addClientRole', 'alice', 'r1', '7']],
      [['addClientRole', 'alice', 'r2']],
      [['addGroupClient', 'g1', 'alice', '3']],
      [['addGroupRole', 'g1', 'r2', '4']],
      [['setAnonymousGroup', 'g1']],
      [['setDefaultACLAccess', 'publishClientSend', 'allow']],
      [['setClientId', 'bob', 'bob-id']],
      [['setClientPassword', 'bob', '--password-stdin'], 'newbobpw\n'],
      [['disableClient', 'nopw']],
    ]
    for (const [args, input] of steps) {
      const r = await ds(args, input)
      expect([r.code, r.stderr], args.join(' ')).toEqual([
        0,
        args.some((a) => a === '-p') ? expect.stringContaining('process list') : '',
      ])
      expect(r.stdout).toBe('')
    }

    expect((await ds(['getClient', 'alice'])).stdout).toBe(
      'Username: alice\nClientid: alice-id\nRoles:    r1 (priority: 7)\n          r2 (priority: -1)\nGroups:   g1 (priority: 3)\n',
    )
    expect((await ds(['getClient', 'nopw'])).stdout).toBe('Username: nopw\nClientid:\nDisabled: true\n')
    expect((await ds(['getGroup', 'g1'])).stdout).toBe('Groupname: g1\nRoles:     r2 (priority: 4)\nClients:   alice\n')
    expect((await ds(['getRole', 'r1'])).stdout).toBe(
      'Rolename: r1\nACLs:     publishClientSend    : allow : a/# (priority: 5)\n          publishClientReceive : deny  : a/b (priority: 10)\n          subscribePattern     : allow : a/# (priority: 0)\n',
    )
    expect((await ds(['getDefaultACLAccess'])).stdout).toBe(
      'publishClientSend    : allow\npublishClientReceive : allow\nsubscribe            : deny\nunsubscribe          : allow\n',
    )
    expect((await ds(['getAnonymousGroup'])).stdout).toBe('g1\n')
    expect((await ds(['listClients'])).stdout).toBe('admin\nalice\nbob\nnopw\n')
    expect((await ds(['listclients', '1', '1'])).stdout).toBe('alice\n')
    expect((await ds(['listGroups'])).stdout).toBe('g1\n')
    expect((await ds(['listRoles'])).stdout).toBe('admin\nr1\nr2\n')
    const verbose = JSON.parse((await ds(['listRoles', '--verbose', '--json'])).stdout)
    expect(verbose.roles.find((r: {rolename: string}) => r.rolename === 'r2').textname).toBe('Role two')

    // The passwords really work: bob with his new password and client id, alice with hers.
    const pub = (u: string, p: string, id: string) =>
      run(tools.pub, ['-h', '127.0.0.1', '-p', String(broker.port), '-u', u, '-P', p, '-i', id, '-t', 'a/x', '-m', '1'])
    expect((await pub('bob', 'newbobpw', 'bob-id')).code).toBe(0)
    expect((await pub('bob', 'bobpw', 'bob-id')).code).not.toBe(0)
    expect((await pub('alice', 'alicepw', 'alice-id')).code).toBe(0)

    const modify: Array<string[]> = [
      ['modifyClient', 'alice', '--text-name', 'Alice', '--role', 'r2:9', '--clear-groups'],
      ['modifyGroup', 'g1', '--text-description', 'Group one', '--client', 'bob:2'],
      ['modifyRole', 'r2', '--acl', 'publishClientSend b/# allow 3'],
      ['enableClient', 'nopw'],
      ['removeRoleACL', 'r1', 'publishClientReceive', 'a/b'],
      ['removeClientRole', 'alice', 'r2'],
      ['removeGroupRole', 'g1', 'r2'],
      ['removeGroupClient', 'g1', 'bob'],
      ['setClientId', 'bob'],
    ]
    for (const args of modify) expect((await ds(args)).code, args.join(' ')).toBe(0)
    const alice = JSON.parse((await ds(['getClient', 'alice', '--json'])).stdout).client
    expect([alice.textname, alice.roles, alice.groups]).toEqual(['Alice', [], []])
    expect(JSON.parse((await ds(['getRole', 'r2', '--json'])).stdout).role.acls).toEqual([
      {acltype: 'publishClientSend', topic: 'b/#', priority: 3, allow: true},
    ])

    // g1 is the anonymous group: deleting it crashes a 2.0.11 broker, so mqctl refuses.
    const anon = await ds(['deleteGroup', 'g1'])
    expect([anon.code, anon.stderr.split('\n')[0]]).toEqual([
      1,
      'deleteGroup: Error: Deleting the anonymous group is forbidden',
    ])
    expect((await ds(['createGroup', 'guests'])).code).toBe(0)
    expect((await ds(['setAnonymousGroup', 'guests'])).code).toBe(0)
    for (const args of [
      ['deleteClient', 'nopw'],
      ['deleteGroup', 'g1'],
      ['deleteRole', 'r2'],
    ])
      expect((await ds(args)).code, args.join(' ')).toBe(0)
    expect((await ds(['listRoles'])).stdout).toBe('admin\nr1\n')
  }, 180_000)

  it('reports plugin errors with exit 1 in mosquitto_ctrl words, and as JSON', async () => {
    const cases: Array<[string[], string]> = [
      [['getClient', 'ghost'], 'getClient: Error: Client not found'],
      [['deleteGroup', 'ghost'], 'deleteGroup: Error: Group not found'],
      [['createRole', 'admin'], 'createRole: Error: Role already exists'],
      [['addClientRole', 'admin', 'ghost'], 'addClientRole: Error: Role not found'],
      [['removeRoleACL', 'admin', 'publishClientSend', 'no/such'], 'removeRoleACL: Error: ACL not found'],
      [['modifyRole', 'ghost', '--text-name', 'x'], 'modifyRole: Error: Role does not exist'],
    ]
    for (const [args, message] of cases) {
      const r = await ds(args)
      expect(r.code, args.join(' ')).toBe(1)
      expect(r.stderr.trim()).toBe(message)
    }

    const json = await ds(['getClient', 'ghost', '--json'])
    expect(json.code).toBe(1)
    expect(JSON.parse(json.stdout).error).toMatchObject({code: 'REFUSED_DYNSEC', exit: 1})
  })

  it('catches bad input before connecting (exit 2)', async () => {
    const offline = ['-p', String(await freePort()), '--quiet']
    for (const args of [
      ['dynsec', 'addRoleACL', 'r', 'bogusType', 'a', 'allow'],
      ['dynsec', 'addRoleACL', 'r', 'publishClientSend', 'a/#/b', 'allow'],
      ['dynsec', 'addClientRole', 'u', 'r', 'high'],
      ['dynsec', 'getClient'],
      ['--bogus', 'dynsec', 'listClients'],
    ]) {
      const r = await mqctl([...offline, ...args])
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
    }

    // An unknown command: mosquitto_ctrl's line and its exit status 13.
    const unknown = await mqctl([...offline, 'dynsec', 'noSuchCommand'])
    expect([unknown.code, unknown.stderr]).toEqual([13, "Command 'noSuchCommand' not recognised.\n"])
  })

  it('tells connection failures apart (exit 3) and times out without the plugin (exit 4)', async () => {
    const wrong = await mqctl([
      '-p',
      String(broker.port),
      '-u',
      'admin',
      '-P',
      'wrong',
      '--quiet',
      'dynsec',
      'listClients',
    ])
    expect([wrong.code, wrong.stderr]).toEqual([3, expect.stringContaining('Not authorized')])
    const closed = await mqctl(['-p', String(await freePort()), '--quiet', 'dynsec', 'listClients'])
    expect([closed.code, closed.stderr]).toEqual([3, expect.stringContaining('connection refused')])
    expect((await ds(['createClient', 'plain', '-p', 'plainpw'])).code).toBe(0)
    const noApi = await mqctl([
      '-p',
      String(broker.port),
      '-u',
      'plain',
      '-P',
      'plainpw',
      '--quiet',
      'dynsec',
      'listClients',
    ])
    expect([noApi.code, noApi.stderr]).toEqual([3, expect.stringContaining('may not use the dynamic-security API')])

    const bare = await startBroker({allowAnonymous: true})
    try {
      const started = Date.now()
      const r = await mqctl(['-p', String(bare.port), '--timeout', '1.5', 'dynsec', 'listClients'])
      expect(r.code).toBe(4)
      expect(r.stderr).toContain('dynamic-security plugin is probably not loaded')
      expect(r.stderr).toContain('Warning: You are running mqctl without encryption.')
      expect(Date.now() - started).toBeLessThan(8000)
    } finally {
      await bare.stop()
    }
  })

  it('works over TLS with a verified CA, refuses an unknown CA, and over a unix socket', async () => {
    const tls = await mqctl([
      '-h',
      'localhost',
      '-p',
      String(broker.tlsPort),
      '--cafile',
      join(pki, 'ca.crt'),
      '-u',
      'admin',
      '-P',
      ADMIN_PW,
      'dynsec',
      'listRoles',
    ])
    expect([tls.code, tls.stderr]).toEqual([0, ''])
    expect(tls.stdout).toContain('admin')
    const other = join(dir, 'other-ca')
    await mqctl(['cert', 'ca', '--out', other])
    const unknown = await mqctl([
      '-h',
      'localhost',
      '-p',
      String(broker.tlsPort),
      '--cafile',
      join(other, 'ca.crt'),
      '-u',
      'admin',
      '-P',
      ADMIN_PW,
      'dynsec',
      'listRoles',
    ])
    expect([unknown.code, unknown.stderr]).toEqual([3, expect.stringContaining('TLS handshake')])
    const insecure = await mqctl([
      '-h',
      'localhost',
      '-p',
      String(broker.tlsPort),
      '--cafile',
      join(other, 'ca.crt'),
      '--insecure',
      '-u',
      'admin',
      '-P',
      ADMIN_PW,
      'dynsec',
      'listRoles',
    ])
    // --insecure skips only the host-name check, as in mosquitto_ctrl: an unknown CA stays refused.
    expect([insecure.code, insecure.stderr]).toEqual([3, expect.stringContaining('TLS handshake')])
    const unix = await mqctl([
      '--unix',
      broker.socketPath!,
      '-u',
      'admin',
      '-P',
      ADMIN_PW,
      'dynsec',
      'getDefaultACLAccess',
    ])
    expect([unix.code, unix.stderr]).toEqual([0, ''])
  })

  it('reads the mosquitto_ctrl options file and mqctl profiles', async () => {
    const xdg = isolatedHome()
    writeFileSync(
      join(xdg, 'mosquitto_ctrl'),
      `# options\n-h 127.0.0.1\n-p ${broker.port}\n-u admin\n-P ${ADMIN_PW}\n--quiet\n`,
    )
    const fromFile = await mqctl(['dynsec', 'listRoles'], {env: {XDG_CONFIG_HOME: xdg}})
    expect([fromFile.code, fromFile.stdout.split('\n')[0]]).toEqual([0, 'admin'])
    const optsFile = join(dir, 'opts')
    writeFileSync(optsFile, `-p ${broker.port}\n-u admin\n`)
    const withO = await mqctl(['-o', optsFile, '--quiet', 'dynsec', 'listRoles'], {env: {MQCTL_PASSWORD: ADMIN_PW}})
    expect(withO.code).toBe(0)
    // options between the module word and the command count like leading ones
    const between = await mqctl(['dynsec', '-o', optsFile, '--quiet', '--json', 'listRoles'], {
      env: {MQCTL_PASSWORD: ADMIN_PW},
    })
    expect([between.code, JSON.parse(between.stdout)]).toEqual([0, expect.anything()])
    expect(between.stdout).toContain('"admin"')

    const cfg = isolatedHome()
    writeFileSync(
      join(cfg, 'config.yaml'),
      `profiles:\n  test:\n    host: 127.0.0.1\n    port: ${broker.port}\n    username: admin\n    password-env: TEST_ADMIN_PW\n`,
    )
    const env = {MQCTL_CONFIG_DIR: cfg, TEST_ADMIN_PW: ADMIN_PW}
    const viaProfile = await mqctl(['dynsec', 'listRoles', '--profile', 'test', '--quiet'], {env})
    expect(viaProfile.code).toBe(0)
    const show = await mqctl(['profile', 'show', 'test', '--json'], {env})
    expect(JSON.parse(show.stdout).port).toEqual({
      value: String(broker.port),
      source: `${join(cfg, 'config.yaml')}: profile "test"`,
    })
    expect(show.stdout).not.toContain(ADMIN_PW)
    const list = await mqctl(['profile', 'list'], {env})
    expect(list.stdout).toBe('test\n')
    writeFileSync(join(cfg, 'config.yaml'), 'profiles:\n  test:\n    hots: x\n')
    const bad = await mqctl(['dynsec', 'listRoles', '--profile', 'test'], {env})
    expect([bad.code, bad.stderr]).toEqual([5, expect.stringContaining('profile "test": unknown key "hots"')])
  })
})

describe('dynsec init', () => {
  it('writes a 0600 file the broker loads, and refuses to overwrite', async () => {
    const file = join(dir, 'init-check.json')
    expect((await mqctl(['dynsec', 'init', file, 'root2', 'pw2'])).code).toBe(0)
    expect((await import('node:fs')).statSync(file).mode & 0o777).toBe(0o600)
    const again = await mqctl(['dynsec', 'init', file, 'root2', 'pw2'])
    expect(again.code).toBe(5)
    const json = JSON.parse(readFileSync(file, 'utf8'))
    expect(json.roles[0].acls).toHaveLength(8)
    expect(json.clients[0]).toMatchObject({username: 'root2', iterations: 101})
    const b21 = join(dir, 'init21.json')
    await mqctl(['dynsec', 'init', '--target', '2.1', b21, 'a', 'pw'])
    expect(JSON.parse(readFileSync(b21, 'utf8')).clients[0].encoded_password).toMatch(/^\$7\$1000\$/)
  })
})
