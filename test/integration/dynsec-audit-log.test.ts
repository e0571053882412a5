import {execFileSync, spawn} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startBroker, type Broker} from '../helpers/broker.js'
import {mqctl} from '../helpers/cli.js'

const ADMIN_PW = 'admin-secret'
let dir: string
let broker: Broker

const ds = (args: string[]) =>
  mqctl(['-h', '127.0.0.1', '-p', String(broker.port), '-u', 'admin', '-P', ADMIN_PW, '--quiet', 'dynsec', ...args])

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mqctl-audit-it-'))
  const file = join(dir, 'ds.json')
  const init = await mqctl(['dynsec', 'init', file, 'admin', '--password-stdin'], {input: `${ADMIN_PW}\n`})
  expect(init.code).toBe(0)
  broker = await startBroker({dynsec: {configFile: file}})
  writeFileSync(join(dir, 'policy.yaml'), 'version: 1\nroles:\n  - rolename: audited\n')
})
afterAll(async () => broker?.stop())

describe('dynsec apply --audit-log against a real broker', () => {
  it('an audit log that cannot be opened stops the apply before anything reaches the broker (exit 5)', async () => {
    const r = await ds(['apply', join(dir, 'policy.yaml'), '--audit-log', join(dir, 'missing', 'audit.jsonl')])
    expect(r.code).toBe(5)
    expect(r.stderr).toContain(`cannot open the audit log ${join(dir, 'missing', 'audit.jsonl')}`)
    expect(r.stderr).toContain('nothing was sent')
    expect((await ds(['listRoles'])).stdout.split('\n')).not.toContain('audited')
  })

  it('a FIFO with a reader gets the lines; the apply goes ahead', async () => {
    const fifo = join(dir, 'audit.fifo')
    execFileSync('mkfifo', [fifo])
    const reader = spawn('cat', [fifo])
    let got = ''
    reader.stdout.on('data', (d) => (got += d))
    const closed = new Promise((resolve) => reader.once('close', resolve))
    const r = await ds(['apply', join(dir, 'policy.yaml'), '--audit-log', fifo])
    await closed
    expect(r.code).toBe(0)
    expect(JSON.parse(got)).toMatchObject({command: 'createRole', admin: 'admin', object: {rolename: 'audited'}})
    expect((await ds(['listRoles'])).stdout.split('\n')).toContain('audited')
  })
})
