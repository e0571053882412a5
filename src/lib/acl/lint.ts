import {unpublishableCharacter} from '../topic.js'
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
  'acl/tab': 'a tab inside a topic or username is part of it, and no client can use it',
  'acl/nul-byte': 'a NUL byte: the broker ignores the rest of the file from that line on',
  'acl/pattern-without-substitution': 'a pattern without %c or %u applies to every client alike',
  'acl/literal-substitution': '%c/%u in a topic line are literal; only pattern lines substitute',
  'acl/shadowed-by-deny': 'a rule that a deny rule of the same section always overrides',
  'acl/redundant': 'a rule that a broader rule of the same section already grants',
  'acl/never-matches':
    'a rule on a topic no publish or delivery ever has ($share…, invalid UTF-8, control characters), or a user no client can be',
  'acl/duplicate': 'the same rule twice in one section',
  'acl/unknown-user': 'a user section for a user missing from the password file',
  'acl/sys-write': 'write access to $SYS… topics, which the broker allows only for $SYS/broker/connection/+/state',
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

/** Is there a topic that both filters match? (Level by level: `#` takes the rest, `+` one level.) */
export function filtersOverlap(a: string, b: string): boolean {
  if (a.startsWith('$') !== b.startsWith('$')) {
    // A wildcard first level never matches a $ topic, and a literal one either starts with $ or not.
    return false
  }

  const fa = a.split('/')
  const fb = b.split('/')
  for (let i = 0; ; i++) {
    if (fa[i] === '#' || fb[i] === '#') return true
    if (i >= fa.length || i >= fb.length) return fa.length === fb.length
    if (fa[i] !== '+' && fb[i] !== '+' && fa[i] !== fb[i]) return false
  }
}

/** The one $SYS topic filter clients may publish to (acl__check_dollar: bridge status). */
export const SYS_WRITABLE = '$SYS/broker/connection/+/state'

/** Why a rule's topic can never match a PUBLISH (or delivery) topic, if it cannot. */
function unmatchable(rule: AclRule): string | undefined {
  if (rule.invalidUtf8) return 'is not valid UTF-8, and no PUBLISH topic can be'
  const bad = unpublishableCharacter(rule.topic)
  if (bad !== undefined) {
    const c = rule.topic.codePointAt(bad)!
    return c === 9
      ? undefined
      : `contains ${c <= 0x9f ? 'the control character' : 'the non-character'} U+${c.toString(16).toUpperCase().padStart(4, '0')}, which the broker refuses in PUBLISH topics`
  }

  if (rule.topic.startsWith('$share'))
    return 'starts with $share: the broker refuses every publish and delivery on such topics before any ACL'
  return undefined
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
  /**
   * List at most this many findings per rule id (the rest are counted in `omitted`): a file of a
   * million repeated lines needs one message per kind, not a million (memory stays bounded).
   */
  maxPerRule?: number
  /** Filled with the number of findings left out per rule id. */
  omitted?: Map<string, {severity: AclFinding['severity']; count: number}>
  /** Usernames of the password file, for acl/unknown-user. */
  knownUsers?: ReadonlySet<string>
  /** Told now and then how many rules have been checked against the others, of how many. */
  onProgress?: (done: number, total: number) => void
}

