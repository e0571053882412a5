import {describe, expect, it} from 'vitest'

import {guardPlan} from '../../../src/lib/dynsec/apply.js'
import {apiAccessProblems} from '../../../src/lib/dynsec/guard.js'
import {planChanges} from '../../../src/lib/dynsec/plan.js'
import type {DynsecState} from '../../../src/lib/dynsec/state/model.js'

const admin: DynsecState = {
  defaultACLAccess: {publishClientSend: true, publishClientReceive: true, subscribe: true, unsubscribe: true},
  clients: [{username: 'admin', disabled: false, roles: [{rolename: 'admin'}], groups: []}],
  groups: [],
  roles: [
    {
      rolename: 'admin',
      acls: [
        {acltype: 'publishClientSend', topic: '$CONTROL/dynamic-security/#', priority: 0, allow: true},
        {acltype: 'publishClientReceive', topic: '$CONTROL/dynamic-security/#', priority: 0, allow: true},
        {acltype: 'subscribePattern', topic: '$CONTROL/dynamic-security/#', priority: 0, allow: true},
      ],
    },
    {rolename: 'deny', acls: [{acltype: 'publishClientSend', topic: '$CONTROL/#', priority: 0, allow: false}]},
  ],
}

describe('lock-out guard', () => {
  it('keeps an admin whose role grants the API', () => {
    expect(apiAccessProblems(admin, 'admin')).toEqual([])
  })

  it('default access never grants $CONTROL, so taking the role away locks the admin out', () => {
    const without = structuredClone(admin)
    without.clients[0].roles = []
    expect(apiAccessProblems(without, 'admin')).toEqual([
      '"admin" could not publish to $CONTROL/dynamic-security/v1',
      '"admin" could not subscribe to $CONTROL/dynamic-security/v1/response',
      '"admin" could not receive $CONTROL/dynamic-security/v1/response',
    ])
    expect(() => guardPlan(admin, planChanges(admin, without), 'admin')).toThrow(/locks this admin out/)
  })

  it('a higher-priority deny role decides first; a disabled or deleted admin is locked out', () => {
    const denied = structuredClone(admin)
    denied.clients[0].roles = [{rolename: 'admin'}, {rolename: 'deny', priority: 5}]
    expect(apiAccessProblems(denied, 'admin')).toEqual(['"admin" could not publish to $CONTROL/dynamic-security/v1'])
    const lower = structuredClone(admin)
    lower.clients[0].roles = [
      {rolename: 'admin', priority: 6},
      {rolename: 'deny', priority: 5},
    ]
    expect(apiAccessProblems(lower, 'admin')).toEqual([])
    const disabled = structuredClone(admin)
    disabled.clients[0].disabled = true
    expect(apiAccessProblems(disabled, 'admin')).toEqual(['"admin" would be disabled'])
    expect(() => guardPlan(admin, planChanges(admin, {...admin, clients: []}, {prune: true}), 'admin')).toThrow(
      /would no longer exist/,
    )
  })

  it('still replays plans that reach the admin only through a group or a role, and passes bulk creates', () => {
    // The guard replays a plan only when a step names the admin, one of its groups or roles
    // (directly or through a group), or the default access: the cases that can lock it out.
    const viaGroup = structuredClone(admin)
    viaGroup.clients[0].roles = []
    viaGroup.clients[0].groups = [{groupname: 'ops'}]
    viaGroup.groups = [{groupname: 'ops', roles: [{rolename: 'admin'}]}]
    expect(apiAccessProblems(viaGroup, 'admin')).toEqual([])
    const noAcl = structuredClone(viaGroup)
    noAcl.roles[0].acls = noAcl.roles[0].acls.filter((a) => a.acltype !== 'subscribePattern')
    expect(() => guardPlan(viaGroup, planChanges(viaGroup, noAcl), 'admin')).toThrow(/could not subscribe/)
    const noRole = structuredClone(viaGroup)
    noRole.groups[0].roles = []
    expect(() => guardPlan(viaGroup, planChanges(viaGroup, noRole), 'admin')).toThrow(/locks this admin out/)
    const denyAll = structuredClone(viaGroup)
    denyAll.groups[0].roles = [{rolename: 'admin'}, {rolename: 'deny', priority: 9}]
    expect(() => guardPlan(viaGroup, planChanges(viaGroup, denyAll), 'admin')).toThrow(/could not publish/)
    const devices = structuredClone(viaGroup)
    for (let i = 0; i < 300; i++)
      devices.clients.push({username: `d${i}`, disabled: false, roles: [{rolename: 'deny'}], groups: []})
    expect(() => guardPlan(viaGroup, planChanges(viaGroup, devices), 'admin')).not.toThrow()
  })
})
