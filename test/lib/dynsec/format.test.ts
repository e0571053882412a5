import {describe, expect, it} from 'vitest'

import {formatResponse} from '../../../src/lib/dynsec/format.js'

// Layouts from mosquitto-spec.md 2.6 (mosquitto_ctrl 2.0.11 output).
describe('mosquitto_ctrl text layouts', () => {
  it('getClient', () => {
    const data = {
      client: {
        username: 'alice',
        clientid: 'alicecid',
        roles: [{rolename: 'role1', priority: 7}, {rolename: 'role2'}],
        groups: [{groupname: 'group1', priority: 3}, {groupname: 'group2'}],
      },
    }
    expect(formatResponse('client', 'getClient', data)).toEqual([
      'Username: alice',
      'Clientid: alicecid',
      'Roles:    role1 (priority: 7)',
      '          role2 (priority: -1)',
      'Groups:   group1 (priority: 3)',
      '          group2 (priority: -1)',
    ])
  })

  it('getClient without client id, disabled, empty roles and a missing groups key', () => {
    expect(formatResponse('client', 'getClient', {client: {username: 'u', disabled: true, roles: []}})).toEqual([
      'Username: u',
      'Clientid:',
      'Disabled: true',
      'Groups:',
    ])
  })

  it('getGroup', () => {
    const data = {
      group: {groupname: 'g', roles: [{rolename: 'r', priority: 4}], clients: [{username: 'u1'}, {username: 'u2'}]},
    }
    expect(formatResponse('group', 'getGroup', data)).toEqual([
      'Groupname: g',
      'Roles:     r (priority: 4)',
      'Clients:   u1',
      '           u2',
    ])
  })

  it('getRole', () => {
    const data = {
      role: {
        rolename: 'r',
        acls: [
          {acltype: 'publishClientSend', topic: 'a/#', priority: 5, allow: true},
          {acltype: 'publishClientReceive', topic: 'a/b', priority: 10, allow: false},
        ],
      },
    }
    expect(formatResponse('role', 'getRole', data)).toEqual([
      'Rolename: r',
      'ACLs:     publishClientSend    : allow : a/# (priority: 5)',
      '          publishClientReceive : deny  : a/b (priority: 10)',
    ])
    expect(formatResponse('role', 'getRole', {role: {rolename: 'r', acls: []}})).toEqual(['Rolename: r'])
  })

  it('getDefaultACLAccess, getAnonymousGroup, lists', () => {
    const acls = {
      acls: [
        {acltype: 'publishClientSend', allow: false},
        {acltype: 'publishClientReceive', allow: true},
        {acltype: 'subscribe', allow: false},
        {acltype: 'unsubscribe', allow: true},
      ],
    }
    expect(formatResponse('defaultAcl', 'getDefaultACLAccess', acls)).toEqual([
      'publishClientSend    : deny',
      'publishClientReceive : allow',
      'subscribe            : deny',
      'unsubscribe          : allow',
    ])
    expect(formatResponse('anonymousGroup', 'getAnonymousGroup', {group: {groupname: ''}})).toEqual([''])
    expect(formatResponse('list', 'listClients', {totalCount: 2, clients: ['admin', 'bob']})).toEqual(['admin', 'bob'])
  })

  it('refuses a malformed reply', () => {
    expect(() => formatResponse('client', 'getClient', {nope: 1})).toThrow(/Invalid response from server/)
  })

  it('escapes control bytes and newlines in names and topics, so a name cannot drive the terminal or forge a line', () => {
    const role = {
      role: {
        rolename: 'r\u001b[2Jx',
        acls: [{acltype: 'subscribeLiteral', topic: 'a\nUsername: admin', allow: true, priority: 1}],
      },
    }
    expect(formatResponse('role', 'getRole', role)).toEqual([
      'Rolename: r\\x1b[2Jx',
      'ACLs:     subscribeLiteral     : allow : a\\nUsername: admin (priority: 1)',
    ])
    const listed = {clients: ['ok', 'tab\there', 'bell\u0007']}
    expect(formatResponse('list', 'listClients', listed)).toEqual(['ok', 'tab\\there', 'bell\\x07'])
  })
})
