import {
  invalidFilterMatches20,
  isValidTopicFilter,
  subscriptionWithinAcl20,
  subscriptionWithinAcl21,
  topicMatches,
} from '../topic.js'
import type {AclType, DefaultAclType, DynsecState, StateAcl, StateClient} from './state/model.js'

/**
 * The dynamic-security plugin's access decision, offline and explained (spec 3.7-3.8; the walk
 * of plugins/dynamic-security/acl.c in 2.0.11 and 2.1.2, and what src/security.c decides about
 * `$` topics before any plugin runs).
 */
export type CheckAccess = DefaultAclType
export const CHECK_ACCESSES: readonly CheckAccess[] = [
  'publishClientSend',
  'publishClientReceive',
  'subscribe',
  'unsubscribe',
]

export interface DynsecQuery {
  /** undefined = an anonymous client (no username in CONNECT). */
  username?: string
  clientId: string
  /** A topic name (publish*) or a subscription filter (subscribe, unsubscribe). */
  topic: string
  access: CheckAccess
}

export interface EvaluateOptions {
  /** 2.1 substitutes %u/%c and honours allowwildcardsubs; 2.0 does neither. */
  layout?: '2.0' | '2.1'
  /**
   * Whether stored passwords are known (a file). A broker never reveals them, so a state read
   * from one cannot tell "no password" apart.
   */
  passwordsKnown?: boolean
}

export interface AclConsidered {
  /** JSON path into the state, e.g. `roles[3].acls[1]`. */
  path: string
  acltype: AclType
  topic: string
  priority: number
  allow: boolean
  /** The ACL topic after %u/%c substitution (2.1), when it differs. */
  filter?: string
  matched: boolean
  note?: string
}

export interface RoleConsidered {
  rolename: string
  /** `roles[i]`, or undefined for a link to a role that does not exist. */
  path?: string
  /** Where the link is: `clients[2].roles[0]`, `groups[1].roles[0]`. */
  linkPath: string
  /** The link's priority (-1 when unset). */
  priority: number
  /** `client "alice"`, `group "g" (clients[2].groups[0], priority 1)`, `anonymous group "anon"`. */
  via: string
  acls: AclConsidered[]
  /** 2.1: the role refuses any subscription with a wildcard. */
  refusedWildcards?: boolean
}

export interface DynsecDecidingAcl {
  path: string
  rolename: string
  acltype: AclType
  topic: string
  priority: number
  allow: boolean
}

export interface DynsecVerdict {
  verdict: 'allow' | 'deny'
  /** Which stage decided: logging in, the broker's own `$` rules, an ACL, or the default access. */
  stage: 'authentication' | 'broker' | 'acl' | 'default'
  reason: string
  /** JSON path of the client in the state (`clients[i]`), when there is one. */
  clientPath?: string
  decidedBy?: DynsecDecidingAcl
  walk: RoleConsidered[]
  notes: string[]
}

interface Link {
  rolename: string
  priority: number
  linkPath: string
  via: string
}

/** The plugin's list order: priority descending, then name by strcmp (byte order). */
const byPriorityThenName = <T extends {priority: number; name: string}>(a: T, b: T) =>
  b.priority - a.priority || Buffer.compare(Buffer.from(a.name), Buffer.from(b.name))

/** The first link to a name wins (the plugin refuses to add a role or group twice). */
function dedupe<T extends {name: string}>(items: T[]): T[] {
  const seen = new Set<string>()
  return items.filter((i) => !seen.has(i.name) && seen.add(i.name))
}

function roleLinks(state: DynsecState, owner: 'clients' | 'groups', index: number, via: string): Link[] {
  const entry = owner === 'clients' ? state.clients[index] : state.groups[index]
  const links = entry.roles.map((r, i) => ({
    name: r.rolename,
    rolename: r.rolename,
    priority: r.priority ?? -1,
    linkPath: `${owner}[${index}].roles[${i}]`,
    via,
  }))
  return dedupe(links)
    .filter((l) => state.roles.some((r) => r.rolename === l.rolename))
    .sort(byPriorityThenName)
}

/** The roles the plugin walks for this client, in its order. */
function roleOrder(state: DynsecState, clientIndex: number | undefined): Link[] {
  if (clientIndex === undefined) {
    const g = state.groups.findIndex((x) => x.groupname === state.anonymousGroup)
    return g < 0 ? [] : roleLinks(state, 'groups', g, `anonymous group "${state.anonymousGroup}"`)
  }

  const client = state.clients[clientIndex]
  const out = roleLinks(state, 'clients', clientIndex, `client "${client.username}"`)
  const groups = dedupe(
    client.groups.map((g, i) => ({
      name: g.groupname,
      priority: g.priority ?? -1,
      path: `clients[${clientIndex}].groups[${i}]`,
    })),
  )
    .filter((g) => state.groups.some((x) => x.groupname === g.name))
    .sort(byPriorityThenName)
  for (const g of groups) {
    const gi = state.groups.findIndex((x) => x.groupname === g.name)
    out.push(...roleLinks(state, 'groups', gi, `group "${g.name}" (${g.path}, priority ${g.priority})`))
  }

  return out
}

