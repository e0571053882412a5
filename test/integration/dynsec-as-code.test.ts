import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {parse} from 'yaml'

import {startBroker, type Broker} from '../helpers/broker.js'
import {mqctl, run} from '../helpers/cli.js'
import {findMosquittoTools} from '../helpers/mosquitto-install.js'
import {INIT_ADMIN_ROLE_YAML, PLUGIN_ACL_TYPES} from '../helpers/dynsec-fixtures.js'

const tools = findMosquittoTools()
const ADMIN_PW = 'admin-secret'
let dir: string
let a: Broker
let b: Broker

async function initFile(name: string): Promise<string> {
  const file = join(dir, name)
  const r = await mqctl(['dynsec', 'init', file, 'admin', '--password-stdin'], {input: `${ADMIN_PW}\n`})
  expect(r.code).toBe(0)
  return file
}

const conn = (x: Broker) => ['-h', '127.0.0.1', '-p', String(x.port), '-u', 'admin', '-P', ADMIN_PW, '--quiet']
const ds = (x: Broker, args: string[], env?: Record<string, string>) => mqctl([...conn(x), 'dynsec', ...args], {env})
const ctrl = (x: Broker, args: string[]) =>
  run(tools.ctrl, ['-h', '127.0.0.1', '-p', String(x.port), '-u', 'admin', '-P', ADMIN_PW, 'dynsec', ...args])
const login = (x: Broker, user: string, pw: string, id: string) =>
  run(tools.pub, ['-h', '127.0.0.1', '-p', String(x.port), '-u', user, '-P', pw, '-i', id, '-t', 'dev/x', '-m', '1'])

const RICH = `# yaml-language-server: $schema=../docs/json/dynsec-policy.schema.json
version: 1
defaultACLAccess: {publishClientSend: true, publishClientReceive: false, subscribe: true, unsubscribe: false}
anonymousGroup: guests
roles:${INIT_ADMIN_ROLE_YAML}
  - rolename: devices
    textname: Device role
    textdescription: what sensors may do
    acls:
      - {acltype: publishClientSend, topic: dev/#, allow: true, priority: 5}
      - {acltype: publishClientSend, topic: dev/secret, allow: false, priority: 9}
      - {acltype: publishClientReceive, topic: cmd/+, allow: true}
      - {acltype: subscribeLiteral, topic: cmd/+, allow: true, priority: -2}
      - {acltype: subscribePattern, topic: "cmd/#", allow: false, priority: 1}
      - {acltype: unsubscribeLiteral, topic: cmd/+, allow: true}
      - {acltype: unsubscribePattern, topic: "#", allow: true, priority: 3}
  - rolename: readers
    acls:
      - {acltype: subscribePattern, topic: "a b/#", allow: true}
groups:
  - groupname: guests
    textname: Anonymous users
    roles: [{rolename: readers, priority: 2}]
  - groupname: sensors
    roles: [{rolename: devices}, {rolename: readers, priority: -5}]
clients:
  - username: admin
    textname: Dynsec admin user
    roles: [{rolename: admin}]
  - username: s1
    clientid: s1-id
    textdescription: first sensor
    roles: [{rolename: readers, priority: 7}]
    groups: [{groupname: sensors, priority: 3}, {groupname: guests}]
    password: {env: S1_PASSWORD}
  - username: s2
    disabled: true
    groups: [{groupname: sensors}]
    password: {file: s2.pw}
  - username: nopw
`

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mqctl-dsac-it-'))
  ;[a, b] = await Promise.all([
    startBroker({dynsec: {configFile: await initFile('a.json')}}),
    startBroker({dynsec: {configFile: await initFile('b.json')}}),
  ])
  writeFileSync(join(dir, 'rich.yaml'), RICH)
  writeFileSync(join(dir, 's2.pw'), 's2-password\n', {mode: 0o600})
})
afterAll(async () => Promise.all([a?.stop(), b?.stop()]))

