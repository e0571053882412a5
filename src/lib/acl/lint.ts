import {FilterIndex} from './filter-index.js'
import {ACCESS_WORDS, parseAclFile, type AclFinding, type AclRule, type ParsedAcl} from './parse.js'

/**
 * acl_file findings: the broker's refusals (errors) and the traps that load but do not do
 * what the author meant (warnings). Rule ids are stable; README lists them with examples.
 */
export const ACL_RULES: Record<string, string> = {
  'acl/invalid-line': 'a line the broker refuses (unknown keyword)',
  'acl/indented-comment': 'a comment not in column 1: the broker refuses the file',
  'acl/tab-separator': 'words separated by tabs: the broker refuses the file',
  'acl/empty-topic': 'topic or pattern without a topic: the broker refuses the file',
  'acl/access-type': 'an access word other than read, write, readwrite, deny: the broker refuses the file',
  'acl/invalid-topic': 'a topic that is not a valid subscription filter: the broker refuses the file',
  'acl/missing-username': 'user without a name: the broker refuses the file',
  'acl/access-word-as-topic': '"topic read" grants readwrite on a topic named "read"',
  'acl/tab': 'a tab inside a topic or username is part of it',
  'acl/pattern-without-substitution': 'a pattern without %c or %u applies to every client alike',
  'acl/literal-substitution': '%c/%u in a topic line are literal; only pattern lines substitute',
  'acl/shadowed-by-deny': 'a rule that a deny rule of the same section always overrides',
  'acl/redundant': 'a rule that a broader rule of the same section already grants',
  'acl/never-matches': 'a rule on a topic no publish or delivery ever has ($share/…)',
  'acl/duplicate': 'the same rule twice in one section',
  'acl/unknown-user': 'a user section for a user missing from the password file',
  'acl/sys-write': 'write access to $SYS topics, which the broker never allows',
  'acl/anonymous-broad': 'clients without username may read or write every topic',
  'acl/empty-file': 'no rules: the broker denies every publish and delivery',
  'acl/no-subscribe-control': 'acl_file cannot refuse SUBSCRIBE, only delivery',
}

/** Does access `a` include every right of access `b` (neither a deny)? */
const grants = (a: string, b: string): boolean => a === b || a === 'readwrite'

/**
 * Does filter `a` match every topic that `b` matches? The definition FilterIndex implements
 * for lint's lookups; the tests hold the index to it.
 */
export function filterCovers(a: string, b: string): boolean {
  const fa = a.split('/')
  const fb = b.split('/')
  for (let i = 0; i < fa.length; i++) {
    if (fa[i] === '#') return !(i === 0 && b.startsWith('$') && !a.startsWith('$'))
    if (i >= fb.length) return false
    if (fb[i] === '#') return false
    if (fa[i] === '+') {
      if (i === 0 && fb[i].startsWith('$')) return false
      continue
    }

    if (fa[i] !== fb[i]) return false
  }

  return fa.length === fb.length
}

const warn = (
  rule: AclRule | {line: number; column: number},
  id: string,
  message: string,
  severity: AclFinding['severity'] = 'warning',
): AclFinding => ({
  rule: id,
  severity,
  message,
  line: rule.line,
  column: rule.column,
})

export interface LintOptions {
  /** Usernames of the password file, for acl/unknown-user. */
  knownUsers?: ReadonlySet<string>
}

