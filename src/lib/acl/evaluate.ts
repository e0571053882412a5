import {topicMatches} from '../topic.js'
import type {Access, AclRule, ParsedAcl} from './parse.js'

/**
 * Decides a publish (`write`) or a delivery (`read`) the way mosquitto 2.0's acl_file does
 * (spec 4.2), and says why.
 */
export interface AclQuery {
  /** undefined = a client without username (the anonymous section applies). */
  username?: string
  clientId: string
  topic: string
  access: 'read' | 'write'
}

export interface AclStep {
  rule: AclRule
  /** The filter after %c/%u substitution (patterns). */
  filter: string
  matched: boolean
  outcome: 'deny' | 'allow' | 'skip'
  reason: string
}

export interface AclDecision {
  allowed: boolean
  /** The rule that decided, when one did. */
  rule?: AclRule
  reason: string
  steps: AclStep[]
}

const grants = (access: Access, wanted: 'read' | 'write') => access === 'readwrite' || access === wanted

/** 2.0 substitutes `%c`/`%u` wherever they occur in the pattern, not only as whole levels. */
export function substitute(pattern: string, clientId: string, username: string | undefined): string {
  let out = ''
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '%' && i < pattern.length - 1) {
      if (pattern[i + 1] === 'c') {
        out += clientId
        i++
        continue
      }

      if (pattern[i + 1] === 'u' && username !== undefined) {
        out += username
        i++
        continue
      }
    }

    out += pattern[i]
  }

  return out
}

function matches(filter: string, topic: string): boolean {
  // A `$` topic is only matched by an entry that itself starts with `$`.
  if (topic.startsWith('$') && !filter.startsWith('$')) return false
  return topicMatches(filter, topic)
}

/** Deny rules first (they win wherever they are), then the others in file order. */
const denyFirst = (rules: AclRule[]) => [
  ...rules.filter((r) => r.access === 'deny'),
  ...rules.filter((r) => r.access !== 'deny'),
]

export function evaluateAcl(acl: ParsedAcl, q: AclQuery): AclDecision {
  const steps: AclStep[] = []
  const decide = (allowed: boolean, reason: string, rule?: AclRule): AclDecision => ({allowed, reason, rule, steps})

  if (q.access === 'write') {
    if (q.topic.startsWith('$SYS/') || q.topic === '$SYS') {
      if (!topicMatches('$SYS/broker/connection/+/state', q.topic))
        return decide(false, 'the broker never lets clients publish to $SYS topics')
    }

    if (q.topic.startsWith('$share/'))
      return decide(false, '$share/ topics can only be subscribed to, never published to')
  }

  const patterns = acl.rules.filter((r) => r.kind === 'pattern')
  const own = acl.rules.filter((r) => r.kind === 'topic' && r.user === q.username)
  const hasSection = q.username === undefined ? own.length > 0 : acl.users.some((u) => u.name === q.username)
  if (acl.rules.length === 0) return decide(false, 'the ACL file has no rules, so everything is denied')
  if (!hasSection && patterns.length === 0) {
    return decide(
      false,
      q.username === undefined
        ? 'no rules for anonymous clients and no patterns'
        : `no "user ${q.username}" section and no patterns`,
    )
  }

  for (const rule of denyFirst(own)) {
    const matched = matches(rule.topic, q.topic)
    const outcome = !matched
      ? 'skip'
      : rule.access === 'deny'
        ? 'deny'
        : grants(rule.access, q.access)
          ? 'allow'
          : 'skip'
    steps.push({
      rule,
      filter: rule.topic,
      matched,
      outcome,
      reason: matched ? (outcome === 'skip' ? `grants ${rule.access} only` : rule.access) : 'topic does not match',
    })
    if (outcome === 'deny') return decide(false, `denied by line ${rule.line}`, rule)
    if (outcome === 'allow') return decide(true, `allowed by line ${rule.line}`, rule)
  }

  if (patterns.length > 0) {
    for (const [what, value] of [
      ['username', q.username],
      ['client id', q.clientId],
    ] as const) {
      if (value !== undefined && /[+#]/.test(value)) {
        return decide(false, `the broker denies clients whose ${what} contains + or # when patterns exist ("${value}")`)
      }
    }
  }

  for (const rule of denyFirst(patterns)) {
    if (rule.topic.includes('%u') && q.username === undefined) {
      steps.push({
        rule,
        filter: rule.topic,
        matched: false,
        outcome: 'skip',
        reason: '%u pattern skipped for a client without username',
      })
      continue
    }

    const filter = substitute(rule.topic, q.clientId, q.username)
    const matched = matches(filter, q.topic)
    const outcome = !matched
      ? 'skip'
      : rule.access === 'deny'
        ? 'deny'
        : grants(rule.access, q.access)
          ? 'allow'
          : 'skip'
    steps.push({
      rule,
      filter,
      matched,
      outcome,
      reason: matched ? (outcome === 'skip' ? `grants ${rule.access} only` : rule.access) : 'topic does not match',
    })
    if (outcome === 'deny') return decide(false, `denied by pattern on line ${rule.line}`, rule)
    if (outcome === 'allow') return decide(true, `allowed by pattern on line ${rule.line}`, rule)
  }

  return decide(false, 'no rule matched')
}