describe('dynsec export / plan / apply against real brokers', () => {
  it('applies a rich policy, exports it, and an export applied to an empty broker exports the same', async () => {
    const env = {S1_PASSWORD: 's1-password'}
    const applied = await ds(a, ['apply', join(dir, 'rich.yaml')], env)
    expect([applied.code, applied.stderr]).toEqual([0, ''])
    expect(applied.stdout).toMatch(/^\+ role devices$/m)
    expect(applied.stdout).toMatch(/Applied \d+ commands: 7 added, 2 changed, 0 deleted\./)
    // Passwords come from the env and the file, and are never printed.
    expect(applied.stdout).not.toMatch(/s1-password|s2-password/)

    const exported = await ds(a, ['export'])
    expect(exported.code).toBe(0)
    const doc = parse(exported.stdout)
    expect(doc).toEqual(normalize(parse(RICH)))

    // The logins work: the password from the env with its client id; s2 is disabled.
    expect((await login(a, 's1', 's1-password', 's1-id')).code).toBe(0)
    expect((await login(a, 's1', 's1-password', 'other-id')).code).not.toBe(0)
    expect((await login(a, 's2', 's2-password', 'x')).code).not.toBe(0)

    writeFileSync(join(dir, 'export.yaml'), exported.stdout)
    const toEmpty = await ds(b, ['apply', join(dir, 'export.yaml'), '--prune', '--yes'])
    expect(toEmpty.code).toBe(0)
    expect((await ds(b, ['export'])).stdout).toBe(exported.stdout)
  })

  it('a second apply sends nothing and says so', async () => {
    const again = await ds(a, ['apply', join(dir, 'rich.yaml'), '--json'], {S1_PASSWORD: 's1-password'})
    expect(again.code).toBe(0)
    expect(JSON.parse(again.stdout)).toMatchObject({status: 'unchanged', commands: []})
    const text = await ds(a, ['apply', join(dir, 'rich.yaml')], {S1_PASSWORD: 's1-password'})
    expect(text.stdout).toMatch(/^No changes: .* already matches .*rich\.yaml; nothing sent\.$/m)
  })

  it('finds drift made with mosquitto_ctrl (plan --exit-code 6) and repairs it with apply --prune --yes', async () => {
    for (const step of [
      ['createClient', 'intruder', '-p', 'x'],
      ['removeRoleACL', 'devices', 'publishClientSend', 'dev/secret'],
      ['addGroupClient', 'sensors', 'nopw', '4'],
      ['createRole', 'stray'],
    ]) {
      expect((await ctrl(a, step)).stderr).not.toMatch(/Error/)
    }

    const plan = await ds(a, ['plan', join(dir, 'rich.yaml'), '--exit-code'])
    expect(plan.code).toBe(6)
    expect(plan.stdout).toContain('+ role devices: acl publishClientSend dev/secret deny (priority 9)')
    expect(plan.stdout).toContain('- client nopw: group sensors (priority 4)')
    expect(plan.stdout).not.toContain('intruder') // not listed, and no --prune
    expect(plan.stdout).toMatch(/^Plan: 0 to add, 2 to change, 0 to delete\.$/m)

    const pruned = await ds(a, ['plan', join(dir, 'rich.yaml'), '--prune', '--json'])
    const commands = JSON.parse(pruned.stdout).commands.map((c: {command: {command: string}}) => c.command.command)
    expect(commands.slice(-2)).toEqual(['deleteClient', 'deleteRole'])

    // Deletions without --yes on a non-terminal stdin: exit 2, nothing sent.
    const refused = await ds(a, ['apply', join(dir, 'rich.yaml'), '--prune'])
    expect(refused.code).toBe(2)
    expect((await ds(a, ['plan', join(dir, 'rich.yaml'), '--exit-code'])).code).toBe(6)

    const audit = join(dir, 'audit.jsonl')
    const fixed = await ds(a, ['apply', join(dir, 'rich.yaml'), '--prune', '--yes', '--audit-log', audit])
    expect(fixed.code).toBe(0)
    expect((await ds(a, ['plan', join(dir, 'rich.yaml'), '--prune', '--exit-code'])).code).toBe(0)
    const lines = readFileSync(audit, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines.map((l) => l.command)).toEqual(['addRoleACL', 'removeGroupClient', 'deleteClient', 'deleteRole'])
    expect(lines[2]).toMatchObject({admin: 'admin', broker: `127.0.0.1:${a.port}`, object: {username: 'intruder'}})
  })

  it('refuses a plan that locks the calling admin out, unless --force', async () => {
    const locked = RICH.replace('roles: [{rolename: admin}]', 'roles: [{rolename: readers}]')
    writeFileSync(join(dir, 'locked.yaml'), locked)
    const r = await ds(a, ['apply', join(dir, 'locked.yaml')], {S1_PASSWORD: 'x'})
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('refusing a plan that locks this admin out')
    // Nothing was sent: the admin still works and the plan still shows the change.
    expect((await ds(a, ['plan', join(dir, 'locked.yaml'), '--exit-code'])).code).toBe(6)
    const forced = await ds(a, ['apply', join(dir, 'locked.yaml'), '--force', '--dry-run'], {S1_PASSWORD: 'x'})
    expect([forced.code, forced.stdout.trim().split('\n').at(-1)]).toEqual([0, 'Dry run: nothing sent.'])
  })

  it('continues after the broker kicks the admin for a change to its own roles', async () => {
    // addClientRole on the connected admin makes the broker disconnect it mid-request.
    const own = RICH.replace(
      'roles: [{rolename: admin}]',
      'roles: [{rolename: admin}, {rolename: readers, priority: -9}]',
    )
    writeFileSync(join(dir, 'own.yaml'), own)
    const r = await ds(a, ['apply', join(dir, 'own.yaml')], {S1_PASSWORD: 'x'})
    expect([r.code, r.stderr]).toEqual([0, ''])
    expect((await ds(a, ['plan', join(dir, 'own.yaml'), '--exit-code'])).code).toBe(0)
    const back = await ds(a, ['apply', join(dir, 'rich.yaml')], {S1_PASSWORD: 'x'})
    expect(back.code).toBe(0)
  })

  it('reports each refused command, names its object, and says what was applied (exit 1)', async () => {
    // mosquitto refuses control characters in names; the policy is valid YAML and JSON.
    const policy = `version: 1\nclients:\n  - username: p1\n  - username: "bad\\x01name"\n  - username: p2\n`
    writeFileSync(join(dir, 'partial.yaml'), policy)
    const r = await ds(a, ['apply', join(dir, 'partial.yaml')])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('createClient: Error: Username not valid UTF-8 (client bad\\x01name)')
    expect(r.stdout).toContain('Applied 2 of 3 commands (the plugin is not transactional); applied:')
    expect(r.stdout).toMatch(/^ {2}\+ client p1$/m)
    expect(r.stdout).toMatch(/^ {2}\+ client p2$/m)
    // The file backend's model refuses it with the same words.
    const file = await initFile('partial.json')
    const offline = await mqctl(['-f', file, 'dynsec', 'apply', join(dir, 'partial.yaml')])
    expect(offline.code).toBe(1)
    expect(offline.stderr).toContain('createClient: Error: Username not valid UTF-8 (client bad\\x01name)')
  })
})

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed YAML, checked by the assertions
type Obj = Record<string, any>

