import {MqctlError} from '../errors.js'
import type {DynsecRequest} from './schemas.js'
import type {DynsecState, StateAcl, StateClient, StateGroup, StateRole} from './state/model.js'
import {byteOrder} from './state/plugin-json.js'

/**
 * current → desired as the ordered plugin commands that get there (DESIGN.md 6b): creates in
 * dependency order (roles with their ACLs, groups with their roles, clients with their roles
 * and groups), then changes to existing objects through modify/add/remove, the default access,
 * the anonymous group, and deletions last, only with `prune`. Objects the desired state does
 * not list are left alone without `prune`; objects it lists are made exactly as listed.
 */
export type PlanSymbol = '+' | '~' | '-'

export interface PlanStep {
  symbol: PlanSymbol
  /** The object this command belongs to ("client alice"), for the summary and messages. */
  object: string
  /** One line for the human plan, without the symbol. */
  text: string
  /** Indented lines under `text` (what a create carries). */
  details?: string[]
  /** The command, never with a password (that is added at apply time). */
  request: DynsecRequest
  /** This command carries `username`'s password when applied (createClient, setClientPassword). */
  passwordFor?: string
}

export interface PlanOptions {
  prune?: boolean
  /** Usernames that have a password source: they get one on create. */
  passwords?: ReadonlySet<string>
  /** Also set the password of existing clients that have a source. */
  rotatePasswords?: boolean
}

export interface PlanSummary {
  add: number
  change: number
  delete: number
}

const prio = (p: number | undefined) => (p === undefined ? '' : ` (priority ${p})`)
const quote = (s: string | undefined) => (s === undefined ? '(none)' : JSON.stringify(s))
const aclText = (a: StateAcl) => `${a.acltype} ${a.topic} ${a.allow ? 'allow' : 'deny'} (priority ${a.priority})`
const aclKey = (a: {acltype: string; topic: string}) => `${a.acltype}\u0000${a.topic}`
const sameLink = (a: {priority?: number}, b: {priority?: number}) => (a.priority ?? -1) === (b.priority ?? -1)
const withPriority = (key: string, name: string, priority?: number) =>
  priority === undefined ? {[key]: name} : {[key]: name, priority}

function index<T>(list: readonly T[], key: (t: T) => string): Map<string, T> {
  return new Map(list.map((x) => [key(x), x]))
}

/** Two link lists (roles of a client, …): what to remove and what to add; a priority change is both. */
function diffLinks<T extends {priority?: number}>(
  current: readonly T[],
  desired: readonly T[],
  name: (t: T) => string,
): {remove: T[]; add: T[]} {
  const cur = index(current, name)
  const want = index(desired, name)
  return {
    remove: current.filter((l) => !want.has(name(l)) || !sameLink(want.get(name(l))!, l)),
    add: desired.filter((l) => !cur.has(name(l)) || !sameLink(cur.get(name(l))!, l)),
  }
}

/** A link list's diff as steps (removals, then additions), each naming the link and its priority. */
function linkSteps<T extends {priority?: number}>(
  steps: PlanStep[],
  object: string,
  label: 'role' | 'group',
  current: readonly T[],
  desired: readonly T[],
  name: (t: T) => string,
  request: {remove: (name: string) => DynsecRequest; add: (link: T) => DynsecRequest},
): void {
  const {remove, add} = diffLinks(current, desired, name)
  const text = (l: T) => `${object}: ${label} ${name(l)}${prio(l.priority)}`
  for (const l of remove) steps.push({symbol: '-', object, text: text(l), request: request.remove(name(l))})
  for (const l of add) steps.push({symbol: '+', object, text: text(l), request: request.add(l)})
}

function textChanges(current: {textname?: string; textdescription?: string}, desired: typeof current) {
  const changes: Record<string, string> = {}
  const lines: string[] = []
  for (const key of ['textname', 'textdescription'] as const) {
    const a = current[key] || undefined
    const b = desired[key] || undefined
    if (a === b) continue
    changes[key] = b ?? ''
    lines.push(`${key} ${quote(a)} → ${quote(b)}`)
  }

  return {changes, lines}
}

/** The modify command of a changed textname/textdescription, when one changed. */
function textStep(
  steps: PlanStep[],
  object: string,
  cur: {textname?: string; textdescription?: string},
  want: typeof cur,
  request: (changes: Record<string, string>) => DynsecRequest,
): void {
  const {changes, lines} = textChanges(cur, want)
  if (lines.length > 0)
    steps.push({symbol: '~', object, text: `${object}: ${lines.join(', ')}`, request: request(changes)})
}

