import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startBroker, type Broker} from '../helpers/broker.js'
import {mqctl} from '../helpers/cli.js'

const ADMIN_PW = 'admin-secret'
let broker: Broker
let dir: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mqctl-apply-refused-'))
  const file = join(dir, 'dynsec.json')
  expect((await mqctl(['dynsec', 'init', file, 'admin', '--password-stdin'], {input: `${ADMIN_PW}\n`})).code).toBe(0)
  broker = await startBroker({dynsec: {configFile: file}, config: ['message_size_limit 4000']})
})
afterAll(async () => broker?.stop())

const conn = () => ['-h', '127.0.0.1', '-p', String(broker.port), '-u', 'admin', '-P', ADMIN_PW]

// The request goes out in pipelined chunks; a broker's message_size_limit (not announced in
// CONNACK) refuses the large chunks and takes the small last one, which is on the wire before
// the refusal comes back. The report must say, command by command, what the broker applied.
describe('dynsec apply, a chunk the broker refuses while later ones are taken', () => {
  it('reports the refused and the applied commands as the broker has them', async () => {
    const names = Array.from({length: 103}, (_, i) => `refused-role-${String(i).padStart(4, '0')}`)
    writeFileSync(join(dir, 'p.yaml'), `version: 1\nroles:\n${names.map((n) => `  - rolename: ${n}\n`).join('')}`)
    const r = await mqctl([...conn(), 'dynsec', 'apply', join(dir, 'p.yaml'), '--json'])
    const report = JSON.parse(r.stdout) as {commands?: Array<{command: {rolename: string}; ok: boolean}>}
    expect(report.commands?.length, r.stdout.slice(0, 400)).toBe(names.length)
    const reportedApplied = report.commands!.filter((c) => c.ok).map((c) => c.command.rolename)
    const l = await mqctl([...conn(), 'dynsec', 'listRoles'])
    expect(l.code).toBe(0)
    const onBroker = l.stdout.split('\n').filter((x) => x.startsWith('refused-role-'))
    // The broker's verdict: the last, small chunk was applied, the large one before it not.
    expect(onBroker.length).toBeGreaterThan(0)
    expect(onBroker.length).toBeLessThan(names.length)
    expect(reportedApplied).toEqual(onBroker)
    expect(r.code).toBe(1)
  }, 60_000)
})

describe('a request the broker refuses as too large', () => {
  it('names message_size_limit, not the access rights (exit 3 as before)', async () => {
    const r = await mqctl([...conn(), '--quiet', 'dynsec', 'createRole', 'r'.repeat(5000)])
    expect(r.code).toBe(3)
    expect(r.stderr).toContain('Packet too large')
    expect(r.stderr).toContain('message_size_limit')
    expect(r.stderr).not.toContain('may not use')
  }, 60_000)
})