/** What export makes of the hand-written policy: defaults filled, lists sorted, empty lists present. */
function normalize(p: Obj) {
  const types: readonly string[] = PLUGIN_ACL_TYPES
  const byName = (k: string) => (x: Obj, y: Obj) => (x[k] < y[k] ? -1 : x[k] > y[k] ? 1 : 0)
  return {
    version: 1,
    defaultACLAccess: p.defaultACLAccess,
    anonymousGroup: p.anonymousGroup,
    roles: p.roles.sort(byName('rolename')).map((r: Obj) => ({
      ...r,
      acls: (r.acls ?? [])
        .map((x: Obj) => ({acltype: x.acltype, topic: x.topic, allow: x.allow, priority: x.priority ?? 0}))
        .sort((x: Obj, y: Obj) => types.indexOf(x.acltype) - types.indexOf(y.acltype) || y.priority - x.priority),
    })),
    groups: p.groups
      .sort(byName('groupname'))
      .map((g: Obj) => ({...g, roles: (g.roles ?? []).sort(byName('rolename'))})),
    clients: p.clients.sort(byName('username')).map(({password: _, ...c}: Obj) => ({
      ...c,
      roles: (c.roles ?? []).sort(byName('rolename')),
      groups: (c.groups ?? []).sort(byName('groupname')),
    })),
  }
}