/** 2.1's whole-level %u/%c: undefined when the value cannot match (absent, empty, or with `/`). */
function substitute21(acl: string, clientId: string, username: string | undefined, forSubscribe: boolean) {
  const levels = acl.split('/').map((level) => {
    if (level !== '%u' && level !== '%c') return level
    const value = level === '%u' ? username : clientId
    if (value === undefined || value === '' || value.includes('/')) return undefined
    if (forSubscribe && (value === '+' || value === '#')) return undefined
    return value
  })
  return levels.includes(undefined) ? undefined : levels.join('/')
}

function publishMatches(acl: string, topic: string, q: DynsecQuery, v21: boolean): {matched: boolean; filter?: string} {
  if (v21) {
    if (acl.startsWith('$') !== topic.startsWith('$')) return {matched: false}
    const filter = substitute21(acl, q.clientId, q.username, false)
    if (filter === undefined) return {matched: false, filter: '(no value to substitute)'}
    return {
      matched: isValidTopicFilter(filter) && topicMatches(filter, topic),
      filter: filter === acl ? undefined : filter,
    }
  }

  return {matched: isValidTopicFilter(acl) ? topicMatches(acl, topic) : invalidFilterMatches20(acl, topic)}
}

const AUTH_PREFIX = 'cannot log in: '

function authenticate(state: DynsecState, q: DynsecQuery, options: EvaluateOptions) {
  if (q.username === undefined) return {index: undefined}
  const index = state.clients.findIndex((c) => c.username === q.username)
  if (index < 0) return {problem: `no client "${q.username}" in the dynamic-security state (unknown user)`}
  const c: StateClient = state.clients[index]
  const path = `clients[${index}]`
  if (c.disabled) return {index, problem: `${path} "${c.username}" is disabled`}
  if (c.clientid !== undefined && c.clientid !== q.clientId) {
    return {index, problem: `${path} "${c.username}" is bound to client id "${c.clientid}", not "${q.clientId}"`}
  }

  if (options.passwordsKnown && c.stored === undefined) {
    return {index, problem: `${path} "${c.username}" has no password`}
  }

  return {index}
}

/** What src/security.c decides about `$` topics before any plugin is asked. */
function brokerRule(q: DynsecQuery): string | undefined {
  const publishing = q.access === 'publishClientSend'
  if (q.topic.startsWith('$SYS')) {
    if (publishing && !topicMatches('$SYS/broker/connection/+/state', q.topic))
      return 'the broker refuses client publishes to $SYS topics (only $SYS/broker/connection/+/state)'
  } else if (q.topic.startsWith('$share')) {
    if (q.access === 'publishClientSend' || q.access === 'publishClientReceive')
      return 'the broker allows $share topics only in SUBSCRIBE and UNSUBSCRIBE'
  }

  return undefined
}

const TYPES: Record<CheckAccess, {literal?: AclType; pattern: AclType}> = {
  publishClientSend: {pattern: 'publishClientSend'},
  publishClientReceive: {pattern: 'publishClientReceive'},
  subscribe: {literal: 'subscribeLiteral', pattern: 'subscribePattern'},
  unsubscribe: {literal: 'unsubscribeLiteral', pattern: 'unsubscribePattern'},
}

