/**
 * MQTT topic names and filters: validation and matching, the one implementation every
 * command uses (ACL files, dynsec ACLs, probe).
 */

export type TopicProblem =
  'empty' | 'too-long' | 'invalid-utf8' | 'null-character' | 'wildcard-in-name' | 'misplaced-plus' | 'misplaced-hash'

const MAX_BYTES = 65_535

function common(topic: string): TopicProblem | undefined {
  if (topic.length === 0) return 'empty'
  if (topic.includes('\u0000')) return 'null-character'
  if (topic.includes('\uFFFD') || /[\uD800-\uDFFF]/.test(topic.replaceAll(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, '')))
    return 'invalid-utf8'
  if (Buffer.byteLength(topic, 'utf8') > MAX_BYTES) return 'too-long'
  return undefined
}

/** A subscription filter: `+` and `#` only as whole levels, `#` only last. */
export function checkTopicFilter(filter: string): TopicProblem | undefined {
  const problem = common(filter)
  if (problem) return problem
  const levels = filter.split('/')
  for (const [i, level] of levels.entries()) {
    if (level.includes('+') && level !== '+') return 'misplaced-plus'
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) return 'misplaced-hash'
  }

  return undefined
}

/** A topic name to publish to: no wildcards at all. */
export function checkTopicName(name: string): TopicProblem | undefined {
  return common(name) ?? (/[+#]/.test(name) ? 'wildcard-in-name' : undefined)
}

export const isValidTopicFilter = (filter: string): boolean => checkTopicFilter(filter) === undefined

export const describeTopicProblem = (p: TopicProblem): string =>
  ({
    empty: 'topic is empty',
    'too-long': 'topic is longer than 65535 bytes',
    'invalid-utf8': 'topic is not valid UTF-8',
    'null-character': 'topic contains a NUL character',
    'wildcard-in-name': 'a topic name cannot contain + or #',
    'misplaced-plus': '+ must occupy a whole topic level',
    'misplaced-hash': '# must be the last level, on its own',
  })[p]

/**
 * Does `filter` match `topic`? `+` is one level, `#` the rest (including the parent: `a/#`
 * matches `a`). Wildcards at the first level never match topics starting with `$`.
 */
export function topicMatches(filter: string, topic: string): boolean {
  if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false
  const f = filter.split('/')
  const t = topic.split('/')
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true
    if (i >= t.length) return false
    if (f[i] !== '+' && f[i] !== t[i]) return false
  }

  return f.length === t.length
}

/**
 * Substitutes `%c` and `%u` in a pattern the way mosquitto's acl_file does: each whole level
 * equal to `%c`/`%u` becomes the client id/username. Returns undefined when the pattern needs
 * a value the client does not have (no username for `%u`).
 */
export function substitutePattern(
  pattern: string,
  clientId: string | undefined,
  username: string | undefined,
): string | undefined {
  const levels = pattern.split('/')
  const out: string[] = []
  for (const level of levels) {
    if (level === '%c') {
      if (clientId === undefined) return undefined
      out.push(clientId)
    } else if (level === '%u') {
      if (username === undefined) return undefined
      out.push(username)
    } else {
      out.push(level)
    }
  }

  return out.join('/')
}

/** The broker's limit on topic levels (TOPIC_HIERARCHY_LIMIT: more than 200 `/` is refused). */
export const MAX_TOPIC_SLASHES = 200

export type BrokerTopicProblem =
  'empty' | 'too-long' | 'too-deep' | 'misplaced-plus' | 'misplaced-hash' | 'wildcard-in-name'

function slashes(s: string): number {
  let n = 0
  for (let i = s.indexOf('/'); i >= 0; i = s.indexOf('/', i + 1)) n++
  return n
}

/**
 * mosquitto_sub_topic_check as the broker applies it to acl_file topics: wildcard placement, at
 * most 65535 bytes and 200 `/`. No UTF-8 check at all (the broker loads invalid UTF-8).
 */
export function checkAclFileTopic(
  topic: string,
  byteLength = Buffer.byteLength(topic, 'utf8'),
): BrokerTopicProblem | undefined {
  const levels = topic.split('/')
  for (const [i, level] of levels.entries()) {
    if (level.includes('+') && level !== '+') return 'misplaced-plus'
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) return 'misplaced-hash'
  }

  if (byteLength > MAX_BYTES) return 'too-long'
  if (levels.length - 1 > MAX_TOPIC_SLASHES) return 'too-deep'
  return undefined
}

/**
 * Characters a PUBLISH topic may not contain on mosquitto (mosquitto_validate_utf8): NUL and
 * other C0/C1 controls, DEL, U+FDD0..U+FDEF and U+xFFFE/U+xFFFF non-characters, lone surrogates.
 */
