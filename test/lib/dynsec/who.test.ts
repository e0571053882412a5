import {describe, expect, it} from 'vitest'

import type {DynsecState} from '../../../src/lib/dynsec/state/model.js'
import {whoIsAllowed} from '../../../src/lib/dynsec/who.js'

const stored = {password: 'p', salt: 's', iterations: 101}
const state: DynsecState = {
  defaultACLAccess: {publishClientSend: false, publishClientReceive: false, subscribe: false, unsubscribe: false},
  anonymousGroup: 'anon',
  clients: [
    {username: 'a', disabled: false, roles: [{rolename: 'read'}], groups: [], stored},
    {username: 'b', clientid: 'b-dev', disabled: false, roles: [], groups: [{groupname: 'anon'}], stored},
    {username: 'c', disabled: true, roles: [{rolename: 'read'}], groups: [], stored},
    {username: 'd', disabled: false, roles: [{rolename: 'read'}], groups: []},
  ],
  groups: [{groupname: 'anon', roles: [{rolename: 'read'}]}],
  roles: [{rolename: 'read', acls: [{acltype: 'publishClientReceive', topic: 't/#', priority: 0, allow: true}]}],
}

describe('whoIsAllowed', () => {
  it('lists the allowed clients and anonymous with the deciding ACL; disabled and password-less ones are not', () => {
    const who = whoIsAllowed(state, 't/1', 'publishClientReceive', {clientId: 'x', passwordsKnown: true})
    expect(who.map((w) => [w.username ?? '(anonymous)', w.clientId, w.decidedBy?.path])).toEqual([
      ['a', 'x', 'roles[0].acls[0]'],
      ['b', 'b-dev', 'roles[0].acls[0]'],
      ['(anonymous)', 'x', 'roles[0].acls[0]'],
    ])
  })

  it('--all keeps the denied ones with their reason', () => {
    const who = whoIsAllowed(state, 'other', 'publishClientReceive', {clientId: 'x', passwordsKnown: true, all: true})
    expect(who.every((w) => w.verdict === 'deny')).toBe(true)
    expect(who.find((w) => w.username === 'c')?.reason).toMatch(/disabled/)
    expect(who.find((w) => w.username === 'd')?.reason).toMatch(/no password/)
    expect(who.find((w) => w.username === 'a')?.reason).toBe('no ACL matched: default deny for publishClientReceive')
  })
})
