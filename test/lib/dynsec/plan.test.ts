import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {planChanges, summarize} from '../../../src/lib/dynsec/plan.js'
import {ACL_TYPES} from '../../../src/lib/dynsec/schemas.js'
import {executeCommand} from '../../../src/lib/dynsec/state/execute.js'
import {emptyState, type DynsecState, type StateAcl} from '../../../src/lib/dynsec/state/model.js'
import {byteOrder} from '../../../src/lib/dynsec/state/plugin-json.js'
import {sortAcls} from '../../../src/lib/dynsec/state/read-broker.js'

const ROLES = ['r1', 'r2', 'admin', 'Z', 'é', 'r 3']
const GROUPS = ['g1', 'g2', 'anon', 'G']
const USERS = ['alice', 'bob', 'carol', 'd', '']
const TOPICS = ['a/#', '+/x', 't', '$SYS/#', 'a b', '#']

const sortedUnique = (names: string[]) => [...new Set(names)].sort(byteOrder)
const text = fc.option(fc.constantFrom('', 'x', 'Text'), {nil: undefined})
// -1 is the plugin's "no priority", which the model writes as undefined.
const priority = fc.constantFrom(undefined, -3, -2, 0, 1, 5)

// In the model's order (type, priority descending, ties as generated), as the readers give them.
const aclList = (types: readonly StateAcl['acltype'][], maxPriority: number, maxLength: number) =>
  fc
    .uniqueArray(fc.tuple(fc.constantFrom(...types), fc.constantFrom(...TOPICS)), {
      selector: ([t, topic]) => `${t} ${topic}`,
      maxLength,
    })
    .chain((keys) =>
      fc
        .tuple(...keys.map(() => fc.tuple(fc.integer({min: -2, max: maxPriority}), fc.boolean())))
        .map((vals) =>
          sortAcls(
            keys.map(([acltype, topic], i): StateAcl => ({acltype, topic, priority: vals[i][0], allow: vals[i][1]})),
          ),
        ),
    )
const acls = aclList(ACL_TYPES, 3, 5)
// Few types and priorities, many ACLs: most of them tie, some in literal lists.
const tiedAcls = aclList(['publishClientSend', 'subscribePattern', 'subscribeLiteral'], -1, 8)

const links = <K extends string>(key: K, pool: string[]) =>
  fc
    .subarray(pool)
    .chain((names) =>
      fc
        .tuple(...sortedUnique(names).map(() => priority))
        .map((ps) =>
          sortedUnique(names).map((n, i) => (ps[i] === undefined ? {[key]: n} : {[key]: n, priority: ps[i]})),
        ),
    ) as fc.Arbitrary<Array<Record<K, string> & {priority?: number}>>

const state: fc.Arbitrary<DynsecState> = fc
  .tuple(fc.subarray(ROLES), fc.subarray(GROUPS), fc.subarray(USERS))
  .chain(([r, g, u]) => {
    const roles = sortedUnique(r)
    const groups = sortedUnique(g)
    const users = sortedUnique(u)
    return fc.record({
      defaultACLAccess: fc.record({
        publishClientSend: fc.boolean(),
        publishClientReceive: fc.boolean(),
        subscribe: fc.boolean(),
        unsubscribe: fc.boolean(),
      }),
      anonymousGroup: groups.length ? fc.constantFrom(...groups) : fc.constant(undefined),
      roles: fc.tuple(...roles.map((rolename) => fc.record({rolename: fc.constant(rolename), textname: text, acls}))),
      groups: fc.tuple(
        ...groups.map((groupname) =>
          fc.record({groupname: fc.constant(groupname), textdescription: text, roles: links('rolename', roles)}),
        ),
      ),
      clients: fc.tuple(
        ...users.map((username) =>
          fc.record({
            username: fc.constant(username),
            clientid: fc.option(fc.constantFrom('', 'id1', 'id2'), {nil: undefined}),
            textname: text,
            disabled: fc.boolean(),
            roles: links('rolename', roles),
            groups: links('groupname', groups),
          }),
        ),
      ),
    })
  })
  .map((s) => JSON.parse(JSON.stringify(s)) as DynsecState)

/**
 * Equal as the plugin sees it: "" texts are unset; literal ACLs of equal priority in any order
 * (the plugin finds them by topic); publish and pattern ACLs keep their order (checked in order).
 */
