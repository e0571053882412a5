import {topicMatches} from '../topic.js'
import type {Access, AclRule, ParsedAcl} from './parse.js'

/**
 * Decides a publish (`write`) or a delivery (`read`) the way mosquitto 2.0 does with an
 * acl_file (security.c acl__check_dollar, then security_default.c), and says why.
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
  /** Decided before any ACL line ($SYS, $share, $CONTROL). */
  dollar?: boolean
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

function matches(rule: AclRule, filter: string, topic: string): boolean {
  // Invalid UTF-8 stays in a literal level, and PUBLISH topics are valid UTF-8.
  if (rule.invalidUtf8) return false
  // A `$` topic is only matched by an entry that itself starts with `$` (and the reverse).
  if (topic.startsWith('$') !== filter.startsWith('$')) return false
  return topicMatches(filter, topic)
}

/** The broker's list order: each deny is put at the front as it is read, the others appended. */
const brokerOrder = (rules: AclRule[]) => [
  ...rules.filter((r) => r.access === 'deny').reverse(),
  ...rules.filter((r) => r.access !== 'deny'),
]

/** acl__check_dollar: string prefixes, so `$SYSTEM/x` counts as $SYS and `$shared/x` as $share. */
function dollarVerdict(q: AclQuery): string | undefined {
  if (q.topic.startsWith('$SYS')) {
    if (q.access === 'write' && !topicMatches('$SYS/broker/connection/+/state', q.topic))
      return 'the broker lets clients publish to $SYS… topics (any topic starting with "$SYS") only on $SYS/broker/connection/+/state'
  } else if (q.topic.startsWith('$share')) {
    return 'the broker refuses every publish and delivery on topics starting with "$share" before any ACL (they can only be subscribed to)'
  }

  return undefined
}

export function evaluateAcl(acl: ParsedAcl, q: AclQuery): AclDecision {
  const dollar = dollarVerdict(q)
  if (dollar) return {allowed: false, reason: dollar, steps: [], dollar: true}
  const decision = evaluateRules(acl, q)
  if (q.access === 'read' && q.topic.startsWith('$CONTROL/')) {
    // handle_publish hands $CONTROL/… to the control plugins and never queues it; only a will
    // message on such a topic reaches subscribers, and that one the ACL decides.
    return {
      allowed: false,
      dollar: true,
      steps: decision.steps,
      reason: `a PUBLISH to $CONTROL/… goes to the broker's control plugins and is never delivered (a will message would be ${decision.allowed ? 'allowed' : 'denied'}: ${decision.reason})`,
      rule: decision.rule,
    }
  }

  return decision
}

function evaluateRules(acl: ParsedAcl, q: AclQuery): AclDecision {
  const steps: AclStep[] = []
  const decide = (allowed: boolean, reason: string, rule?: AclRule): AclDecision => ({allowed, reason, rule, steps})

  const patterns = acl.rules.filter((r) => r.kind === 'pattern')
  const own = acl.rules.filter((r) => r.kind === 'topic' && r.user === q.username && !r.inInvalidSection)
  if (acl.rules.length === 0) return decide(false, 'the ACL file has no rules, so everything is denied')
  if (own.length === 0 && patterns.length === 0) {
    return decide(
      false,
      q.username === undefined
        ? 'no rules for anonymous clients and no patterns'
        : `no rules in a "user ${q.username}" section and no patterns`,
    )
  }

  const step = (rule: AclRule, filter: string): AclStep['outcome'] => {
    const matched = matches(rule, filter, q.topic)
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
      reason: matched
        ? outcome === 'skip'
          ? `grants ${rule.access} only`
          : rule.access
        : rule.invalidUtf8
          ? 'topic is not valid UTF-8, so it matches nothing'
          : 'topic does not match',
    })
    return outcome
  }

  for (const rule of brokerOrder(own)) {
    const outcome = step(rule, rule.topic)
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

  for (const rule of brokerOrder(patterns)) {
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

    const outcome = step(rule, substitute(rule.topic, q.clientId, q.username))
    if (outcome === 'deny') return decide(false, `denied by pattern on line ${rule.line}`, rule)
    if (outcome === 'allow') return decide(true, `allowed by pattern on line ${rule.line}`, rule)
  }

  return decide(false, 'no rule matched')
}
