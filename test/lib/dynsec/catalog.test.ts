import {describe, expect, it} from 'vitest'

import {buildDynsecRequest, DYNSEC_COMMANDS, findDynsecCommand} from '../../../src/lib/dynsec/catalog.js'
import {MqctlError} from '../../../src/lib/errors.js'

// Expected JSON from mosquitto-spec.md 2.5 (requests captured from mosquitto_ctrl 2.0.11).
describe('buildDynsecRequest', () => {
  it('builds the requests mosquitto_ctrl sends', () => {
    expect(buildDynsecRequest('getClient', ['alice'])).toEqual({command: 'getClient', username: 'alice'})
    expect(buildDynsecRequest('addGroupClient', ['g1', 'alice', '5'])).toEqual({
      command: 'addGroupClient',
      username: 'alice',
      groupname: 'g1',
      priority: 5,
    })
    expect(Object.keys(buildDynsecRequest('addGroupClient', ['g1', 'alice']))).toEqual([
      'command',
      'username',
      'groupname',
    ])
    expect(buildDynsecRequest('addRoleACL', ['r', 'publishClientSend', 'a/#', 'allow', '5'])).toEqual({
      command: 'addRoleACL',
      rolename: 'r',
      acltype: 'publishClientSend',
      topic: 'a/#',
      allow: true,
      priority: 5,
    })
    expect(buildDynsecRequest('removeRoleACL', ['r', 'subscribePattern', 'a/+'])).toEqual({
      command: 'removeRoleACL',
      rolename: 'r',
      acltype: 'subscribePattern',
      topic: 'a/+',
    })
    expect(buildDynsecRequest('listClients', ['10', '20'])).toEqual({command: 'listClients', count: 10, offset: 20})
    expect(buildDynsecRequest('listRoles', [])).toEqual({command: 'listRoles'})
    expect(buildDynsecRequest('setClientId', ['alice'])).toEqual({command: 'setClientId', username: 'alice'})
    expect(buildDynsecRequest('createClient', ['bob'], {clientid: 'c1', password: 'pw'})).toEqual({
      command: 'createClient',
      username: 'bob',
      clientid: 'c1',
      password: 'pw',
    })
  })

  it('sends the allow boolean that mosquitto_ctrl 2.0.11 gets wrong', () => {
    expect(buildDynsecRequest('setDefaultACLAccess', ['publishclientsend', 'deny'])).toEqual({
      command: 'setDefaultACLAccess',
      acls: [{acltype: 'publishClientSend', allow: false}],
    })
    expect(buildDynsecRequest('setDefaultACLAccess', ['subscribe', 'allow'])).toEqual({
      command: 'setDefaultACLAccess',
      acls: [{acltype: 'subscribe', allow: true}],
    })
  })

  it.each([
    ['addRoleACL', ['r', 'publish', 'a', 'allow']],
    ['addRoleACL', ['r', 'publishClientSend', 'a/#/b', 'allow']],
    ['addRoleACL', ['r', 'publishClientSend', 'a/+b', 'allow']],
    ['addRoleACL', ['r', 'publishClientSend', 'a', 'maybe']],
    ['addRoleACL', ['r', 'publishClientSend', 'a', 'allow', 'high']],
    ['addClientRole', ['u', 'r', '1.5']],
    ['setDefaultACLAccess', ['subscribeLiteral', 'allow']],
    ['listClients', ['-1']],
  ])('refuses %s %j locally with a usage error (exit 2)', (name, words) => {
    let error: unknown
    try {
      buildDynsecRequest(name, words)
    } catch (e) {
      error = e
    }

    expect(error).toBeInstanceOf(MqctlError)
    expect((error as MqctlError).exit).toBe(2)
  })

  it('finds every command in any letter case', () => {
    expect(DYNSEC_COMMANDS).toHaveLength(31)
    for (const c of DYNSEC_COMMANDS) {
      expect(findDynsecCommand(c.name.toUpperCase())?.name).toBe(c.name)
      expect(findDynsecCommand(c.name.toLowerCase())?.name).toBe(c.name)
    }

    expect(findDynsecCommand('nosuch')).toBeUndefined()
  })
})
