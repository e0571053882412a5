import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {resolveConnection, type ResolvedConnection} from '../../src/lib/connection/resolve.js'
import {openDynsecSession} from '../../src/lib/dynsec/client.js'
import {readBrokerState} from '../../src/lib/dynsec/state/read-broker.js'
import {readDynsecStateFile} from '../../src/lib/dynsec/state/read-file.js'
import {startBroker, type Broker} from '../helpers/broker.js'
import {isolatedHome, mqctl, run} from '../helpers/cli.js'
import {findMosquittoTools} from '../helpers/mosquitto-install.js'

const tools = findMosquittoTools()
let dir: string
let file: string
let broker: Broker
let connection: ResolvedConnection

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mqctl-dsstate-'))
  file = join(dir, 'dynsec.json')
  expect((await mqctl(['dynsec', 'init', file, 'admin', '--password-stdin'], {input: 'adminpw\n'})).code).toBe(0)
  broker = await startBroker({dynsec: {configFile: file}})
  const flags = new Map<string, string | true>([
    ['host', '127.0.0.1'],
    ['port', String(broker.port)],
    ['username', 'admin'],
    ['pw', 'adminpw'],
  ])
  connection = await resolveConnection({flags, env: {HOME: isolatedHome()}})
})
afterAll(async () => broker?.stop())

const ctrl = (args: string[]) =>
  run(tools.ctrl, ['-h', '127.0.0.1', '-p', String(broker.port), '-u', 'admin', '-P', 'adminpw', 'dynsec', ...args])

describe('state readers', () => {
  it('read the same state from the broker (paged or not) as from the file the broker saved', async () => {
    const steps = [
      ['createRole', 'r1'],
      ['createRole', 'r2'],
      ['addRoleACL', 'r1', 'publishClientSend', 'a/#', 'allow', '5'],
      ['addRoleACL', 'r1', 'subscribeLiteral', 'x/+', 'deny'],
      ['createGroup', 'g1'],
      ['createGroup', 'g2'],
      ['addGroupRole', 'g1', 'r2', '4'],
      ['createClient', 'alice', '-c', 'alice-id', '-p', 'pw'],
      ['createClient', 'bob', '-p', 'pw'],
      ['addClientRole', 'alice', 'r1', '7'],
      ['addGroupClient', 'g1', 'alice', '3'],
      ['addGroupClient', 'g2', 'bob'],
      ['disableClient', 'bob'],
      ['setAnonymousGroup', 'g2'],
      ['setDefaultACLAccess', 'subscribe', 'allow'],
    ]
    for (const s of steps) expect((await ctrl(s)).stderr, s.join(' ')).not.toMatch(/Error/)
    const session = await openDynsecSession(connection)
    try {
      const whole = await readBrokerState(session)
      const paged = await readBrokerState(session, {pageSize: 1})
      expect(paged).toEqual(whole)
      const fromFile = readDynsecStateFile(file).state
      // The file knows the password hashes the broker never reveals.
      expect({...fromFile, clients: fromFile.clients.map(({stored: _, ...c}) => c)}).toEqual(whole)
      expect(whole.anonymousGroup).toBe('g2')
      expect(whole.clients.find((c) => c.username === 'alice')).toEqual({
        username: 'alice',
        clientid: 'alice-id',
        disabled: false,
        roles: [{rolename: 'r1', priority: 7}],
        groups: [{groupname: 'g1', priority: 3}],
      })
      // 2.0.11's mosquitto_ctrl cannot change the default access (spec 2.5): the file says so too.
      expect(JSON.parse(readFileSync(file, 'utf8')).defaultACLAccess.subscribe).toBe(whole.defaultACLAccess.subscribe)
    } finally {
      await session.close()
    }
  })
})
