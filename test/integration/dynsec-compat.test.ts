import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {startBroker, type Broker} from '../helpers/broker.js'
import {mqctl, run} from '../helpers/cli.js'
import {findMosquittoTools} from '../helpers/mosquitto-install.js'

const tools = findMosquittoTools()
const brokers: Broker[] = []
afterAll(async () => Promise.all(brokers.map((b) => b.stop())))

/**
 * One scenario of mosquitto_ctrl command lines, run through mosquitto_ctrl against one fresh
 * broker and through mqctl (same words) against another: the saved dynamic-security.json files
 * must be equal once salts and hashes are set aside. setDefaultACLAccess is left out: 2.0.11's
 * mosquitto_ctrl sends a request the plugin ignores (spec 2.5), which mqctl fixes.
 */
const SCENARIO = [
  'createRole sensors',
  'createRole dashboards',
  'createRole ops',
  'createGroup devices',
  'createGroup humans',
  'createGroup guests',
  'createClient s1 -p pw1',
  'createClient s2 -c s2-id -p pw2',
  'createClient s3 -p pw3',
  'createClient dash -p dashpw',
  'createClient eve -p evepw',
  'addRoleACL sensors publishClientSend sensors/# allow 5',
  'addRoleACL sensors subscribePattern sensors/cmd/# allow',
  'addRoleACL sensors publishClientReceive sensors/cmd/# allow 3',
  'addRoleACL sensors publishClientSend sensors/secret deny 10',
  'addRoleACL dashboards subscribeLiteral sensors/+/temp allow',
  'addRoleACL dashboards subscribePattern dash/# allow 1',
  'addRoleACL dashboards unsubscribeLiteral sensors/+/temp allow',
  'addRoleACL dashboards unsubscribePattern dash/# deny',
  'addRoleACL ops publishClientSend ops/# allow',
  'addRoleACL ops publishClientReceive $SYS/# allow',
  // A written -1 is "no priority" to both mosquitto_ctrl versions: the plugin stores 0 for the ACL.
  'addRoleACL ops subscribeLiteral ops/minus-one allow -1',
  'addGroupRole guests ops -1',
  'addGroupRole devices sensors 2',
  'addGroupRole humans dashboards',
  'addGroupRole humans ops 9',
  'addGroupClient devices s1',
  'addGroupClient devices s2 4',
  'addGroupClient devices s3',
  'addGroupClient humans dash 1',
  'addGroupClient humans eve',
  'addClientRole eve ops 20',
  'addClientRole s3 dashboards',
  'setClientId s1 s1-id',
  'setClientId s2',
  'setClientPassword s3 newpw3',
  'disableClient eve',
  'enableClient eve',
  'disableClient s3',
  'setAnonymousGroup guests',
  'removeRoleACL sensors publishClientSend sensors/secret',
  'removeGroupClient devices s3',
  'removeGroupRole humans ops',
  'removeClientRole s3 dashboards',
  'deleteClient s3',
  'createClient tmp -p tmppw',
  'deleteClient tmp',
  'createRole obsolete',
  'deleteRole obsolete',
  'createGroup oldgroup',
  'deleteGroup oldgroup',
]

function normalise(file: string): unknown {
  const json = JSON.parse(readFileSync(file, 'utf8'))
  for (const c of json.clients ?? []) {
    for (const k of ['password', 'salt', 'iterations', 'encoded_password']) {
      if (k in c) c[k] = `<${k}>`
    }
  }

  return json
}

async function brokerWithAdmin(name: string): Promise<{broker: Broker; file: string}> {
  const dir = mkdtempSync(join(tmpdir(), `mqctl-compat-${name}-`))
  const file = join(dir, 'dynsec.json')
  expect((await run(tools.ctrl, ['dynsec', 'init', file, 'admin', 'adminpw'])).code).toBe(0)
  const broker = await startBroker({dynsec: {configFile: file}})
  brokers.push(broker)
  return {broker, file}
}

describe('mqctl reaches the same dynsec state as mosquitto_ctrl', () => {
  it(`over a ${SCENARIO.length}-step scenario`, async () => {
    expect(SCENARIO.length).toBeGreaterThanOrEqual(40)
    const a = await brokerWithAdmin('ctrl')
    const b = await brokerWithAdmin('mqctl')
    for (const step of SCENARIO) {
      const words = step.split(' ')
      const viaCtrl = await run(tools.ctrl, [
        '-h',
        '127.0.0.1',
        '-p',
        String(a.broker.port),
        '-u',
        'admin',
        '-P',
        'adminpw',
        'dynsec',
        ...words,
      ])
      const viaMqctl = await mqctl([
        '-h',
        '127.0.0.1',
        '-p',
        String(b.broker.port),
        '-u',
        'admin',
        '-P',
        'adminpw',
        '--quiet',
        'dynsec',
        ...words,
      ])
      expect(viaCtrl.stderr, `mosquitto_ctrl ${step}`).not.toMatch(/Error/)
      expect(viaMqctl.code, `mqctl ${step}: ${viaMqctl.stderr}`).toBe(0)
    }

    // The plugin saves after every change; both files now describe the same state.
    expect(normalise(b.file)).toEqual(normalise(a.file))
    const show = (port: number) => ['-h', '127.0.0.1', '-p', String(port), '-u', 'admin', '-P', 'adminpw']
    for (const read of ['getClient s2', 'getGroup devices', 'getRole sensors', 'listClients', 'getAnonymousGroup']) {
      const viaCtrl = await run(tools.ctrl, [...show(a.broker.port), 'dynsec', ...read.split(' ')])
      const viaMqctl = await mqctl([...show(b.broker.port), '--quiet', 'dynsec', ...read.split(' ')])
      expect(viaMqctl.stdout, read).toBe(viaCtrl.stdout)
    }
  }, 240_000)
})
