import {topicMatches} from '../topic.js'
import {REQUEST_TOPIC, RESPONSE_TOPIC} from './client.js'
import type {DynsecState, StateAcl, StateRole} from './state/model.js'
import {byteOrder} from './state/plugin-json.js'

/**
 * The lock-out guard: can this admin still use the dynamic-security API in a state? A minimal
 * evaluator of the plugin's rules (spec 3.8) for the three checks the API needs: publish the
 * request, subscribe to the reply, receive the reply. Roles by priority (descending, ties by
 * name), then the groups' roles likewise; the first matching ACL decides; default access
 * never grants `$CONTROL`. (mqctl dynsec check explains decisions in full; this is its core.)
 */
type Check = 'publishClientSend' | 'publishClientReceive' | 'subscribe'

const byPriority =
  <T extends {priority?: number}>(name: (t: T) => string) =>
  (a: T, b: T) =>
    (b.priority ?? -1) - (a.priority ?? -1) || byteOrder(name(a), name(b))

/** subscribePattern containment of a plain topic: `#` and `+` match any level, `$` ones too. */
function patternCovers(acl: string, topic: string): boolean {
  const f = acl.split('/')
  const t = topic.split('/')
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false
  }

  return f.length === t.length
}

function decide(role: StateRole, check: Check, topic: string): boolean | undefined {
  const of = (type: StateAcl['acltype']) => role.acls.filter((a) => a.acltype === type)
  if (check === 'subscribe') {
    const literal = of('subscribeLiteral').find((a) => a.topic === topic)
    if (literal) return literal.allow
    return of('subscribePattern').find((a) => patternCovers(a.topic, topic))?.allow
  }

  return of(check).find((a) => topicMatches(a.topic, topic))?.allow
}

/** The roles that apply to `username` in evaluation order (undefined username: anonymous). */
function rolesInOrder(state: DynsecState, username: string | undefined): StateRole[] | undefined {
  const roles = new Map(state.roles.map((r) => [r.rolename, r]))
  const groups = new Map(state.groups.map((g) => [g.groupname, g]))
  const ofLinks = (links: Array<{rolename: string; priority?: number}>) =>
    [...links]
      .sort(byPriority((l) => l.rolename))
      .flatMap((l) => (roles.has(l.rolename) ? [roles.get(l.rolename)!] : []))
  if (username === undefined) {
    const anon = state.anonymousGroup === undefined ? undefined : groups.get(state.anonymousGroup)
    return anon ? ofLinks(anon.roles) : []
  }

  const client = state.clients.find((c) => c.username === username)
  if (!client || client.disabled) return undefined
  const viaGroups = [...client.groups]
    .sort(byPriority((g) => g.groupname))
    .flatMap((g) => (groups.has(g.groupname) ? ofLinks(groups.get(g.groupname)!.roles) : []))
  return [...ofLinks(client.roles), ...viaGroups]
}

export function allowed(state: DynsecState, username: string | undefined, check: Check, topic: string): boolean {
  const roles = rolesInOrder(state, username)
  if (!roles) return false
  for (const role of roles) {
    const verdict = decide(role, check, topic)
    if (verdict !== undefined) return verdict
  }

  // Default access never grants $CONTROL topics; anything else falls to the defaults.
  if (topic.startsWith('$CONTROL')) return false
  return state.defaultACLAccess[check]
}

/** What the admin would lose, in words; empty when it keeps the API. */
export function apiAccessProblems(state: DynsecState, username: string | undefined): string[] {
  const who = username === undefined ? 'anonymous clients' : `"${username}"`
  const client = username === undefined ? undefined : state.clients.find((c) => c.username === username)
  if (username !== undefined && !client) return [`${who} would no longer exist`]
  if (client?.disabled) return [`${who} would be disabled`]
  const problems: string[] = []
  if (!allowed(state, username, 'publishClientSend', REQUEST_TOPIC))
    problems.push(`${who} could not publish to ${REQUEST_TOPIC}`)
  if (!allowed(state, username, 'subscribe', RESPONSE_TOPIC))
    problems.push(`${who} could not subscribe to ${RESPONSE_TOPIC}`)
  if (!allowed(state, username, 'publishClientReceive', RESPONSE_TOPIC))
    problems.push(`${who} could not receive ${RESPONSE_TOPIC}`)
  return problems
}