export function evaluateDynsec(state: DynsecState, q: DynsecQuery, options: EvaluateOptions = {}): DynsecVerdict {
  const v21 = options.layout === '2.1'
  const walk: RoleConsidered[] = []
  const notes: string[] = []
  const who = q.username === undefined ? `anonymous client "${q.clientId}"` : `"${q.username}"`
  if (q.username === undefined)
    notes.push('anonymous clients can connect only with allow_anonymous true (mosquitto.conf)')
  else if (!options.passwordsKnown)
    notes.push('assumes the client has a password and gives it (a broker does not reveal whether one is set)')

  const auth = authenticate(state, q, options)
  const clientPath = auth.index === undefined ? undefined : `clients[${auth.index}]`
  const base = {walk, notes, ...(clientPath === undefined ? {} : {clientPath})}
  if ('problem' in auth && auth.problem !== undefined) {
    return {verdict: 'deny', stage: 'authentication', reason: `${who} ${AUTH_PREFIX}${auth.problem}`, ...base}
  }

  const broker = brokerRule(q)
  if (broker) return {verdict: 'deny', stage: 'broker', reason: broker, ...base}

  const types = TYPES[q.access]
  const subscribing = q.access === 'subscribe'
  const hasWildcard = /[+#]/.test(q.topic)
  const decided = (acl: StateAcl, path: string, rolename: string, how: string): DynsecVerdict => ({
    verdict: acl.allow ? 'allow' : 'deny',
    stage: 'acl',
    reason: `${path} (role "${rolename}", ${acl.acltype} ${acl.topic} priority ${acl.priority}, ${acl.allow ? 'allow' : 'deny'}) ${how}`,
    decidedBy: {path, rolename, acltype: acl.acltype, topic: acl.topic, priority: acl.priority, allow: acl.allow},
    ...base,
  })

  for (const link of roleOrder(state, auth.index)) {
    const ri = state.roles.findIndex((r) => r.rolename === link.rolename)
    const role = state.roles[ri]
    const step: RoleConsidered = {
      rolename: role.rolename,
      path: `roles[${ri}]`,
      linkPath: link.linkPath,
      priority: link.priority,
      via: link.via,
      acls: [],
    }
    walk.push(step)
    if (v21 && subscribing && hasWildcard && role.allowwildcardsubs === false) {
      step.refusedWildcards = true
      return {
        verdict: 'deny',
        stage: 'acl',
        reason: `roles[${ri}] (role "${role.rolename}") has allowwildcardsubs false and the filter has a wildcard`,
        ...base,
      }
    }

    const indexed = role.acls.map((acl, j) => ({acl, path: `roles[${ri}].acls[${j}]`}))
    if (types.literal) {
      const literals = indexed.filter((x) => x.acl.acltype === types.literal)
      // A hash lookup by topic: with two equal topics (a file, or createRole/modifyRole, which do not
      // check) the one loaded last is found.
      const hit = literals.findLast((x) => x.acl.topic === q.topic)
      for (const x of literals) {
        step.acls.push({
          ...pick(x.acl),
          path: x.path,
          matched: x === hit,
          ...(x !== hit && x.acl.topic === q.topic ? {note: 'shadowed by a later equal topic'} : {}),
        })
      }

      if (hit) return decided(hit.acl, hit.path, role.rolename, 'is the exact filter')
    }

    for (const x of indexed.filter((y) => y.acl.acltype === types.pattern)) {
      let matched: boolean
      let filter: string | undefined
      if (types.literal) {
        if (v21) {
          // The `$` test looks at the ACL as written, before a name that starts with `$` is put in.
          const dollar = x.acl.topic.startsWith('$') === q.topic.startsWith('$')
          filter = substitute21(x.acl.topic, q.clientId, q.username, true)
          matched = dollar && filter !== undefined && subscriptionWithinAcl21(filter, q.topic)
          if (filter === x.acl.topic) filter = undefined
          else filter ??= '(no value to substitute)'
        } else {
          matched = subscriptionWithinAcl20(x.acl.topic, q.topic)
        }
      } else {
        ;({matched, filter} = publishMatches(x.acl.topic, q.topic, q, v21))
      }

      step.acls.push({...pick(x.acl), path: x.path, matched, ...(filter === undefined ? {} : {filter})})
      if (matched)
        return decided(x.acl, x.path, role.rolename, types.literal ? 'contains the filter' : 'matches the topic')
    }
  }

  const allowed = state.defaultACLAccess[q.access]
  const none = walk.length === 0 ? 'no roles to walk' : 'no ACL matched'
  if (allowed && q.topic.startsWith('$CONTROL')) {
    return {
      verdict: 'deny',
      stage: 'default',
      reason: `${none}: default allow for ${q.access} never covers $CONTROL topics`,
      ...base,
    }
  }

  return {
    verdict: allowed ? 'allow' : 'deny',
    stage: 'default',
    reason: `${none}: default ${allowed ? 'allow' : 'deny'} for ${q.access}`,
    ...base,
  }
}

const pick = (a: StateAcl) => ({acltype: a.acltype, topic: a.topic, priority: a.priority, allow: a.allow})

/** The walk as text lines (for --explain). */
export function explainLines(v: DynsecVerdict): string[] {
  const lines: string[] = []
  for (const r of v.walk) {
    lines.push(`${r.path} role "${r.rolename}" (${r.linkPath}, priority ${r.priority}) via ${r.via}`)
    if (r.refusedWildcards) lines.push('  allowwildcardsubs false: a filter with + or # is refused')
    if (r.acls.length === 0) lines.push('  no ACL of this type')
    for (const a of r.acls) {
      const filter = a.filter === undefined ? '' : ` (as ${a.filter})`
      const note = a.note === undefined ? '' : ` (${a.note})`
      lines.push(
        `  ${a.path} ${a.acltype} ${a.topic}${filter} priority ${a.priority} ${a.allow ? 'allow' : 'deny'}: ${a.matched ? 'MATCH' : 'no match'}${note}`,
      )
    }
  }

  for (const n of v.notes) lines.push(`note: ${n}`)
  return lines
}
