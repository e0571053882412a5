import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startBroker, type Broker} from '../helpers/broker.js'
import {mqctl, run} from '../helpers/cli.js'
import {codesOf, connect} from '../helpers/dynsec-oracle.js'
import {findMosquittoTools} from '../helpers/mosquitto-install.js'
import {INIT_ADMIN_ROLE_YAML} from '../helpers/dynsec-fixtures.js'

// The plugin checks a role's publish and pattern ACLs of equal priority in list order, first
// match wins (acl.c), and puts a new ACL after its ties (roles.c): the order is access.
const tools = findMosquittoTools()
const ADMIN_PW = 'admin-secret'
let dir: string
let broker: Broker

const conn = ['-u', 'admin', '-P', ADMIN_PW, '--quiet']
const ds = (args: string[], env?: Record<string, string>) =>
  mqctl(['-h', '127.0.0.1', '-p', String(broker.port), ...conn, 'dynsec', ...args], {env})
const ctrl = (args: string[]) =>
  run(tools.ctrl, ['-h', '127.0.0.1', '-p', String(broker.port), '-u', 'admin', '-P', ADMIN_PW, 'dynsec', ...args])

// The ties in an order that is neither the topics' order nor the order of insertion below.
const TIES = [
  {acltype: 'publishClientSend', topic: 'z/#', allow: true, priority: 1},
  {acltype: 'publishClientSend', topic: 'a/#', allow: false, priority: 1},
  {acltype: 'publishClientSend', topic: 'm/#', allow: true, priority: 1},
  {acltype: 'subscribeLiteral', topic: 'l/1', allow: true, priority: 0},
  {acltype: 'subscribeLiteral', topic: 'l/2', allow: true, priority: 0},
  {acltype: 'subscribePattern', topic: 'dev/+', allow: false, priority: 2},
  {acltype: 'subscribePattern', topic: 'dev/#', allow: true, priority: 2},
]
const POLICY = `version: 1
roles:${INIT_ADMIN_ROLE_YAML}
  - rolename: ties
    acls:
${TIES.map((a) => `      - ${JSON.stringify(a)}`).join('\n')}
clients:
  - username: dev1
    password: {env: DEV1_PW}
    roles: [{rolename: ties}]
`
const DEV1 = {DEV1_PW: 'dev1-password'}

type Exported = {roles: Array<{rolename: string; acls: Array<Record<string, unknown>>}>}
const tiesOf = (json: string) => (JSON.parse(json) as Exported).roles.find((r) => r.rolename === 'ties')!.acls
const sorted = (o: Record<string, unknown>) => JSON.stringify(Object.fromEntries(Object.entries(o).sort()))

/** The broker's own verdict: the SUBACK code dev1 gets for dev/x (dev/+ and dev/# both match). */
async function subscribeDevX(): Promise<'allow' | 'deny'> {
  const c = await connect(broker.port, {username: 'dev1', clientId: 'dev1'} as never, DEV1.DEV1_PW)
  expect(c).toBeDefined()
  try {
    const [code] = await codesOf((cb) =>
      c!.subscribe('dev/x', {qos: 0}, (err, _granted, packet) => cb(err, packet as {granted?: number[]})),
    )
    expect(code).toBeTypeOf('number')
    return code < 0x80 ? 'allow' : 'deny'
  } finally {
    await c!.endAsync()
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mqctl-acl-order-'))
  const file = join(dir, 'dynsec.json')
  expect((await mqctl(['dynsec', 'init', file, 'admin', '--password-stdin'], {input: `${ADMIN_PW}\n`})).code).toBe(0)
  broker = await startBroker({dynsec: {configFile: file}})
  writeFileSync(join(dir, 'policy.yaml'), POLICY)
})
afterAll(async () => broker?.stop())

