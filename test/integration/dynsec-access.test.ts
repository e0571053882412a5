import {execFileSync} from 'node:child_process'
import {pbkdf2Sync} from 'node:crypto'
import {existsSync, mkdtempSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {encodeDynsecFile} from '../../src/lib/dynsec/state/file-codec.js'
import {jsonContracts} from '../../src/lib/output/contracts.js'
import type {DynsecState} from '../../src/lib/dynsec/state/model.js'
import {hashPassword} from '../../src/lib/passwd/hash.js'
import {startBroker, type Broker} from '../helpers/broker.js'
import {mqctl} from '../helpers/cli.js'
import {connect, storedPassword} from '../helpers/dynsec-oracle.js'
import {runMigrateAgreement} from '../helpers/migrate-oracle.js'

const dir = mkdtempSync(join(tmpdir(), 'mqctl-dynsec-access-'))
const acl = (acltype: string, topic: string, allow: boolean, priority = 0) => ({acltype, topic, allow, priority})

/** A small plant: sensors publish their readings, a dashboard reads them, an admin may use the API. */
const state = {
  defaultACLAccess: {publishClientSend: false, publishClientReceive: false, subscribe: false, unsubscribe: true},
  anonymousGroup: 'guests',
  clients: [
    {username: 'admin', disabled: false, roles: [{rolename: 'admin'}], groups: [], stored: storedPassword('adminpw')},
    {username: 'dashboard', disabled: false, roles: [], groups: [{groupname: 'viewers'}], stored: storedPassword('pw')},
    {
      username: 'sensor1',
      clientid: 'sensor1-dev',
      disabled: false,
      roles: [{rolename: 'sensor', priority: 5}],
      groups: [{groupname: 'viewers'}],
      stored: storedPassword('pw'),
    },
    {username: 'old', disabled: true, roles: [{rolename: 'sensor'}], groups: [], stored: storedPassword('pw')},
  ],
  groups: [
    {groupname: 'guests', roles: [{rolename: 'public'}]},
    {groupname: 'viewers', roles: [{rolename: 'viewer'}]},
  ],
  roles: [
    {
      rolename: 'admin',
      acls: [
        acl('publishClientSend', '$CONTROL/dynamic-security/#', true),
        acl('publishClientReceive', '$CONTROL/dynamic-security/#', true),
        acl('subscribePattern', '$CONTROL/dynamic-security/#', true),
      ],
    },
    {
      rolename: 'public',
      acls: [acl('publishClientReceive', 'public/#', true), acl('subscribePattern', 'public/#', true)],
    },
    {
      rolename: 'sensor',
      acls: [acl('publishClientSend', 'sensors/+/temp', true), acl('publishClientSend', 'sensors/1/#', false, 5)],
    },
    {
      rolename: 'viewer',
      acls: [
        acl('publishClientReceive', 'sensors/#', true),
        acl('subscribeLiteral', 'sensors/#', true),
        acl('subscribePattern', 'sensors/+/temp', true),
      ],
    },
  ],
} as DynsecState

let broker: Broker
const file = join(dir, 'dynamic-security.json')

beforeAll(async () => {
  writeFileSync(file, encodeDynsecFile(state, '2.0'))
  broker = await startBroker({allowAnonymous: true, dynsec: {configFile: file}})
}, 30_000)
afterAll(async () => broker?.stop())

const conn = () => [
  '--host',
  '127.0.0.1',
  '--port',
  String(broker.port),
  '--username',
  'admin',
  '--pw',
  'adminpw',
  '--quiet',
]

describe('dynsec check', () => {
  it('exit 0 allow / 1 deny, the same verdict from -f FILE and from the broker, and the broker agrees', async () => {
    const cases: Array<[string[], 'allow' | 'deny', string]> = [
      [['--user', 'sensor1', '--topic', 'sensors/2/temp', '--access', 'publishClientSend'], 'allow', 'sensors/+/temp'],
      [['--user', 'sensor1', '--topic', 'sensors/1/temp', '--access', 'publishClientSend'], 'deny', 'sensors/1/#'],
      [['--user', 'dashboard', '--topic', 'sensors/#', '--access', 'subscribe'], 'allow', 'subscribeLiteral'],
      [['--user', 'dashboard', '--topic', 'sensors/+', '--access', 'subscribe'], 'deny', 'default deny'],
      [['--anonymous', '--topic', 'public/news', '--access', 'publishClientReceive'], 'allow', 'public/#'],
      [['--user', 'old', '--topic', 'sensors/2/temp', '--access', 'publishClientSend'], 'deny', 'disabled'],
      [['--user', 'sensor1', '--client-id', 'x', '--topic', 'a', '--access', 'unsubscribe'], 'deny', 'bound'],
    ]
    for (const [i, [args, want, why]] of cases.entries()) {
      const offline = await mqctl(['dynsec', 'check', '-f', file, ...args])
      expect(offline.code, `${args.join(' ')}: ${offline.stdout}${offline.stderr}`).toBe(want === 'allow' ? 0 : 1)
      expect(offline.stdout).toContain(`${want}: `)
      expect(offline.stdout).toContain(why)
      // Every other case also through the broker (a CLI run costs seconds on a loaded machine).
      if (i % 2 === 1) continue
      const online = await mqctl(['dynsec', 'check', ...args, ...conn(), '--json'])
      expect(online.code, online.stderr).toBe(want === 'allow' ? 0 : 1)
      expect(JSON.parse(online.stdout).verdict).toBe(want)
      expect(jsonContracts().get('dynsec:check')!.safeParse(JSON.parse(online.stdout)).success).toBe(true)
    }

    // What the broker itself says about two of them.
    const sensor = await connect(broker.port, {username: 'sensor1', clientId: 'sensor1-dev'})
    expect(sensor).toBeDefined()
    await expect(sensor!.publishAsync('sensors/2/temp', '1', {qos: 1})).resolves.toBeDefined()
    await expect(sensor!.publishAsync('sensors/1/temp', '1', {qos: 1})).rejects.toMatchObject({code: 0x87})
    await sensor!.endAsync()
  }, 60_000)

  it('--explain lists the walk with JSON paths; mosquitto_ctrl-style leading options work too', async () => {
    const r = await mqctl([
      '-h',
      '127.0.0.1',
      '-p',
      String(broker.port),
      '-u',
      'admin',
      '-P',
      'adminpw',
      'dynsec',
      'check',
      '--user',
      'sensor1',
      '--topic',
      'sensors/1/temp',
      '--access',
      'publishClientSend',
      '--explain',
      '--quiet',
    ])
    expect(r.code, r.stderr).toBe(1)
    expect(r.stdout).toContain('roles[2] role "sensor" (clients[3].roles[0], priority 5) via client "sensor1"')
    expect(r.stdout).toContain('roles[2].acls[0] publishClientSend sensors/1/# priority 5 deny: MATCH')
    expect(r.stdout).toContain('note: assumes the client has a password')
  })

  it('refuses a bad topic (exit 2) and a missing file (exit 5), never hangs on a FIFO', async () => {
    const bad = await mqctl([
      'dynsec',
      'check',
      '-f',
      file,
      '--anonymous',
      '--topic',
      'a/#',
      '--access',
      'publishClientSend',
    ])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--topic "a\/#"/)
    const missing = await mqctl([
      'dynsec',
      'check',
      '-f',
      join(dir, 'nope.json'),
      '--anonymous',
      '--topic',
      'a',
      '--access',
      'subscribe',
    ])
    expect(missing.code).toBe(5)
    const none = await mqctl(['dynsec', 'check', '-f', file, '--topic', 'a', '--access', 'subscribe'])
    expect(none.code).toBe(2)
    const fifo = join(dir, 'fifo')
    execFileSync('mkfifo', [fifo])
    const started = Date.now()
    const r = await mqctl(['dynsec', 'check', '-f', fifo, '--anonymous', '--topic', 'a', '--access', 'subscribe'])
    expect(r.code).toBe(5)
    expect(r.stderr).toContain(fifo)
    expect(Date.now() - started).toBeLessThan(15_000)
  })
})

