import {describe, expect, it} from 'vitest'

import {MqctlError} from '../../../../src/lib/errors.js'
import {decodeDynsecFile, encodeDynsecFile} from '../../../../src/lib/dynsec/state/file-codec.js'
import type {DynsecState} from '../../../../src/lib/dynsec/state/model.js'

const SALT = Buffer.alloc(12, 1).toString('base64')
const HASH = Buffer.alloc(64, 2).toString('base64')

const rich: DynsecState = {
  defaultACLAccess: {publishClientSend: false, publishClientReceive: true, subscribe: false, unsubscribe: true},
  anonymousGroup: 'anon',
  clients: [
    {
      username: 'alice',
      clientid: 'a1',
      textname: 'Alice',
      disabled: true,
      roles: [{rolename: 'r1', priority: 3}, {rolename: 'r2'}],
      groups: [{groupname: 'anon'}, {groupname: 'g', priority: 5}],
      stored: {password: HASH, salt: SALT, iterations: 101},
    },
    {username: 'bob', disabled: false, roles: [], groups: [{groupname: 'g'}]},
  ],
  groups: [
    {groupname: 'anon', roles: []},
    {groupname: 'g', textdescription: 'd', roles: [{rolename: 'r2', priority: -7}]},
  ],
  roles: [
    {
      rolename: 'r1',
      acls: [
        {acltype: 'publishClientSend', topic: 'a/#', priority: 5, allow: true},
        {acltype: 'publishClientSend', topic: 'a/b', priority: 0, allow: false},
        {acltype: 'subscribePattern', topic: '+/x', priority: 1, allow: true},
      ],
    },
    {rolename: 'r2', textname: 'two', acls: []},
  ],
}