const texts = (o: {textname?: string; textdescription?: string}) => ({
  ...(o.textname ? {textname: o.textname} : {}),
  ...(o.textdescription ? {textdescription: o.textdescription} : {}),
})

/**
 * The plugin walks a role's publish and pattern ACLs in list order and the first match decides;
 * its literal ACLs are looked up by exact topic, so their order never matters. A new ACL goes
 * after those of equal priority (roles.c insert_acl_cmp), so the only way to reorder a tie is
 * to remove and re-add. Unchanged ACLs that can stay are the longest prefix of each desired tie
 * group that the broker already holds in that order; the rest are re-added after them.
 */
const UNORDERED = new Set<string>(['subscribeLiteral', 'unsubscribeLiteral'])
function tieMoves(cur: readonly StateAcl[], want: readonly StateAcl[], unchanged: (a: StateAcl) => boolean) {
  const position = new Map(cur.map((a, i) => [aclKey(a), i]))
  const groups = new Map<string, StateAcl[]>()
  for (const a of want) {
    if (UNORDERED.has(a.acltype)) continue
    const g = `${a.acltype}\u0000${a.priority}`
    groups.set(g, [...(groups.get(g) ?? []), a])
  }

  const moves = new Set<string>()
  for (const group of groups.values()) {
    let last = -1
    let i = 0
    for (; i < group.length && unchanged(group[i]); i++) {
      const at = position.get(aclKey(group[i]))!
      if (at < last) break
      last = at
    }

    for (const a of group.slice(i)) if (unchanged(a)) moves.add(aclKey(a))
  }

  return moves
}

function planRole(steps: PlanStep[], cur: StateRole | undefined, want: StateRole): void {
  const object = `role ${want.rolename}`
  const rolename = want.rolename
  if (!cur) {
    steps.push({
      symbol: '+',
      object,
      text: object,
      details: [...textLines(want), ...want.acls.map((a) => `acl ${aclText(a)}`)],
      request: {
        command: 'createRole',
        rolename,
        ...texts(want),
        ...(want.allowwildcardsubs === undefined ? {} : {allowwildcardsubs: want.allowwildcardsubs}),
        acls: want.acls.map((a) => ({acltype: a.acltype, topic: a.topic, priority: a.priority, allow: a.allow})),
      },
    })
    return
  }

  const {changes, lines} = textChanges(cur, want)
  const wild = cur.allowwildcardsubs !== want.allowwildcardsubs && want.allowwildcardsubs !== undefined
  if (lines.length > 0 || wild) {
    steps.push({
      symbol: '~',
      object,
      text: `${object}: ${[...lines, ...(wild ? [`allowwildcardsubs → ${want.allowwildcardsubs}`] : [])].join(', ')}`,
      request: {
        command: 'modifyRole',
        rolename,
        ...changes,
        ...(wild ? {allowwildcardsubs: want.allowwildcardsubs} : {}),
      },
    })
  }

  const wanted = index(want.acls, aclKey)
  const have = index(cur.acls, aclKey)
  const same = (a: StateAcl, b: StateAcl) => a.priority === b.priority && a.allow === b.allow
  const moves = tieMoves(cur.acls, want.acls, (a) => have.has(aclKey(a)) && same(have.get(aclKey(a))!, a))
  const remove = (a: StateAcl, change: string) =>
    steps.push({
      symbol: wanted.has(aclKey(a)) ? '~' : '-',
      object,
      text: `${object}: acl ${a.acltype} ${a.topic}${change}`,
      request: {command: 'removeRoleACL', rolename, acltype: a.acltype, topic: a.topic},
    })
  // Only ACLs the policy drops are removed up front; a changed or moved one is removed just before
  // it is added back, so the role (often the admin's own) lacks it for one command only, inside one
  // request (chunkPayloads keeps the pair together).
  for (const a of cur.acls) if (!wanted.has(aclKey(a))) remove(a, '')

  for (const a of want.acls) {
    const h = have.get(aclKey(a))
    if (moves.has(aclKey(a)))
      remove(a, ` (priority ${a.priority}) moves: ACLs of equal priority are checked in the policy's order`)
    else if (h && same(h, a)) continue
    else if (h) remove(h, ` → ${a.allow ? 'allow' : 'deny'} (priority ${a.priority})`)
    steps.push({
      symbol: h ? '~' : '+',
      object,
      // A changed ACL is its removal (above) and this; the line above already says what changes.
      text: h ? `${object}: acl ${aclText(a)} (re-added)` : `${object}: acl ${aclText(a)}`,
      request: {
        command: 'addRoleACL',
        rolename,
        acltype: a.acltype,
        topic: a.topic,
        allow: a.allow,
        priority: a.priority,
      },
    })
  }
}

