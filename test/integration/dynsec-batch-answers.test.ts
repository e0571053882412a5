import {copyFileSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startBroker, type Broker} from '../helpers/broker.js'
import {mqctl} from '../helpers/cli.js'

const ADMIN_PW = 'admin-secret'
let dir: string
let pristine: string
let broker: Broker

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mqctl-batch-answers-'))
  const file = join(dir, 'broker.json')
  const init = await mqctl(['dynsec', 'init', file, 'admin', '--password-stdin'], {input: `${ADMIN_PW}\n`})
  expect(init.code).toBe(0)
  pristine = join(dir, 'pristine.json')
  copyFileSync(file, pristine)
  broker = await startBroker({dynsec: {configFile: file}})
})
afterAll(async () => broker?.stop())

/** The batch on the broker, and with -f on a copy of the file the broker started from (each test uses new names). */
async function both(name: string, lines: string[]) {
  const file = join(dir, `${name}.txt`)
  writeFileSync(file, lines.join('\n') + '\n')
  const online = await mqctl([
    '-p',
    String(broker.port),
    '-u',
    'admin',
    '-P',
    ADMIN_PW,
    '--quiet',
    'dynsec',
    'batch',
    file,
  ])
  const copy = join(dir, `${name}.json`)
  copyFileSync(pristine, copy)
  const offline = await mqctl(['-f', copy, 'dynsec', 'batch', file])
  return {online, offline}
}

describe('dynsec batch: each answer is the state at its line', () => {
  it('a getGroup before a deleteClient of its member names the member (2.0.11 answered freed memory)', async () => {
    const {online, offline} = await both('ref', [
      'createClient ua',
      'createGroup ga',
      'addGroupClient ga ua',
      'getGroup ga',
      'listGroups',
      'deleteClient ua',
      'getGroup ga',
    ])
    expect(online.code).toBe(0)
    expect(online.stdout).toBe(
      '# ref.txt:4 getGroup\nGroupname: ga\nClients:   ua\n# ref.txt:5 listGroups\nga\n# ref.txt:7 getGroup\nGroupname: ga\n'.replaceAll(
        'ref.txt',
        join(dir, 'ref.txt'),
      ),
    )
    expect(offline.stdout).toBe(online.stdout)
  })

  it('with -f, a get is not changed by the lines after it (the model answered with its live lists)', async () => {
    const {online, offline} = await both('live', [
      'createRole rx',
      'addRoleACL rx publishClientSend a allow',
      'getRole rx',
      'addRoleACL rx publishClientSend b allow',
      'createClient cx',
      'getClient cx',
      'addClientRole cx rx',
    ])
    expect([online.code, offline.code]).toEqual([0, 0])
    expect(offline.stdout).toContain('ACLs:     publishClientSend    : allow : a (priority: 0)\n# ')
    expect(offline.stdout).toBe(online.stdout)
  })

  it('a deleteGroup of the anonymous group is refused, not sent: it crashes mosquitto 2.0.0-2.0.14', async () => {
    const {online, offline} = await both('anon', [
      'createGroup gz',
      'createGroup gy',
      'setAnonymousGroup gz',
      'deleteGroup gy',
      'deleteGroup gz',
      'getAnonymousGroup',
    ])
    const refusal = `${join(dir, 'anon.txt')}:5: deleteGroup: Error: Deleting the anonymous group is forbidden`
    expect([online.code, online.stderr.split('\n')[0]]).toEqual([1, refusal])
    expect(broker.isRunning()).toBe(true)
    expect(online.stdout).toBe(`# ${join(dir, 'anon.txt')}:6 getAnonymousGroup\ngz\n`)
    expect([offline.code, offline.stdout]).toEqual([1, online.stdout])
    expect(offline.stderr).toContain(refusal)
  })
})