describe('decodeDynsecFile / encodeDynsecFile', () => {
  it('round-trips a rich state in both layouts', () => {
    for (const layout of ['2.0', '2.1'] as const) {
      const decoded = decodeDynsecFile(encodeDynsecFile(rich, layout, 4), 'f.json')
      expect(decoded.state).toEqual(rich)
      expect(decoded.warnings).toEqual([])
    }
  })

  it('detects the 2.1 layout by changeIndex or encoded_password and keeps the counter', () => {
    expect(decodeDynsecFile('{"changeIndex": 7}', 'f').layout).toBe('2.1')
    expect(decodeDynsecFile('{"changeIndex": 7}', 'f').changeIndex).toBe(7)
    const enc = decodeDynsecFile('{"clients":[{"username":"u","encoded_password":"$7$1000$x$y"}]}', 'f')
    expect(enc.layout).toBe('2.1')
    expect(enc.state.clients[0].stored).toEqual({encoded_password: '$7$1000$x$y'})
    expect(decodeDynsecFile('{}', 'f').layout).toBe('2.0')
  })

  it('looks keys up in any letter case, as cJSON does', () => {
    const s = decodeDynsecFile(
      '{"CLIENTS":[{"UserName":"u","TextName":"T","Roles":[{"RoleName":"r","PRIORITY":2}]}],' +
        '"roles":[{"rolename":"r","ACLS":[{"AclType":"PUBLISHCLIENTSEND","Topic":"t","Allow":true}]}]}',
      'f',
    ).state
    expect(s.clients[0]).toMatchObject({username: 'u', textname: 'T', roles: [{rolename: 'r', priority: 2}]})
    expect(s.roles[0].acls).toEqual([{acltype: 'publishClientSend', topic: 't', priority: 0, allow: true}])
  })

  it('treats a missing defaultACLAccess, or missing keys in it, as false', () => {
    expect(decodeDynsecFile('{}', 'f').state.defaultACLAccess).toEqual({
      publishClientSend: false,
      publishClientReceive: false,
      subscribe: false,
      unsubscribe: false,
    })
    expect(decodeDynsecFile('{"defaultACLAccess":{"subscribe":true}}', 'f').state.defaultACLAccess.subscribe).toBe(true)
  })

  it('skips what the plugin skips and says so', () => {
    const d = decodeDynsecFile(
      JSON.stringify({
        clients: [
          {username: 'bad', password: HASH, salt: 'c2hvcnQ=', iterations: 101},
          {username: 'zero', password: HASH, salt: SALT, iterations: 0},
          {username: 'ok', roles: [{rolename: 'ghost'}]},
          {nousername: true},
        ],
        groups: [{groupname: 'g', clients: [{username: 'ghost'}]}],
        anonymousGroup: 'nope',
      }),
      'f',
    )
    expect(d.state.clients.map((c) => c.username)).toEqual(['ok'])
    expect(d.state.clients[0].roles).toEqual([])
    expect(d.state.anonymousGroup).toBeUndefined()
    expect(d.warnings).toHaveLength(6)
  })

  it('sorts by name in byte order, ACLs by type then priority descending', () => {
    const d = decodeDynsecFile(
      JSON.stringify({
        roles: [
          {
            rolename: 'b',
            acls: [
              {acltype: 'subscribeLiteral', topic: 's', priority: 1},
              {acltype: 'publishClientSend', topic: 'low', priority: 1},
              {acltype: 'publishClientSend', topic: 'high', priority: 9},
            ],
          },
          {rolename: 'B', acls: []},
          {rolename: 'a', acls: []},
        ],
      }),
      'f',
    )
    expect(d.state.roles.map((r) => r.rolename)).toEqual(['B', 'a', 'b'])
    expect(d.state.roles[2].acls.map((a) => a.topic)).toEqual(['high', 'low', 's'])
  })

  it('refuses what makes the plugin load nothing, with a position for bad JSON', () => {
    const err = (text: string) => {
      try {
        decodeDynsecFile(text, 'f.json')
      } catch (e) {
        return e as MqctlError
      }

      throw new Error('no error')
    }

    const bad = err('{\n  "clients": [\n}')
    expect(bad.code).toBe('PARSE_DYNSEC_JSON')
    expect(bad.exit).toBe(5)
    expect(bad.location?.line).toBe(3)
    expect(err('[1]').code).toBe('PARSE_DYNSEC_FILE')
    expect(err('{"roles": {}}').message).toContain('"roles" is not an array')
    expect(decodeDynsecFile('', 'f').state.clients).toEqual([])
  })

  it('converts a 12-byte-salt $7$ hash for the 2.0 layout and refuses others', () => {
    const state: DynsecState = {
      ...rich,
      clients: [
        {username: 'u', disabled: false, roles: [], groups: [], stored: {encoded_password: `$7$101$${SALT}$${HASH}`}},
      ],
    }
    const back = decodeDynsecFile(encodeDynsecFile(state, '2.0'), 'f').state.clients[0].stored
    expect(back).toEqual({password: HASH, salt: SALT, iterations: 101})
    const argon = {...state, clients: [{...state.clients[0], stored: {encoded_password: '$argon2id$v=19$x'}}]}
    expect(() => encodeDynsecFile(argon, '2.0')).toThrow(/2.0 plugin cannot read/)
  })
})

describe('jsonErrorOffset', () => {
  it('points at the first byte JSON.parse refuses, for generated damage to valid JSON', async () => {
    const {jsonErrorOffset} = await import('../../../../src/lib/dynsec/state/file-codec.js')
    const valid = encodeDynsecFile(rich, '2.1')
    expect(jsonErrorOffset(valid)).toBe(-1)
    let seed = 7
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n)
    for (let k = 0; k < 300; k++) {
      const at = rnd(valid.length)
      const broken = valid.slice(0, at) + '}{,:"x'[rnd(6)] + valid.slice(at + 1)
      let ok = true
      try {
        JSON.parse(broken)
      } catch {
        ok = false
      }

      const offset = jsonErrorOffset(broken)
      expect(offset === -1).toBe(ok)
      if (!ok) expect(offset).toBeGreaterThanOrEqual(0)
    }
  })
})
