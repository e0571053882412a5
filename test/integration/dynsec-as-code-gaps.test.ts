import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startBroker, type Broker} from '../helpers/broker.js'
import {mqctl} from '../helpers/cli.js'

// How mqctl uses the wire for bulk dynsec work (the speed of issue 11 section 7 rests on it):
// one connection per process, and chunks pipelined instead of one round trip each.
const ADMIN_PW = 'admin-secret'
let dir: string
let broker: Broker
let empty: Broker

const ds = (args: string[], env?: Record<string, string>, to = broker) =>
  mqctl(['-h', '127.0.0.1', '-p', String(to.port), '-u', 'admin', '-P', ADMIN_PW, '--quiet', 'dynsec', ...args], {env})
const debugLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('mqctl: debug: '))

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mqctl-dsac-wire-'))
  const file = join(dir, 'dynsec.json')
  const init = await mqctl(['dynsec', 'init', file, 'admin', '--password-stdin'], {input: `${ADMIN_PW}\n`})
  expect(init.code).toBe(0)
  const other = join(dir, 'empty.json')
  expect((await mqctl(['dynsec', 'init', other, 'admin', '--password-stdin'], {input: `${ADMIN_PW}\n`})).code).toBe(0)
  ;[broker, empty] = await Promise.all([
    startBroker({dynsec: {configFile: file}}),
    startBroker({dynsec: {configFile: other}}),
  ])
})
afterAll(async () => Promise.all([broker?.stop(), empty?.stop()]))

describe('dynsec over the wire', () => {
  it('sends the next chunk before the previous one is acknowledged, and the broker applies them in order', async () => {
    // 250 clients whose roles are created in the same batch: 3 chunks of 100 commands, and a
    // client refers to a role only a previous command created.
    const lines = [
      'createRole wr',
      ...Array.from({length: 250}, (_, i) => `createClient w${i}\naddClientRole w${i} wr`),
    ]
    writeFileSync(join(dir, 'many.txt'), lines.join('\n') + '\n')
    const r = await ds(['-d', 'batch', join(dir, 'many.txt')])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toMatch(/501 commands: 501 succeeded, 0 refused\./)
    const wire = debugLines(r.stderr).map((l) => l.replace(/^mqctl: debug: /, ''))
    const firstAck = wire.indexOf('received puback', wire.indexOf('sent publish', wire.indexOf('received suback')))
    const publishesBeforeAck = wire.slice(0, firstAck).filter((l) => l === 'sent publish').length
    expect(publishesBeforeAck).toBeGreaterThan(1)
    const got = await ds(['getClient', 'w249'])
    expect(got.stdout).toMatch(/Roles:\s+wr/)
  })

  it('opens one connection for a command that sends more than one request (getClient --layout auto)', async () => {
    await ds(['createClient', 'solo'])
    const r = await ds(['-d', 'getClient', 'solo', '--layout', 'auto'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^Username:\s+solo$/m)
    expect(debugLines(r.stderr).filter((l) => l.endsWith('sent connect'))).toHaveLength(1)
  })

  it('plan --json carries the shared verdict field: allow when nothing is to do, deny when there are changes', async () => {
    const exported = await ds(['export', '--format', 'json'])
    expect(exported.code, exported.stderr).toBe(0)
    writeFileSync(join(dir, 'same.json'), exported.stdout)
    const same = await ds(['plan', join(dir, 'same.json'), '--json', '--exit-code'])
    expect([same.code, JSON.parse(same.stdout).verdict, JSON.parse(same.stdout).changes]).toEqual([0, 'allow', false])
    const policy = JSON.parse(exported.stdout) as {clients: Array<{username: string}>}
    policy.clients.push({username: 'newcomer'})
    writeFileSync(join(dir, 'more.json'), JSON.stringify(policy))
    const more = await ds(['plan', join(dir, 'more.json'), '--json', '--exit-code'])
    expect([more.code, JSON.parse(more.stdout).verdict, JSON.parse(more.stdout).changes]).toEqual([6, 'deny', true])
  })

  it('keeps the plugin order of ACLs with equal priorities: export, apply to an empty broker, export is identical', async () => {
    // The plugin keeps ACLs of one type by priority, a new one after those of equal priority
    // (HASH_ADD_INORDER, roles.c in 2.0.11 and 2.1.2): here z, a, m, not the topics' order.
    const lines = ['createRole ties', 'addRoleACL ties publishClientSend z/# allow 1']
    lines.push('addRoleACL ties publishClientSend a/# deny 1', 'addRoleACL ties publishClientSend m/# allow 1')
    lines.push('addRoleACL ties subscribePattern q/# allow 0', 'addRoleACL ties subscribePattern b/# deny 0')
    writeFileSync(join(dir, 'ties.txt'), lines.join('\n') + '\n')
    expect((await ds(['batch', join(dir, 'ties.txt')])).code).toBe(0)
    const first = await ds(['export', '--format', 'json'])
    const role = (JSON.parse(first.stdout) as {roles: Array<{rolename: string; acls: Array<{topic: string}>}>}).roles
    expect(role.find((r) => r.rolename === 'ties')!.acls.map((a) => a.topic)).toEqual([
      'z/#',
      'a/#',
      'm/#',
      'q/#',
      'b/#',
    ])
    writeFileSync(join(dir, 'ties.json'), first.stdout)
    const applied = await ds(['apply', join(dir, 'ties.json')], undefined, empty)
    expect(applied.code, applied.stderr).toBe(0)
    const second = await ds(['export', '--format', 'json'], undefined, empty)
    expect(second.stdout).toBe(first.stdout)
  })

  it('exports a fleet as one JSON object per broker without -o, and says what to give otherwise', async () => {
    const home = join(dir, 'home')
    const {mkdirSync} = await import('node:fs')
    mkdirSync(home)
    const profile = (port: number) => `{host: 127.0.0.1, port: ${port}, username: admin, password: ${ADMIN_PW}}`
    writeFileSync(
      join(home, 'config.yaml'),
      `profiles:\n  one: ${profile(broker.port)}\n  two: ${profile(empty.port)}\n`,
    )
    const env = {MQCTL_CONFIG_DIR: home}
    const json = await mqctl(['dynsec', 'export', '--profile', 'one', '--profile', 'two', '--json', '--quiet'], {env})
    expect(json.code, json.stderr).toBe(0)
    const objects = JSON.parse(json.stdout) as Array<{profile: string; policy: {version: number}}>
    expect(objects.map((o) => [o.profile, o.policy.version])).toEqual([
      ['one', 1],
      ['two', 1],
    ])
    const text = await mqctl(['dynsec', 'export', '--all-profiles', '--quiet'], {env})
    expect([text.code, text.stdout]).toEqual([2, ''])
    expect(text.stderr).toMatch(/give -o DIR \(one file per profile\) or --json/)
  })
})
