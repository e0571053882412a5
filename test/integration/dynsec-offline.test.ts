import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {freePort, startBroker, type Broker} from '../helpers/broker.js'
import {mqctl, run} from '../helpers/cli.js'
import {findMosquittoTools} from '../helpers/mosquitto-install.js'

const tools = findMosquittoTools()
const ADMIN_PW = 'admin-secret'
let dir: string
const brokers: Broker[] = []

async function initFile(name: string): Promise<string> {
  const file = join(dir, name)
  const r = await mqctl(['dynsec', 'init', file, 'admin', '--password-stdin'], {input: `${ADMIN_PW}\n`})
  expect(r.code).toBe(0)
  return file
}

async function broker(file: string): Promise<Broker> {
  const b = await startBroker({dynsec: {configFile: file}})
  brokers.push(b)
  return b
}

const conn = (x: Broker) => ['-h', '127.0.0.1', '-p', String(x.port), '-u', 'admin', '-P', ADMIN_PW, '--quiet']
const login = (x: Broker, user: string, pw: string, id: string) =>
  run(tools.pub, ['-h', '127.0.0.1', '-p', String(x.port), '-u', user, '-P', pw, '-i', id, '-t', 'dev/x', '-m', '1'])

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mqctl-dsoff-it-'))
})
afterAll(async () => Promise.all(brokers.map((b) => b.stop())))

const BATCH = `# provisioning
createRole devices
addRoleACL devices publishClientSend 'dev/#' allow 5
addRoleACL devices subscribePattern "cmd/+" allow
createGroup sensors
addGroupRole sensors devices 3
createClient s1 -p 's1 pw' -c s1-id
addGroupClient sensors s1 2
createClient s1 -p again
setClientPassword s1 's1 new'
disableClient nobody
getClient s1
listRoles
getRole devices
setDefaultACLAccess subscribe allow
`

describe('-f FILE: every dynsec command offline, files the broker loads', () => {
  it('batch on a broker and on a file: same output, same exit status, same state', async () => {
    const batch = join(dir, 'provision.txt')
    writeFileSync(batch, BATCH)
    const file = await initFile('batch.json')
    const online = await broker(await initFile('online.json'))
    const [viaBroker, viaFile] = await Promise.all([
      mqctl([...conn(online), 'dynsec', 'batch', batch]),
      mqctl(['-f', file, 'dynsec', 'batch', batch]),
    ])
    expect(viaBroker.code).toBe(1)
    expect(viaFile.code).toBe(1)
    expect(viaFile.stdout).toBe(viaBroker.stdout)
    expect(viaBroker.stdout).toContain(
      `# ${batch}:12 getClient\nUsername: s1\nClientid: s1-id\nGroups:   sensors (priority: 2)\n`,
    )
    const refusals = (s: string) => s.split('\n').filter((l) => l.includes(': Error: '))
    expect(refusals(viaBroker.stderr)).toEqual([
      `${batch}:9: createClient: Error: Client already exists`,
      `${batch}:11: disableClient: Error: Client not found`,
    ])
    expect(refusals(viaFile.stderr)).toEqual(refusals(viaBroker.stderr))
    // A bad line: FILE:LINE, exit 2, nothing sent (the file is untouched).
    writeFileSync(batch, BATCH + "addRoleACL devices publishClientSend 'a/#/b' allow\n")
    const before = readFileSync(file, 'utf8')
    const bad = await mqctl(['-f', file, 'dynsec', 'batch', batch])
    expect([bad.code, bad.stderr.trim()]).toEqual([
      2,
      expect.stringMatching(new RegExp(`^mqctl: ${batch}:16: invalid ACL topic`)),
    ])
    expect(readFileSync(file, 'utf8')).toBe(before)

    const [exportBroker, exportFile] = await Promise.all([
      mqctl([...conn(online), 'dynsec', 'export']),
      mqctl(['-f', file, 'dynsec', 'export']),
    ])
    expect(exportFile.stdout).toBe(exportBroker.stdout)

    // The broker loads the file mqctl wrote, and the password set offline logs in.
    const loaded = await broker(file)
    expect((await login(loaded, 's1', 's1 new', 's1-id')).code).toBe(0)
    expect((await login(loaded, 's1', 's1 pw', 's1-id')).code).not.toBe(0)
    expect((await mqctl([...conn(loaded), 'dynsec', 'export'])).stdout).toBe(exportFile.stdout)
  })

  it('single commands with -f print what the broker prints, and -i sets the iterations', async () => {
    const file = await initFile('single.json')
    const f = (args: string[]) => mqctl(['-f', file, 'dynsec', ...args])
    for (const args of [
      ['createRole', 'r1'],
      ['addRoleACL', 'r1', 'publishClientReceive', 'a/b', 'deny', '10'],
      ['createClient', 'bob', '--password-stdin'],
      ['addClientRole', 'bob', 'r1', '7'],
      ['createGroup', 'g'],
      ['setAnonymousGroup', 'g'],
    ]) {
      const r = await mqctl(['-f', file, 'dynsec', ...args], {input: 'bobpw\n'})
      expect(r.code, args.join(' ')).toBe(0)
    }

    expect((await f(['setClientPassword', 'bob', 'pw2', '-i', '7'])).code).toBe(0)
    expect(
      JSON.parse(readFileSync(file, 'utf8')).clients.find((c: {username: string}) => c.username === 'bob'),
    ).toMatchObject({
      iterations: 7,
    })
    const live = await broker(file)
    for (const args of [
      ['getClient', 'bob'],
      ['getRole', 'r1'],
      ['listClients'],
      ['getAnonymousGroup'],
      ['getDefaultACLAccess'],
    ]) {
      const [offline, online] = await Promise.all([f(args), mqctl([...conn(live), 'dynsec', ...args])])
      expect(offline.stdout, args.join(' ')).toBe(online.stdout)
    }

    expect((await login(live, 'bob', 'pw2', 'any')).code).toBe(0)
    // Deleting the anonymous group is refused offline too, and says the 2.0 caveat once.
    const del = await f(['deleteGroup', 'g'])
    expect([del.code, del.stderr.trim()]).toEqual([1, 'deleteGroup: Error: Deleting the anonymous group is forbidden'])
    const created = await f(['createGroup', 'h'])
    expect(created.stderr.match(/does not reload/g)).toHaveLength(1)
  })

  it('refuses a file the plugin would not load (exit 5, file:line) and leaves it as it was', async () => {
    const file = join(dir, 'broken.json')
    writeFileSync(file, '{\n  "clients": [\n    {"username": "a"}\n  ],,\n}\n')
    const r = await mqctl(['-f', file, 'dynsec', 'createClient', 'b', '--password-stdin'], {input: 'x\n'})
    expect([r.code, r.stderr]).toEqual([5, expect.stringContaining(`${file}:4:`)])
    expect(readFileSync(file, 'utf8')).toBe('{\n  "clients": [\n    {"username": "a"}\n  ],,\n}\n')
  })

  it('keeps a 2.1 file in the 2.1 layout: encoded_password and changeIndex + 1', async () => {
    const file = join(dir, 'v21.json')
    writeFileSync(file, JSON.stringify({changeIndex: 4, clients: [], roles: [], groups: []}))
    const r = await mqctl(['-f', file, 'dynsec', 'createClient', 'c', '--password-stdin'], {input: 'pw\n'})
    expect(r.code).toBe(0)
    const saved = JSON.parse(readFileSync(file, 'utf8'))
    expect(saved.changeIndex).toBe(5)
    expect(saved.clients[0].encoded_password).toMatch(/^\$7\$1000\$/)
    expect(saved.clients[0].password).toBeUndefined()
  })
})

