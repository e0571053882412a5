import {describe, expect, it} from 'vitest'

import {evaluateDynsec, explainLines, type DynsecQuery} from '../../../src/lib/dynsec/evaluate.js'
import type {DynsecState, StateAcl} from '../../../src/lib/dynsec/state/model.js'
import {subscriptionWithinAcl20, subscriptionWithinAcl21} from '../../../src/lib/topic.js'

const acl = (acltype: StateAcl['acltype'], topic: string, allow: boolean, priority = 0): StateAcl => ({
  acltype,
  topic,
  allow,
  priority,
})
const stored = {password: 'p', salt: 's', iterations: 101}

/** The state of spec 3.8's observation on 2.0.11 (defaults: send deny, subscribe deny). */
const observed: DynsecState = {
  defaultACLAccess: {publishClientSend: false, publishClientReceive: true, subscribe: false, unsubscribe: true},
  clients: [{username: 'u', disabled: false, roles: [{rolename: 'r'}], groups: [], stored}],
  groups: [],
  roles: [
    {
      rolename: 'r',
      acls: [
        acl('publishClientSend', 'u/deny', false, 5),
        acl('publishClientSend', 'u/#', true),
        acl('subscribePattern', 'u/#', true),
      ],
    },
  ],
}

const q = (
  access: DynsecQuery['access'],
  topic: string,
  username: string | undefined = 'u',
  clientId = 'c',
): DynsecQuery => ({
  access,
  topic,
  username,
  clientId,
})
const verdict = (s: DynsecState, query: DynsecQuery, layout: '2.0' | '2.1' = '2.0') =>
  evaluateDynsec(s, query, {layout, passwordsKnown: true}).verdict