describe('dynsec who', () => {
  it('lists the allowed clients with the deciding ACL, from a file and from the broker', async () => {
    const args = ['--topic', 'sensors/3/temp', '--access', 'publishClientReceive']
    const offline = await mqctl(['dynsec', 'who', '-f', file, ...args, '--json'])
    expect(offline.code, offline.stderr).toBe(0)
    const names = (out: string) =>
      (JSON.parse(out).clients as Array<{username?: string; decidedBy?: {path: string}}>).map(
        (c) => `${c.username ?? '(anonymous)'} ${c.decidedBy?.path}`,
      )
    expect(names(offline.stdout)).toEqual(['dashboard roles[3].acls[0]', 'sensor1 roles[3].acls[0]'])
    expect(jsonContracts().get('dynsec:who')!.safeParse(JSON.parse(offline.stdout)).success).toBe(true)
    const online = await mqctl(['dynsec', 'who', ...args, ...conn(), '--json'])
    expect(names(online.stdout)).toEqual(names(offline.stdout))
    const nobody = await mqctl(['dynsec', 'who', '-f', file, '--topic', 'secret', '--access', 'publishClientSend'])
    expect(nobody.code).toBe(1)
    expect(nobody.stdout.trim()).toBe('nobody')
  })
})

describe('dynsec migrate', () => {
  it('refuses a lossy migration (exit 1, nothing written), writes with --accept-lossy, and the broker loads the result', async () => {
    const pw = Buffer.from('pw')
    const h7 = await hashPassword(pw, {type: 'sha512-pbkdf2', iterations: 101, saltBytes: 12})
    const passwd = join(dir, 'passwd')
    writeFileSync(passwd, `alice:${h7}\nbob:${h7}\n`)
    const aclFile = join(dir, 'acl')
    writeFileSync(aclFile, 'topic read public/#\nuser alice\ntopic readwrite alice/#\npattern read clients/%c/#\n')
    const out = join(dir, 'migrated.json')
    const refusedJson = await mqctl(['dynsec', 'migrate', '--passwd', passwd, '--acl', aclFile, '-o', out, '--json'])
    expect(refusedJson.code).toBe(1)
    expect(JSON.parse(refusedJson.stdout)).toMatchObject({written: false, lossy: 1})
    expect(jsonContracts().get('dynsec:migrate')!.safeParse(JSON.parse(refusedJson.stdout)).success).toBe(true)
    const refused = await mqctl(['dynsec', 'migrate', '--passwd', passwd, '--acl', aclFile, '-o', out])
    expect(refused.code).toBe(1)
    expect(refused.stdout).toContain(`lossy: ${aclFile}:4: pattern "clients/%c/#" uses %c`)
    expect(existsSync(out)).toBe(false)

    const written = await mqctl(
      [
        'dynsec',
        'migrate',
        '--passwd',
        passwd,
        '--acl',
        aclFile,
        '-o',
        out,
        '--accept-lossy',
        '--admin',
        'root',
        '--admin-password-stdin',
      ],
      {input: 'rootpw\n'},
    )
    expect(written.code, written.stderr).toBe(0)
    expect(written.stdout).toContain(`plugin_opt_config_file ${out}`)
    expect(statSync(out).mode & 0o777).toBe(0o600)
    expect(readFileSync(out, 'utf8')).not.toContain('rootpw')

    const b = await startBroker({allowAnonymous: true, dynsec: {configFile: out}})
    try {
      const list = await mqctl([
        'dynsec',
        'listClients',
        '--host',
        '127.0.0.1',
        '--port',
        String(b.port),
        '--username',
        'root',
        '--pw',
        'rootpw',
        '--quiet',
      ])
      expect(list.code, list.stderr).toBe(0)
      expect(list.stdout.split('\n').filter(Boolean).sort()).toEqual(['alice', 'bob', 'root'])
      const alice = await connect(b.port, {username: 'alice', clientId: 'a1'})
      expect(alice).toBeDefined()
      await expect(alice!.publishAsync('alice/x', '1', {qos: 1})).resolves.toBeDefined()
      await expect(alice!.publishAsync('public/x', '1', {qos: 1})).rejects.toMatchObject({code: 0x87})
      await alice!.endAsync()
    } finally {
      await b.stop()
    }
  }, 60_000)

  it('--admin-password-env stores that password the way the plugin checks it; an admin already in the file is refused', async () => {
    const pw = await hashPassword(Buffer.from('pw'), {type: 'sha512-pbkdf2', iterations: 101, saltBytes: 12})
    const passwd = join(dir, 'passwd-env')
    writeFileSync(passwd, `alice:${pw}\n`)
    const aclFile = join(dir, 'acl-env')
    writeFileSync(aclFile, 'user alice\ntopic read a\n')
    const out = join(dir, 'env.json')
    const args = [
      'dynsec',
      'migrate',
      '--passwd',
      passwd,
      '--acl',
      aclFile,
      '-o',
      out,
      '--admin-password-env',
      'ADMIN_PW',
    ]
    const r = await mqctl([...args, '--admin', 'root'], {env: {ADMIN_PW: 's3cret'}})
    expect(r.code, r.stderr).toBe(0)
    const root = (JSON.parse(readFileSync(out, 'utf8')).clients as Array<Record<string, string>>).find(
      (c) => c.username === 'root',
    )!
    const key = pbkdf2Sync('s3cret', Buffer.from(root.salt, 'base64'), Number(root.iterations), 64, 'sha512')
    expect(key.toString('base64')).toBe(root.password)
    const taken = await mqctl([...args, '--admin', 'alice', '--force'], {env: {ADMIN_PW: 's3cret'}})
    expect(taken.code).toBe(2)
    expect(taken.stderr).toContain('--admin alice')
  })

  const seed = Number(process.env.MQCTL_TEST_SEED ?? Math.floor(Math.random() * 1e9))
  it(`a broker on the migrated file decides as password_file + acl_file did (seed ${seed}; more: scripts/dynsec-migrate-differential.ts)`, async () => {
    const r = await runMigrateAgreement(seed, 150)
    expect(r.cases).toBeGreaterThanOrEqual(150)
    expect(r.disagreements.slice(0, 3), `seed ${seed}`).toEqual([])
    expect(r.unexplained.slice(0, 3), `seed ${seed}`).toEqual([])
  }, 120_000)
})