describe('the order of equal-priority ACLs', () => {
  it('is drift when mosquitto_ctrl reorders a tie, and apply (without --prune) restores the order and the access', async () => {
    const policy = join(dir, 'policy.yaml')
    const first = await ds(['apply', policy], DEV1)
    expect(first.code, first.stderr).toBe(0)
    const applied = await ds(['export', '--format', 'json'])
    expect(tiesOf(applied.stdout).map(sorted)).toEqual(TIES.map(sorted))
    expect(await subscribeDevX()).toBe('deny')

    // Move z/# and dev/+ to the end of their ties, and reorder the literal pair (which is not drift).
    for (const step of [
      ['removeRoleACL', 'ties', 'publishClientSend', 'z/#'],
      ['addRoleACL', 'ties', 'publishClientSend', 'z/#', 'allow', '1'],
      ['removeRoleACL', 'ties', 'subscribePattern', 'dev/+'],
      ['addRoleACL', 'ties', 'subscribePattern', 'dev/+', 'deny', '2'],
      ['removeRoleACL', 'ties', 'subscribeLiteral', 'l/1'],
      ['addRoleACL', 'ties', 'subscribeLiteral', 'l/1', 'allow', '0'],
    ]) {
      expect((await ctrl(step)).stderr).not.toMatch(/Error/)
    }
    expect(await subscribeDevX()).toBe('allow')

    const plan = await ds(['plan', policy, '--exit-code'])
    expect(plan.code, plan.stderr).toBe(6)
    expect(plan.stdout).toContain('~ role ties: acl publishClientSend a/# (priority 1) moves')
    expect(plan.stdout).toContain('~ role ties: acl subscribePattern dev/# (priority 2) moves')
    expect(plan.stdout).not.toContain('l/1')
    expect(plan.stdout).toMatch(/^Plan: 0 to add, 1 to change, 0 to delete\.$/m)
    const json = JSON.parse((await ds(['plan', policy, '--json'])).stdout) as {
      commands: Array<{command: {command: string; topic?: string}}>
    }
    // Broker order [a, m, z] → [z, a, m]: a and m go after z; [dev/#, dev/+] → [dev/+, dev/#].
    // Each moved ACL is removed just before it is added back.
    expect(json.commands.map((c) => `${c.command.command} ${c.command.topic}`)).toEqual([
      'removeRoleACL a/#',
      'addRoleACL a/#',
      'removeRoleACL m/#',
      'addRoleACL m/#',
      'removeRoleACL dev/#',
      'addRoleACL dev/#',
    ])

    const fixed = await ds(['apply', policy], DEV1)
    expect(fixed.code, fixed.stderr).toBe(0)
    const after = await ds(['export', '--format', 'json'])
    expect(tiesOf(after.stdout).filter((a) => a.acltype !== 'subscribeLiteral')).toEqual(
      tiesOf(applied.stdout).filter((a) => a.acltype !== 'subscribeLiteral'),
    )
    expect(await subscribeDevX()).toBe('deny')
    expect((await ds(['plan', policy, '--exit-code'])).code).toBe(0)
  })

  it('with -f: a reordered tie in the file is planned, applied, and the broker loads the file in that order', async () => {
    const file = join(dir, 'offline.json')
    expect((await mqctl(['dynsec', 'init', file, 'admin', '--password-stdin'], {input: `${ADMIN_PW}\n`})).code).toBe(0)
    const policy = join(dir, 'policy.yaml')
    const f = (args: string[]) => mqctl(['-f', file, '--quiet', 'dynsec', ...args], {env: DEV1})
    expect((await f(['apply', policy])).code).toBe(0)
    writeFileSync(
      join(dir, 'reorder.txt'),
      'removeRoleACL ties publishClientSend z/#\naddRoleACL ties publishClientSend z/# allow 1\n',
    )
    expect((await f(['batch', join(dir, 'reorder.txt')])).code).toBe(0)
    const plan = await f(['plan', policy, '--exit-code'])
    expect(plan.code, plan.stdout + plan.stderr).toBe(6)
    expect(plan.stdout).toContain('~ role ties: acl publishClientSend a/# (priority 1) moves')
    expect((await f(['apply', policy])).code).toBe(0)
    expect((await f(['plan', policy, '--exit-code'])).code).toBe(0)

    const loaded = await startBroker({dynsec: {configFile: file}})
    try {
      const r = await mqctl([
        ...['-h', '127.0.0.1', '-p', String(loaded.port)],
        ...conn,
        'dynsec',
        'export',
        '--format',
        'json',
      ])
      expect(r.code, r.stderr).toBe(0)
      expect(tiesOf(r.stdout).map(sorted)).toEqual(TIES.map(sorted))
    } finally {
      await loaded.stop()
    }
  })
})