export function unpublishableCharacter(s: string): number | undefined {
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1)
      if (!(d >= 0xdc00 && d <= 0xdfff)) return i
      c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00)
      if ((c & 0xffff) >= 0xfffe) return i
      i++
      continue
    }

    if (c >= 0xdc00 && c <= 0xdfff) return i
    if (c <= 0x1f || (c >= 0x7f && c <= 0x9f)) return i
    if ((c >= 0xfdd0 && c <= 0xfdef) || c >= 0xfffe) return i
  }

  return undefined
}

/**
 * A topic a client can PUBLISH to on mosquitto 2.0 (packet__read_string + mosquitto_pub_topic_check):
 * valid UTF-8 without control characters or non-characters, no wildcards, at most 65535 bytes
 * and 200 `/`.
 */
export function checkPublishTopic(
  topic: string,
): BrokerTopicProblem | 'invalid-utf8' | 'control-character' | undefined {
  if (topic.length === 0) return 'empty'
  const bad = unpublishableCharacter(topic)
  if (bad !== undefined) return topic.charCodeAt(bad) <= 0x9f ? 'control-character' : 'invalid-utf8'
  if (/[+#]/.test(topic)) return 'wildcard-in-name'
  if (Buffer.byteLength(topic, 'utf8') > MAX_BYTES) return 'too-long'
  if (slashes(topic) > MAX_TOPIC_SLASHES) return 'too-deep'
  return undefined
}

export const describeBrokerTopicProblem = (p: NonNullable<ReturnType<typeof checkPublishTopic>>): string =>
  ({
    empty: 'topic is empty',
    'too-long': 'topic is longer than 65535 bytes',
    'too-deep': `topic has more than ${MAX_TOPIC_SLASHES} "/" (the broker's level limit)`,
    'invalid-utf8': 'topic is not valid UTF-8 or contains a non-character',
    'control-character': 'topic contains a control character, which the broker refuses in PUBLISH',
    'misplaced-plus': '+ must occupy a whole topic level',
    'misplaced-hash': '# must be the last level, on its own',
    'wildcard-in-name': 'a topic name cannot contain + or #',
  })[p]
/**
 * The dynamic-security plugin's subscribePattern/unsubscribePattern test in 2.0.x: may a client
 * subscribe to `filter` under an ACL `acl`? It compares levels only: `+` in the ACL covers one
 * level, a trailing `#` any rest (and the parent), a filter ending in `#` needs an ACL ending in
 * `#`, and there is no `$` rule: ACL `#` (and `+/#`) cover `$SYS/#` too. Invalid input is not
 * rejected, only compared.
 */
export function subscriptionWithinAcl20(acl: string, filter: string): boolean {
  if (acl === '#') return true
  const stripHash = (s: string): [string, boolean] => {
    if (s === '#') return ['', true]
    if (s.length > 1 && s.endsWith('/#')) return [s.slice(0, -2), true]
    return [s, false]
  }

  const [a, aclHash] = stripHash(acl)
  const [f, filterHash] = stripHash(filter)
  if (filterHash && !aclHash) return false
  const al = a.split('/')
  const fl = f.split('/')
  if (al.length > fl.length) return false
  if (fl.length > al.length && !aclHash) return false
  return al.every((level, i) => level === '+' || level === fl[i])
}

/**
 * Whether `filter` is inside `acl` as 2.1's plugin decides it (mosquitto_sub_matches_acl): `$`
 * topics only under `$` ACLs, `+` never covers a `#` level, `#` covers the rest. Both are
 * assumed valid filters.
 */
export function subscriptionWithinAcl21(acl: string, filter: string): boolean {
  if (acl.startsWith('$') !== filter.startsWith('$')) return false
  const al = acl.split('/')
  const fl = filter.split('/')
  for (let i = 0; i < al.length; i++) {
    if (al[i] === '#') return true
    if (i >= fl.length) return false
    if (al[i] === '+') {
      if (fl[i] === '#') return false
      continue
    }

    if (al[i] !== fl[i]) return false
  }

  if (fl.length === al.length) return true
  // `a/b` is inside `a/b/#` only through the `#` branch above; a longer filter is not inside.
  return false
}

/**
 * mosquitto_topic_matches_sub as 2.0.x runs it on an ACL topic that is NOT a valid filter (the
 * plugin loads such topics from its file unchecked): the walk gives up on the first malformed
 * level, so the only match left is a topic that ends where an ACL `…/+/#…` has just consumed
 * its last level with `+`. Valid filters go through topicMatches.
 */
export function invalidFilterMatches20(filter: string, topic: string): boolean {
  if (topic.startsWith('$') !== filter.startsWith('$')) return false
  const f = filter.split('/')
  const t = topic.split('/')
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '+') {
      if (i === t.length - 1 && f.length > i + 1 && f[i + 1].startsWith('#')) return true
      if (i >= t.length) return false
      continue
    }

    if (/[+#]/.test(f[i]) || i >= t.length || f[i] !== t[i]) return false
  }

  return false
}