describe('evaluateDynsec', () => {
  it("decides spec 3.8's observed cases as the 2.0.11 broker did", () => {
    expect(verdict(observed, q('subscribe', 'u/#'))).toBe('allow')
    expect(verdict(observed, q('subscribe', 'u/+'))).toBe('allow')
    expect(verdict(observed, q('subscribe', 'other/#'))).toBe('deny')
    expect(verdict(observed, q('subscribe', '#'))).toBe('deny')
    expect(verdict(observed, q('publishClientSend', 'u/x'))).toBe('allow')
    expect(verdict(observed, q('publishClientSend', 'other'))).toBe('deny')
    expect(verdict(observed, q('publishClientSend', 'u/deny'))).toBe('deny')
    expect(verdict(observed, q('publishClientSend', '$CONTROL/dynamic-security/v1'))).toBe('deny')
  })

  it('says why a client cannot log in', () => {
    const s: DynsecState = {
      ...observed,
      clients: [
        {username: 'off', disabled: true, roles: [], groups: [], stored},
        {username: 'bound', clientid: 'dev-1', disabled: false, roles: [], groups: [], stored},
        {username: 'nopw', disabled: false, roles: [], groups: []},
      ],
    }
    const reason = (query: DynsecQuery) => evaluateDynsec(s, query, {passwordsKnown: true})
    expect(reason(q('publishClientReceive', 'a', 'ghost')).reason).toMatch(/cannot log in: no client "ghost"/)
    expect(reason(q('publishClientReceive', 'a', 'off')).reason).toMatch(/clients\[0\] "off" is disabled/)
    expect(reason(q('publishClientReceive', 'a', 'bound', 'other')).reason).toMatch(/bound to client id "dev-1"/)
    expect(reason(q('publishClientReceive', 'a', 'bound', 'dev-1')).verdict).toBe('allow')
    expect(reason(q('publishClientReceive', 'a', 'nopw')).reason).toMatch(/has no password/)
    // A broker does not say whether a password is set: no claim then.
    expect(evaluateDynsec(s, q('publishClientReceive', 'a', 'nopw')).verdict).toBe('allow')
  })

  it('walks client roles by priority then name, then groups by priority, and explains with paths', () => {
    const s: DynsecState = {
      defaultACLAccess: {publishClientSend: false, publishClientReceive: false, subscribe: false, unsubscribe: false},
      clients: [
        {
          username: 'u',
          disabled: false,
          roles: [
            {rolename: 'b-allow', priority: 1},
            {rolename: 'a-deny', priority: 1},
          ],
          groups: [{groupname: 'g', priority: 9}],
          stored,
        },
      ],
      groups: [{groupname: 'g', roles: [{rolename: 'g-allow'}]}],
      roles: [
        {rolename: 'a-deny', acls: [acl('publishClientSend', 't', false)]},
        {rolename: 'b-allow', acls: [acl('publishClientSend', 't', true), acl('publishClientSend', 'other', true)]},
        {rolename: 'g-allow', acls: [acl('publishClientSend', '#', true)]},
      ],
    }
    const v = evaluateDynsec(s, q('publishClientSend', 't'), {passwordsKnown: true})
    expect(v.verdict).toBe('deny')
    expect(v.decidedBy?.path).toBe('roles[0].acls[0]')
    expect(evaluateDynsec(s, q('publishClientSend', 'x'), {passwordsKnown: true}).decidedBy?.path).toBe(
      'roles[2].acls[0]',
    )
    const lines = explainLines(evaluateDynsec(s, q('publishClientSend', 'x'), {passwordsKnown: true}))
    expect(lines[0]).toBe('roles[0] role "a-deny" (clients[0].roles[1], priority 1) via client "u"')
    expect(lines.at(-1)).toMatch(/roles\[2\]\.acls\[0\] publishClientSend # priority 0 allow: MATCH/)
    expect(evaluateDynsec(s, {access: 'publishClientSend', topic: 'x', clientId: 'c'}).reason).toBe(
      'no roles to walk: default deny for publishClientSend',
    )
  })

  it("applies the broker's $ rules before the plugin", () => {
    const open: DynsecState = {
      ...observed,
      defaultACLAccess: {publishClientSend: true, publishClientReceive: true, subscribe: true, unsubscribe: true},
      roles: [{rolename: 'r', acls: []}],
    }
    expect(verdict(open, q('publishClientSend', '$SYS/x'))).toBe('deny')
    expect(verdict(open, q('publishClientSend', '$SYS/broker/connection/b/state'))).toBe('allow')
    expect(verdict(open, q('publishClientSend', '$share/g/a'))).toBe('deny')
    expect(verdict(open, q('subscribe', '$share/g/a'))).toBe('allow')
    expect(verdict(open, q('subscribe', '$CONTROL/#'))).toBe('deny')
    expect(verdict(open, q('subscribe', '$SYS/#'))).toBe('allow')
  })

  it('2.1: substitutes whole-level %u/%c and honours allowwildcardsubs; 2.0 takes them literally', () => {
    const s: DynsecState = {
      ...observed,
      roles: [
        {
          rolename: 'r',
          allowwildcardsubs: false,
          acls: [acl('publishClientSend', 'users/%u/%c', true), acl('subscribePattern', 'users/%u/#', true)],
        },
      ],
    }
    expect(verdict(s, q('publishClientSend', 'users/u/c'), '2.1')).toBe('allow')
    expect(verdict(s, q('publishClientSend', 'users/u/c'), '2.0')).toBe('deny')
    expect(verdict(s, q('publishClientSend', 'users/%u/%c'), '2.0')).toBe('allow')
    expect(verdict(s, q('subscribe', 'users/u/x'), '2.1')).toBe('allow')
    expect(verdict(s, q('subscribe', 'users/u/#'), '2.1')).toBe('deny')
    expect(verdict(s, q('subscribe', 'users/u/#'), '2.0')).toBe('deny')
    // 2.1 tests `$` on the ACL as written: a `%u` ACL never covers a `$` filter, whatever the name.
    const dollar: DynsecState = {
      ...s,
      clients: [{...s.clients[0], username: '$u'}],
      roles: [{rolename: 'r', acls: [acl('subscribePattern', '%u/#', true)]}],
    }
    expect(verdict(dollar, q('subscribe', '$u/x', '$u'), '2.1')).toBe('deny')
  })
})

describe('subscription containment', () => {
  it("2.0: spec 3.8's examples (ACL a/# allows a/+, a/b/#, a/b; a/+ does not allow a/#; # allows $SYS/#)", () => {
    for (const f of ['a/+', 'a/b/#', 'a/b', 'a', 'a/#']) expect(subscriptionWithinAcl20('a/#', f), f).toBe(true)
    expect(subscriptionWithinAcl20('a/+', 'a/#')).toBe(false)
    expect(subscriptionWithinAcl20('#', '$SYS/#')).toBe(true)
    expect(subscriptionWithinAcl20('+/#', '$SYS/#')).toBe(true)
    expect(subscriptionWithinAcl20('a/b', 'a/+')).toBe(false)
    expect(subscriptionWithinAcl20('a/+/c', 'a/b')).toBe(false)
  })

  it('2.1: $ filters only under $ ACLs, + never covers #', () => {
    expect(subscriptionWithinAcl21('#', '$SYS/#')).toBe(false)
    expect(subscriptionWithinAcl21('$SYS/#', '$SYS/x')).toBe(true)
    expect(subscriptionWithinAcl21('a/+', 'a/#')).toBe(false)
    expect(subscriptionWithinAcl21('a/#', 'a')).toBe(true)
    expect(subscriptionWithinAcl21('+/#', 'a')).toBe(true)
    expect(subscriptionWithinAcl21('a/+', 'a')).toBe(false)
  })
})