export function lintParsedAcl(acl: ParsedAcl, options: LintOptions = {}): AclFinding[] {
  const findings: AclFinding[] = [...acl.errors, ...acl.warnings]
  if (acl.errors.length > 0) return sortFindings(findings)

  if (acl.rules.length === 0)
    findings.push({
      rule: 'acl/empty-file',
      severity: 'warning',
      message: 'the file has no rules: the broker denies every publish and every delivery',
      line: 1,
      column: 1,
    })

  const sections = new Map<string, AclRule[]>()
  for (const rule of acl.rules) {
    const key =
      rule.kind === 'pattern' ? 'pattern' : `topic:${rule.user ?? ''}:${rule.user === undefined ? 'anon' : 'user'}`
    const list = sections.get(key)
    if (list) list.push(rule)
    else sections.set(key, [rule])

    if (!rule.explicitAccess && (ACCESS_WORDS as readonly string[]).includes(rule.topic)) {
      findings.push(
        warn(
          rule,
          'acl/access-word-as-topic',
          `"${rule.kind} ${rule.topic}" has no topic: it grants readwrite on a topic named "${rule.topic}"`,
        ),
      )
    }

    if (rule.kind === 'pattern' && !rule.topic.includes('%c') && !rule.topic.includes('%u')) {
      findings.push(
        warn(
          rule,
          'acl/pattern-without-substitution',
          `pattern "${rule.topic}" has no %c or %u, so it applies to every client (use "topic" in the right section)`,
        ),
      )
    }

    if (rule.kind === 'topic' && /%[cu]/.test(rule.topic)) {
      findings.push(
        warn(
          rule,
          'acl/literal-substitution',
          `%c/%u are not substituted in topic lines; "${rule.topic}" matches those characters literally (use "pattern")`,
        ),
      )
    }

    if (
      (rule.access === 'write' || rule.access === 'readwrite') &&
      (rule.topic === '$SYS' || rule.topic.startsWith('$SYS/'))
    ) {
      findings.push(
        warn(
          rule,
          'acl/sys-write',
          `the broker never lets clients publish to $SYS topics; the write part of "${rule.access} ${rule.topic}" has no effect`,
        ),
      )
    }

    if (rule.topic === '$share' || rule.topic.startsWith('$share/')) {
      findings.push(
        warn(
          rule,
          'acl/never-matches',
          `"${rule.topic}" never matches: publishing to $share topics is refused before any ACL, and messages are delivered under their real topic`,
        ),
      )
    }

    if (rule.kind === 'topic' && rule.user === undefined && rule.access !== 'deny' && rule.topic === '#') {
      findings.push(
        warn(
          rule,
          'acl/anonymous-broad',
          `clients without username may ${rule.access} every topic (this line comes before any "user" line)`,
        ),
      )
    }
  }

  for (const rules of sections.values()) {
    const denies = new FilterIndex<AclRule>()
    const allows = new FilterIndex<AclRule>()
    for (const r of rules) (r.access === 'deny' ? denies : allows).add(r.topic, r)
    const seen = new Map<string, AclRule>()
    for (const rule of rules) {
      const key = `${rule.access} ${rule.topic}`
      const first = seen.get(key)
      if (first) findings.push(warn(rule, 'acl/duplicate', `same rule as line ${first.line}`))
      else seen.set(key, rule)
      if (rule.access === 'deny') continue
      const shadow = denies.findCovering(rule.topic, () => true)
      if (shadow) {
        findings.push(
          warn(
            rule,
            'acl/shadowed-by-deny',
            `never grants anything: "deny ${shadow.topic}" on line ${shadow.line} covers it, and deny rules always win`,
          ),
        )
        continue
      }

      // Any one matching allow suffices, so a rule inside a broader one with at least its access
      // never changes a decision (exact repeats are acl/duplicate instead).
      const broader = allows.findCovering(
        rule.topic,
        (r) => r !== rule && grants(r.access, rule.access) && !(r.topic === rule.topic && r.access === rule.access),
      )
      if (broader)
        findings.push(
          warn(
            rule,
            'acl/redundant',
            `never decides anything: "${broader.access} ${broader.topic}" on line ${broader.line} already grants it`,
          ),
        )
    }
  }

  if (options.knownUsers) {
    for (const user of acl.users) {
      if (!options.knownUsers.has(user.name))
        findings.push(warn(user, 'acl/unknown-user', `user "${user.name}" is not in the password file`))
    }
  }

  const restricts = acl.rules.some((r) => r.access === 'deny' || r.access === 'read')
  if (restricts) {
    const first = acl.rules[0]
    findings.push(
      warn(
        first,
        'acl/no-subscribe-control',
        'acl_file controls delivery, not SUBSCRIBE: a client may subscribe to a denied topic and simply receive nothing',
        'note',
      ),
    )
  }

  return sortFindings(findings)
}

const sortFindings = (f: AclFinding[]) => f.sort((a, b) => a.line - b.line || a.column - b.column)

export function lintAclText(text: string, file: string, options: LintOptions = {}): AclFinding[] {
  return lintParsedAcl(parseAclFile(text, file), options)
}