const textLines = (o: {textname?: string; textdescription?: string}) => [
  ...(o.textname ? [`textname ${quote(o.textname)}`] : []),
  ...(o.textdescription ? [`textdescription ${quote(o.textdescription)}`] : []),
]

function planGroup(steps: PlanStep[], cur: StateGroup | undefined, want: StateGroup): void {
  const object = `group ${want.groupname}`
  const groupname = want.groupname
  if (!cur) {
    steps.push({
      symbol: '+',
      object,
      text: object,
      details: [...textLines(want), ...want.roles.map((r) => `role ${r.rolename}${prio(r.priority)}`)],
      request: {
        command: 'createGroup',
        groupname,
        ...texts(want),
        roles: want.roles.map((r) => withPriority('rolename', r.rolename, r.priority)),
      },
    })
    return
  }

  textStep(steps, object, cur, want, (changes) => ({command: 'modifyGroup', groupname, ...changes}))

  linkSteps(steps, object, 'role', cur.roles, want.roles, (r) => r.rolename, {
    remove: (rolename) => ({command: 'removeGroupRole', groupname, rolename}),
    add: (r) => ({command: 'addGroupRole', groupname, ...withPriority('rolename', r.rolename, r.priority)}),
  })
}

function planClient(steps: PlanStep[], cur: StateClient | undefined, want: StateClient, options: PlanOptions): void {
  const object = `client ${want.username}`
  const username = want.username
  const hasSource = options.passwords?.has(username) ?? false
  if (!cur) {
    steps.push({
      symbol: '+',
      object,
      text: object,
      details: [
        ...(want.clientid ? [`clientid ${quote(want.clientid)}`] : []),
        ...textLines(want),
        ...want.roles.map((r) => `role ${r.rolename}${prio(r.priority)}`),
        ...want.groups.map((g) => `group ${g.groupname}${prio(g.priority)}`),
        ...(hasSource ? ["password (from the policy's source)"] : ['no password (cannot log in)']),
      ],
      request: {
        command: 'createClient',
        username,
        ...(want.clientid ? {clientid: want.clientid} : {}),
        ...texts(want),
        roles: want.roles.map((r) => withPriority('rolename', r.rolename, r.priority)),
        groups: want.groups.map((g) => withPriority('groupname', g.groupname, g.priority)),
      },
      ...(hasSource ? {passwordFor: username} : {}),
    })
    if (want.disabled)
      steps.push({symbol: '+', object, text: `${object}: disabled`, request: {command: 'disableClient', username}})
    return
  }

  if ((cur.clientid || undefined) !== (want.clientid || undefined)) {
    steps.push({
      symbol: '~',
      object,
      text: `${object}: clientid ${quote(cur.clientid)} → ${quote(want.clientid)}`,
      request: {command: 'setClientId', username, ...(want.clientid ? {clientid: want.clientid} : {})},
    })
  }

  textStep(steps, object, cur, want, (changes) => ({command: 'modifyClient', username, ...changes}))

  linkSteps(steps, object, 'role', cur.roles, want.roles, (r) => r.rolename, {
    remove: (rolename) => ({command: 'removeClientRole', username, rolename}),
    add: (r) => ({command: 'addClientRole', username, ...withPriority('rolename', r.rolename, r.priority)}),
  })
  linkSteps(steps, object, 'group', cur.groups, want.groups, (g) => g.groupname, {
    remove: (groupname) => ({command: 'removeGroupClient', username, groupname}),
    add: (g) => ({command: 'addGroupClient', username, ...withPriority('groupname', g.groupname, g.priority)}),
  })

  if (cur.disabled !== want.disabled) {
    steps.push({
      symbol: '~',
      object,
      text: `${object}: ${want.disabled ? 'disabled' : 'enabled'}`,
      request: {command: want.disabled ? 'disableClient' : 'enableClient', username},
    })
  }

  if (options.rotatePasswords && hasSource) {
    steps.push({
      symbol: '~',
      object,
      text: `${object}: new password`,
      request: {command: 'setClientPassword', username},
      passwordFor: username,
    })
  }
}

