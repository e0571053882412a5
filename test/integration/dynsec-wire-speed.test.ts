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

const conn = () => ['-h', '127.0.0.1', '-p', String(broker.port), '-u', 'admin', '-P', ADMIN_PW, '--quiet']
const ds = (args: string[]) => mqctl([...conn(), 'dynsec', ...args])
const debugLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('mqctl: debug: '))

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mqctl-dsac-wire-'))
  const file = join(dir, 'dynsec.json')
  const init = await mqctl(['dynsec', 'init', file, 'admin', '--password-stdin'], {input: `${ADMIN_PW}\n`})
  expect(init.code).toBe(0)
  broker = await startBroker({dynsec: {configFile: file}})
})
afterAll(async () => broker?.stop())

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
})
