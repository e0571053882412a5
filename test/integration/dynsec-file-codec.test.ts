import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {decodeDynsecFile, encodeDynsecFile} from '../../src/lib/dynsec/state/file-codec.js'
import {startBroker, type Broker} from '../helpers/broker.js'
import {run} from '../helpers/cli.js'
import {findMosquittoTools} from '../helpers/mosquitto-install.js'
import {mqctl} from '../helpers/cli.js'

const tools = findMosquittoTools()
const brokers: Broker[] = []
afterAll(async () => {
  for (const b of brokers) await b.stop()
})

describe('the dynamic-security.json codec against the real plugin', () => {
  it('the plugin loads what encodeDynsecFile writes and saves back the same state', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mqctl-codec-'))
    const init = join(dir, 'init.json')
    expect((await mqctl(['dynsec', 'init', init, 'admin', '--password-stdin'], {input: 'pw-admin\n'})).code).toBe(0)
    const base = decodeDynsecFile(readFileSync(init, 'utf8'), init).state
    const state = {
      ...base,
      defaultACLAccess: {publishClientSend: true, publishClientReceive: false, subscribe: true, unsubscribe: false},
      anonymousGroup: 'anon',
      clients: [
        ...base.clients,
        {
          username: 'dev1',
          clientid: 'c1',
          textname: 'Device',
          disabled: true,
          roles: [{rolename: 'r', priority: 4}],
          groups: [{groupname: 'anon', priority: 2}, {groupname: 'g'}],
        },
      ],
      groups: [
        {groupname: 'anon', roles: [{rolename: 'r'}]},
        {groupname: 'g', textdescription: 'gd', roles: []},
      ],
      roles: [
        ...base.roles,
        {
          rolename: 'r',
          acls: [
            {acltype: 'publishClientSend' as const, topic: 'a/+', priority: 2, allow: true},
            {acltype: 'unsubscribePattern' as const, topic: '#', priority: -3, allow: false},
          ],
        },
      ],
    }
    const file = join(dir, 'dynsec.json')
    writeFileSync(file, encodeDynsecFile(state, '2.0'))
    const broker = await startBroker({dynsec: {configFile: file}})
    brokers.push(broker)
    // A mutating command makes the plugin save its whole state.
    const r = await run(tools.ctrl, [
      '-h',
      '127.0.0.1',
      '-p',
      String(broker.port),
      '-u',
      'admin',
      '-P',
      'pw-admin',
      'dynsec',
      'createRole',
      'extra',
    ])
    expect(r.code).toBe(0)
    const saved = decodeDynsecFile(readFileSync(file, 'utf8'), file)
    expect(saved.warnings).toEqual([])
    expect(saved.state).toEqual({
      ...state,
      roles: [...state.roles, {rolename: 'extra', acls: []}].sort((a, b) =>
        Buffer.compare(Buffer.from(a.rolename), Buffer.from(b.rolename)),
      ),
    })
  })
})