function canonical(s: DynsecState): DynsecState {
  const t = <T extends {textname?: string; textdescription?: string}>(o: T): T => {
    const c = {...o}
    if (!c.textname) delete c.textname
    if (!c.textdescription) delete c.textdescription
    return c
  }

  const order = (a: StateAcl, b: StateAcl) =>
    ACL_TYPES.indexOf(a.acltype) - ACL_TYPES.indexOf(b.acltype) ||
    b.priority - a.priority ||
    (a.acltype.endsWith('Literal') ? byteOrder(a.topic, b.topic) : 0)
  return {
    ...s,
    roles: s.roles.map((r) => ({...t(r), acls: [...r.acls].sort(order)})),
    groups: s.groups.map(t),
    clients: s.clients.map((c) => {
      const x = t(c)
      delete x.stored
      if (!x.clientid) delete x.clientid
      return x
    }),
  }
}

function applyPlan(current: DynsecState, desired: DynsecState, prune: boolean): DynsecState {
  const model = structuredClone(current)
  const ctx = {passwords: new Map<string, string | null>()}
  for (const step of planChanges(current, desired, {prune})) {
    const response = executeCommand(model, step.request, ctx)
    if (response.error) throw new Error(`${step.request.command}: ${response.error} (${JSON.stringify(step.request)})`)
  }

  return model
}

/** What the desired state means without --prune: its objects as listed, the others as they were. */
function withUnmanaged(current: DynsecState, desired: DynsecState): DynsecState {
  const keep = <T>(cur: T[], want: T[], key: (t: T) => string) => {
    const names = new Set(want.map(key))
    return [...want, ...cur.filter((x) => !names.has(key(x)))].sort((a, b) => byteOrder(key(a), key(b)))
  }

  return {
    ...desired,
    roles: keep(current.roles, desired.roles, (r) => r.rolename),
    groups: keep(current.groups, desired.groups, (g) => g.groupname),
    clients: keep(current.clients, desired.clients, (c) => c.username),
  }
}

/** A desired state that does not unset the anonymous group (the plugin cannot). */
const pair = fc
  .tuple(state, state)
  .filter(([cur, want]) => cur.anonymousGroup === undefined || want.anonymousGroup !== undefined)