const DELETIONS = [
  ['client', 'username', 'deleteClient'],
  ['group', 'groupname', 'deleteGroup'],
  ['role', 'rolename', 'deleteRole'],
] as const

/** The ordered command list that turns `current` into `desired` (see the module comment). */
export function planChanges(current: DynsecState, desired: DynsecState, options: PlanOptions = {}): PlanStep[] {
  const steps: PlanStep[] = []
  const curRoles = index(current.roles, (r) => r.rolename)
  const curGroups = index(current.groups, (g) => g.groupname)
  const curClients = index(current.clients, (c) => c.username)
  // Creates first, in dependency order; then the changes to what exists.
  const creates: PlanStep[] = []
  const changes: PlanStep[] = []
  for (const r of desired.roles) planRole(curRoles.has(r.rolename) ? changes : creates, curRoles.get(r.rolename), r)
  for (const g of desired.groups)
    planGroup(curGroups.has(g.groupname) ? changes : creates, curGroups.get(g.groupname), g)
  for (const c of desired.clients)
    planClient(curClients.has(c.username) ? changes : creates, curClients.get(c.username), c, options)
  // A loop, not push(...): 200,000 roles in a policy overflowed the stack as arguments.
  for (const s of [creates, changes]) for (const step of s) steps.push(step)

  const access: Array<{acltype: string; allow: boolean}> = []
  const lines: string[] = []
  for (const [k, v] of Object.entries(desired.defaultACLAccess)) {
    const was = current.defaultACLAccess[k as keyof DynsecState['defaultACLAccess']]
    if (was === v) continue
    access.push({acltype: k, allow: v})
    lines.push(`${k} ${was ? 'allow' : 'deny'} → ${v ? 'allow' : 'deny'}`)
  }

  if (access.length > 0) {
    steps.push({
      symbol: '~',
      object: 'default access',
      text: `default access: ${lines.join(', ')}`,
      request: {command: 'setDefaultACLAccess', acls: access},
    })
  }

  if (desired.anonymousGroup !== undefined && desired.anonymousGroup !== current.anonymousGroup) {
    steps.push({
      symbol: '~',
      object: 'anonymous group',
      text: `anonymous group: ${current.anonymousGroup ?? '(none)'} → ${desired.anonymousGroup}`,
      request: {command: 'setAnonymousGroup', groupname: desired.anonymousGroup},
    })
  }

  if (options.prune) {
    const anonymous = desired.anonymousGroup ?? current.anonymousGroup
    // Clients first, roles last: nothing deleted is still referred to by something kept.
    for (const [kind, key, command] of DELETIONS) {
      const keep = new Set((desired[`${kind}s`] as unknown as Array<Record<string, string>>).map((x) => x[key]))
      for (const x of current[`${kind}s`] as unknown as Array<Record<string, string>>) {
        const name = x[key]
        if (keep.has(name)) continue
        if (kind === 'group' && name === anonymous) {
          throw new MqctlError(
            'REFUSED_ANONYMOUS_GROUP',
            `the plan would delete group "${name}", the anonymous group`,
            {
              hint: 'deleting the anonymous group crashes mosquitto 2.0.0-2.0.14 and is refused by later versions: set anonymousGroup in the policy to another group, or keep this one',
            },
          )
        }

        const object = `${kind} ${name}`
        steps.push({symbol: '-', object, text: object, request: {command, [key]: name}})
      }
    }
  }

  return steps
}

/** Objects created, changed, deleted (a client created and then disabled counts once, as added). */
export function summarize(steps: readonly PlanStep[]): PlanSummary {
  const kind = new Map<string, keyof PlanSummary>()
  for (const s of steps) {
    const c = s.request.command
    const k: keyof PlanSummary = c.startsWith('create') ? 'add' : c.startsWith('delete') ? 'delete' : 'change'
    const was = kind.get(s.object)
    if (was === undefined || (was === 'change' && k !== 'change')) kind.set(s.object, k)
  }

  const sum: PlanSummary = {add: 0, change: 0, delete: 0}
  for (const k of kind.values()) sum[k]++
  return sum
}

export const summaryLine = (s: PlanSummary): string => `${s.add} to add, ${s.change} to change, ${s.delete} to delete`

/** Sorting helper shared with tests: the plugin's name order. */
export const nameOrder = byteOrder