export function lintParsedAcl(acl: ParsedAcl, options: LintOptions = {}): AclFinding[] {
  const findings: AclFinding[] = []
  const perRule = new Map<string, number>()
  const max = options.maxPerRule ?? Infinity
  const add = (f: AclFinding) => {
    const n = (perRule.get(f.rule) ?? 0) + 1
    perRule.set(f.rule, n)
    if (n <= max) findings.push(f)
    else options.omitted?.set(f.rule, {severity: f.severity, count: n - max})
  }

  for (const f of acl.errors) add(f)
  for (const f of acl.warnings) add(f)
  if (acl.errors.length > 0) return sortFindings(findings)

  if (acl.rules.length === 0)
    add({
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
      add(
        warn(
          rule,
          'acl/access-word-as-topic',
          `"${rule.kind} ${rule.topic}" has no topic: it grants readwrite on a topic named "${rule.topic}"`,
        ),
      )
    }

    if (rule.kind === 'pattern' && !rule.topic.includes('%c') && !rule.topic.includes('%u')) {
      add(
        warn(
          rule,
          'acl/pattern-without-substitution',
          `pattern "${rule.topic}" has no %c or %u, so it applies to every client (use "topic" in the right section)`,
        ),
      )
    }

    if (rule.kind === 'topic' && /%[cu]/.test(rule.topic)) {
      add(
        warn(
          rule,
          'acl/literal-substitution',
          `%c/%u are not substituted in topic lines; "${rule.topic}" matches those characters literally (use "pattern")`,
        ),
      )
    }

    const never = unmatchable(rule)
    if (never) {
      add(warn(rule, 'acl/never-matches', `"${rule.topic}" never matches: it ${never}`))
    } else if (rule.topic.includes('\t')) {
      add(
        warn(
          rule,
          'acl/tab',
          `the topic "${rule.topic}" contains a tab, which the broker keeps as part of the topic (only spaces separate words); no client can publish such a topic, so the rule never matches`,
        ),
      )
    } else if (
      (rule.access === 'write' || rule.access === 'readwrite') &&
      rule.topic.startsWith('$SYS') &&
      !filtersOverlap(rule.topic, SYS_WRITABLE)
    ) {
      // acl__check_dollar compares 4 bytes: $SYSTEM/x is a $SYS topic too.
      add(
        warn(
          rule,
          'acl/sys-write',
          `the broker lets clients publish to $SYS… topics only on ${SYS_WRITABLE}; the write part of "${rule.access} ${rule.topic}" has no effect`,
        ),
      )
    }

    if (rule.kind === 'topic' && rule.user === undefined && rule.access !== 'deny' && rule.topic === '#') {
      add(
        warn(
          rule,
          'acl/anonymous-broad',
          `clients without username may ${rule.access} every topic (this line comes before any "user" line)`,
        ),
      )
    }
  }

  let checked = 0
  for (const rules of sections.values()) {
    const denies = new FilterIndex<AclRule>()
    const allows = new FilterIndex<AclRule>()
    const repeats = new Set<AclRule>()
    // Only the first of identical rules is indexed: a node then holds at most one rule per access,
    // so a file of repeats stays linear (the repeats are acl/duplicate).
    for (const r of rules) {
      const first = (r.access === 'deny' ? denies : allows).addUnless(r.topic, r, (e) => e.access === r.access)
      if (first) {
        repeats.add(r)
        add(warn(r, 'acl/duplicate', `same rule as line ${first.line}`))
      }
    }

    for (const rule of rules) {
      if ((++checked & 1023) === 0) options.onProgress?.(checked, acl.rules.length)
      if (rule.access === 'deny') continue
      const shadow = denies.findCovering(rule.topic, () => true)
      if (shadow) {
        add(
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
        (r) =>
          r !== rule &&
          grants(r.access, rule.access) &&
          !(r.topic === rule.topic && r.access === rule.access) &&
          !repeats.has(r),
      )
      if (broader)
        add(
          warn(
            rule,
            'acl/redundant',
            `never decides anything: "${broader.access} ${broader.topic}" on line ${broader.line} already grants it`,
          ),
        )
    }
  }

  for (const user of acl.users) {
    const bad = user.invalidUtf8 ? 0 : unpublishableCharacter(user.name)
    if (bad !== undefined) {
      const what = user.invalidUtf8
        ? 'is not valid UTF-8'
        : user.name.charCodeAt(bad) === 9
          ? 'contains a tab (part of the name: only spaces separate words)'
          : 'contains a control character or non-character'
      add(
        warn(
          user,
          user.name.charCodeAt(bad) === 9 && !user.invalidUtf8 ? 'acl/tab' : 'acl/never-matches',
          `user "${user.name}" ${what}: the broker refuses such a username in CONNECT, so this section applies to no MQTT client`,
        ),
      )
    }
  }

  if (options.knownUsers) {
    for (const user of acl.users) {
      if (!options.knownUsers.has(user.name))
        add(warn(user, 'acl/unknown-user', `user "${user.name}" is not in the password file`))
    }
  }

  const restricts = acl.rules.some((r) => r.access === 'deny' || r.access === 'read')
  if (restricts) {
    const first = acl.rules[0]
    add(
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