describe('planChanges against the plugin model', () => {
  it('applying the plan (with --prune) to the current state gives the desired state', () => {
    fc.assert(
      fc.property(pair, ([current, desired]) => {
        expect(canonical(applyPlan(current, desired, true))).toEqual(canonical(desired))
      }),
      {numRuns: 400, seed: 11},
    )
  })

  it('without --prune: listed objects as desired, the others untouched, and never a delete', () => {
    fc.assert(
      fc.property(pair, ([current, desired]) => {
        const anonymousKept =
          current.anonymousGroup === undefined || desired.groups.some((g) => g.groupname === current.anonymousGroup)
        fc.pre(anonymousKept || desired.anonymousGroup !== undefined)
        const steps = planChanges(current, desired)
        expect(steps.filter((s) => s.request.command.startsWith('delete'))).toEqual([])
        // Links to roles/groups that only the current state has stay (the policy cannot name them).
        const after = canonical(applyPlan(current, desired, false))
        const expected = canonical(withUnmanaged(current, desired))
        expect(after.roles).toEqual(expected.roles)
        expect(after.groups.map((g) => g.groupname)).toEqual(expected.groups.map((g) => g.groupname))
        expect(after.defaultACLAccess).toEqual(expected.defaultACLAccess)
      }),
      {numRuns: 300, seed: 12},
    )
  })

  it('the plan from a state to itself is empty', () => {
    fc.assert(
      fc.property(state, (s) => {
        expect(planChanges(s, structuredClone(s), {prune: true})).toEqual([])
      }),
      {numRuns: 300, seed: 13},
    )
  })

  const tiedState = (acls: StateAcl[][]): DynsecState => ({
    defaultACLAccess: {publishClientSend: false, publishClientReceive: false, subscribe: false, unsubscribe: false},
    clients: [],
    groups: [],
    roles: acls.map((a, i) => ({rolename: `r${i}`, acls: a})),
  })
  const tiedPair = fc.tuple(
    fc.array(tiedAcls, {minLength: 2, maxLength: 2}),
    fc.array(tiedAcls, {minLength: 2, maxLength: 2}),
  )

  it('with equal priorities: the plan gives the desired order, and a state plans nothing to itself', () => {
    fc.assert(
      fc.property(tiedPair, ([cur, want]) => {
        const current = tiedState(cur)
        const desired = tiedState(want)
        expect(canonical(applyPlan(current, desired, false))).toEqual(canonical(desired))
        expect(planChanges(desired, structuredClone(desired))).toEqual([])
      }),
      {numRuns: 500, seed: 14},
    )
  })

  it('the same ACLs in another order: plans exactly when a publish or pattern tie is reordered', () => {
    fc.assert(
      fc.property(
        tiedAcls.chain((a) => fc.tuple(fc.constant(a), fc.shuffledSubarray(a, {minLength: a.length}))),
        ([cur, shuffled]) => {
          const want = sortAcls(shuffled)
          const order = (l: StateAcl[]) =>
            l.filter((a) => !a.acltype.endsWith('Literal')).map((a) => a.topic + a.acltype)
          const steps = planChanges(tiedState([cur]), tiedState([want]))
          expect(steps.length > 0).toBe(order(cur).join() !== order(want).join())
          expect(steps.every((s) => s.symbol === '~')).toBe(true)
        },
      ),
      {numRuns: 300, seed: 15},
    )
  })

  it('reorders a tie with the fewest re-adds, never touching literal ACLs', () => {
    const acl = (topic: string, acltype: StateAcl['acltype'] = 'publishClientSend'): StateAcl => ({
      acltype,
      topic,
      priority: 1,
      allow: topic !== 'b',
    })
    const moved = (cur: string[], want: string[]) =>
      planChanges(tiedState([cur.map((t) => acl(t))]), tiedState([want.map((t) => acl(t))])).map(
        (s) => `${s.request.command} ${String(s.request.topic)}`,
      )
    expect(moved(['a', 'b', 'c'], ['b', 'c', 'a'])).toEqual(['removeRoleACL a', 'addRoleACL a'])
    // c cannot go to the front by itself: a new ACL goes after its ties, so a and b follow it.
    expect(moved(['a', 'b', 'c'], ['c', 'a', 'b'])).toEqual([
      'removeRoleACL a',
      'addRoleACL a',
      'removeRoleACL b',
      'addRoleACL b',
    ])
    expect(moved(['a', 'b'], ['a', 'b'])).toEqual([])
    const literal = (ts: string[]) => tiedState([ts.map((t) => acl(t, 'subscribeLiteral'))])
    expect(planChanges(literal(['a', 'b']), literal(['b', 'a']))).toEqual([])
  })

  it('summarizes objects, not commands', () => {
    const empty: DynsecState = {
      defaultACLAccess: {publishClientSend: false, publishClientReceive: false, subscribe: false, unsubscribe: false},
      clients: [],
      groups: [],
      roles: [{rolename: 'old', acls: []}],
    }
    const want: DynsecState = {
      ...empty,
      defaultACLAccess: {...empty.defaultACLAccess, subscribe: true},
      roles: [{rolename: 'r', acls: [{acltype: 'subscribePattern', topic: '#', priority: 0, allow: true}]}],
      clients: [{username: 'u', disabled: true, roles: [{rolename: 'r'}], groups: []}],
    }
    const steps = planChanges(empty, want, {prune: true})
    expect(steps.map((s) => s.request.command)).toEqual([
      'createRole',
      'createClient',
      'disableClient',
      'setDefaultACLAccess',
      'deleteRole',
    ])
    expect(summarize(steps)).toEqual({add: 2, change: 1, delete: 1})
  })
  it('removes a changed ACL just before its re-add, so the role lacks it for one command only', () => {
    const base: DynsecState = {
      defaultACLAccess: {publishClientSend: false, publishClientReceive: false, subscribe: false, unsubscribe: false},
      clients: [],
      groups: [],
      roles: [],
    }
    const a = (topic: string, priority: number, allow = true): StateAcl => ({
      acltype: 'publishClientSend',
      topic,
      priority,
      allow,
    })
    const cur = {...base, roles: [{rolename: 'admin', acls: [a('$CONTROL/#', 5), a('x', 1), a('gone', 0)]}]}
    const want = {...base, roles: [{rolename: 'admin', acls: [a('$CONTROL/#', 9), a('x', 1, false), a('new', 0)]}]}
    const steps = planChanges(cur, want, {prune: true})
    expect(steps.map((s) => `${s.request.command} ${String(s.request.topic)}`)).toEqual([
      'removeRoleACL gone',
      'removeRoleACL $CONTROL/#',
      'addRoleACL $CONTROL/#',
      'removeRoleACL x',
      'addRoleACL x',
      'addRoleACL new',
    ])
    expect(steps.map((s) => s.text)).toContain('role admin: acl publishClientSend $CONTROL/# → allow (priority 9)')
  })
})

describe('large plans', () => {
  it('plans 200,000 roles to create (the steps were pushed as call arguments and overflowed the stack)', () => {
    const empty: DynsecState = emptyState()
    const roles = Array.from({length: 200_000}, (_, i) => ({rolename: `r${String(i).padStart(6, '0')}`, acls: []}))
    const steps = planChanges(empty, {...empty, roles})
    expect(steps).toHaveLength(200_000)
    expect(summarize(steps).add).toBe(200_000)
  })
})