describe('fleets', () => {
  it('two brokers, one drifted, one down: one row each, and the exit status says so', async () => {
    const policyFile = await initFile('fleet-a.json')
    const [inSync, drifted] = await Promise.all([broker(policyFile), broker(await initFile('fleet-b.json'))])
    const down = await freePort()
    const home = mkdtempSync(join(tmpdir(), 'mqctl-fleet-home-'))
    const profile = (port: number) =>
      `{host: 127.0.0.1, port: ${port}, username: admin, password: ${ADMIN_PW}, timeout: 3}`
    writeFileSync(
      join(home, 'config.yaml'),
      `profiles:\n  test: ${profile(inSync.port)}\n  prod: ${profile(drifted.port)}\n  site3: ${profile(down)}\n`,
    )
    const env = {MQCTL_CONFIG_DIR: home}
    const exported = await mqctl(['-f', policyFile, 'dynsec', 'export', '-o', join(dir, 'fleet.yaml')])
    expect(exported.code).toBe(0)
    expect((await mqctl([...conn(drifted), 'dynsec', 'createRole', 'stray'])).code).toBe(0)

    const plan = await mqctl(
      ['dynsec', 'plan', join(dir, 'fleet.yaml'), '--all-profiles', '--prune', '--exit-code', '--quiet'],
      {env},
    )
    const rows = plan.stdout.trim().split('\n')
    expect(rows).toHaveLength(3)
    expect(rows.find((r) => r.startsWith('test'))).toMatch(/no changes$/)
    expect(rows.find((r) => r.startsWith('prod'))).toMatch(/drifted: 0 to add, 0 to change, 1 to delete$/)
    expect(rows.find((r) => r.startsWith('site3'))).toMatch(/failed: .*127\.0\.0\.1/)
    expect(plan.code).toBe(3) // a broker that failed outranks drift

    const json = await mqctl(
      [
        'dynsec',
        'plan',
        join(dir, 'fleet.yaml'),
        '--profile',
        'test',
        '--profile',
        'prod',
        '--exit-code',
        '--prune',
        '--json',
        '--quiet',
      ],
      {env},
    )
    expect(json.code).toBe(6)
    const objects = JSON.parse(json.stdout)
    expect(objects.map((o: {profile: string; changes: boolean}) => [o.profile, o.changes])).toEqual([
      ['test', false],
      ['prod', true],
    ])

    const applied = await mqctl(
      ['dynsec', 'apply', join(dir, 'fleet.yaml'), '--all-profiles', '--prune', '--yes', '--quiet'],
      {env},
    )
    expect(applied.code).toBe(3)
    expect(applied.stdout).toMatch(/^prod .*applied: 0 added, 0 changed, 1 deleted$/m)
    const again = await mqctl(
      [
        'dynsec',
        'plan',
        join(dir, 'fleet.yaml'),
        '--profile',
        'test',
        '--profile',
        'prod',
        '--prune',
        '--exit-code',
        '--quiet',
      ],
      {env},
    )
    expect(again.code).toBe(0)
  })
})
