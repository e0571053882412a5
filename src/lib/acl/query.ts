import {MqctlError} from '../errors.js'
import {escapeForLine} from '../output/escape.js'
import {verdictOf} from '../output/verdict-of.js'
import {checkPublishTopic, describeBrokerTopicProblem, unpublishableCharacter} from '../topic.js'
import {evaluateAcl, type AclDecision, type AclQuery} from './evaluate.js'
import type {AclRule, ParsedAcl} from './parse.js'

export {readAcl} from './lint-file.js'

/**
 * What `acl check` and `acl who` share: the query checks, the refusal of a file the broker would
 * not load, and the JSON shape of a decision (one evaluator: evaluateAcl).
 */

/** A query the broker could be asked: a topic a client can PUBLISH, names a CONNECT can carry. */
export function checkAclQuery(
  q: Omit<AclQuery, 'username' | 'clientId'> & {username?: string; clientId?: string},
): void {
  const problem = checkPublishTopic(q.topic)
  if (problem)
    throw new MqctlError('USAGE_TOPIC', `--topic "${escapeForLine(q.topic)}": ${describeBrokerTopicProblem(problem)}`)
  for (const [flag, value] of [
    ['--user', q.username],
    ['--client-id', q.clientId],
  ] as const) {
    if (value !== undefined && unpublishableCharacter(value) !== undefined)
      throw new MqctlError(
        'USAGE_NAME',
        `${flag} "${escapeForLine(value)}": the broker refuses control characters and non-characters in CONNECT`,
      )
  }
}

/** The broker refuses to start with this file: exit 5 naming file:line:column. */
export function refuseBroken(name: string, acl: ParsedAcl): void {
  if (acl.errors.length === 0) return
  const e = acl.errors[0]
  throw new MqctlError('PARSE_ACL', `the broker would refuse this file: ${escapeForLine(e.message)}`, {
    location: {file: name, line: e.line, column: e.column},
  })
}

const ruleJson = (r: AclRule) => ({line: r.line, kind: r.kind, access: r.access, topic: r.topic, user: r.user})

export function decisionJson(decision: AclDecision, query: AclQuery) {
  return {
    verdict: verdictOf(decision.allowed),
    allowed: decision.allowed,
    reason: decision.reason,
    line: decision.rule?.line,
    query: {...query, username: query.username ?? null},
    steps: decision.steps.map((s) => ({...ruleJson(s.rule), filter: s.filter, outcome: s.outcome, reason: s.reason})),
  }
}

export function explainLines(decision: AclDecision): string[] {
  return decision.steps.map((s) =>
    escapeForLine(
      `  line ${s.rule.line}: ${s.rule.kind} ${s.rule.access} ${s.filter}${s.filter === s.rule.topic ? '' : ` (from ${s.rule.topic})`}: ${s.outcome} (${s.reason})`,
    ),
  )
}

export interface WhoEntry {
  /** null = a client without username. */
  username: string | null
  /** Where the name comes from: the password file, a `user` line, or anonymous. */
  source: 'passwd' | 'acl' | 'passwd+acl' | 'anonymous'
  reason: string
  line?: number
}

/**
 * `acl who`: every candidate user (the password file's, those named by `user` lines, anonymous)
 * that evaluateAcl allows, with the line that decided. The client id matters only to %c
 * patterns and the dangerous-id rule; it is the same for every user.
 */
export function whoAcl(
  acl: ParsedAcl,
  q: {topic: string; access: 'read' | 'write'; clientId: string},
  passwdUsers: readonly string[] | undefined,
): {allowed: WhoEntry[]; denied: number; candidates: number} {
  const sources = new Map<string, WhoEntry['source']>()
  // A name the broker refuses in CONNECT (control characters, invalid UTF-8) is no client.
  const usable = (name: string) => name !== '' && unpublishableCharacter(name) === undefined
  for (const u of passwdUsers ?? []) if (usable(u)) sources.set(u, 'passwd')
  for (const s of acl.users) {
    if (s.invalidUtf8 || !usable(s.name)) continue
    sources.set(s.name, sources.get(s.name) === 'passwd' ? 'passwd+acl' : (sources.get(s.name) ?? 'acl'))
  }

  const candidates: Array<[string | undefined, WhoEntry['source']]> = [
    [undefined, 'anonymous'],
    ...[...sources].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
  ]
  const allowed: WhoEntry[] = []
  for (const [username, source] of candidates) {
    const d = evaluateAcl(acl, {username, clientId: q.clientId, topic: q.topic, access: q.access})
    if (d.allowed) allowed.push({username: username ?? null, source, reason: d.reason, line: d.rule?.line})
  }

  return {allowed, denied: candidates.length - allowed.length, candidates: candidates.length}
}
