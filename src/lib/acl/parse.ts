import {checkTopicFilter} from '../topic.js'

/**
 * The acl_file grammar exactly as mosquitto 2.0 reads it (spec 4.1): `#` only in column 1,
 * tokens split on the space character only, `topic`/`pattern` with an optional access word
 * and the rest of the line as the topic, `user` taking the rest of the line.
 */
export type Access = 'read' | 'write' | 'readwrite' | 'deny'
export const ACCESS_WORDS: readonly Access[] = ['read', 'write', 'readwrite', 'deny']

export interface AclRule {
  kind: 'topic' | 'pattern'
  access: Access
  /** False for `topic foo` (readwrite by omission). */
  explicitAccess: boolean
  topic: string
  /** The `user` section a topic line belongs to; undefined = anonymous clients. Patterns ignore it. */
  user?: string
  line: number
  column: number
}

export interface AclUserSection {
  name: string
  line: number
  column: number
}

export type Severity = 'error' | 'warning' | 'note'

export interface AclFinding {
  rule: string
  severity: Severity
  message: string
  line: number
  column: number
}

export interface ParsedAcl {
  rules: AclRule[]
  users: AclUserSection[]
  /** Lines whose content the broker refuses; any one makes it refuse the whole file. */
  errors: AclFinding[]
  /** Parser-level traps that still load (tabs inside topics, …). */
  warnings: AclFinding[]
  lineCount: number
}

const TRAILING_WS = /[\t\n\v\f\r ]+$/

/** strtok(s, " "): the next token and where it starts, or undefined. */
function nextToken(s: string, from: number): {text: string; start: number; end: number} | undefined {
  let i = from
  while (i < s.length && s[i] === ' ') i++
  if (i >= s.length) return undefined
  const start = i
  while (i < s.length && s[i] !== ' ') i++
  return {text: s.slice(start, i), start, end: i}
}

/** Parses the whole text; `file` is only used in messages. */
export function parseAclFile(text: string, file = 'acl_file'): ParsedAcl {
  const rules: AclRule[] = []
  const users: AclUserSection[] = []
  const errors: AclFinding[] = []
  const warnings: AclFinding[] = []
  let user: string | undefined
  const lines = text.split('\n')
  if (lines.at(-1) === '') lines.pop()

  for (const [index, rawLine] of lines.entries()) {
    const line = index + 1
    const s = rawLine.replace(TRAILING_WS, '')
    if (s.startsWith('#') || s === '') continue
    const error = (message: string, column: number, rule: string) =>
      errors.push({rule, severity: 'error', message, line, column})

    const first = nextToken(s, 0)
    if (!first) continue
    if (first.text === 'topic' || first.text === 'pattern') {
      const second = nextToken(s, first.end)
      if (!second) {
        error(`Empty topic in acl_file "${file}".`, first.end + 1, 'acl/empty-topic')
        continue
      }

      let topic: string
      let topicColumn: number
      let access: Access = 'readwrite'
      let explicitAccess = false
      const restStart = second.end + 1
      if (restStart <= s.length && s.slice(restStart).replace(/^ +/, '') !== '') {
        const rest = s.slice(restStart)
        const lead = rest.length - rest.replace(/^ +/, '').length
        topic = rest.slice(lead)
        topicColumn = restStart + lead + 1
        if (!(ACCESS_WORDS as readonly string[]).includes(second.text)) {
          error(
            `Invalid topic access type "${second.text}" in acl_file "${file}".`,
            second.start + 1,
            'acl/access-type',
          )
          continue
        }

        access = second.text as Access
        explicitAccess = true
      } else {
        topic = second.text
        topicColumn = second.start + 1
      }

      if (checkTopicFilter(topic) !== undefined) {
        error(`Invalid ACL topic "${topic}" in acl_file "${file}".`, topicColumn, 'acl/invalid-topic')
        continue
      }

      if (topic.includes('\t')) {
        warnings.push({
          rule: 'acl/tab',
          severity: 'warning',
          message: 'the topic contains a tab, which the broker keeps as part of the topic (only spaces separate words)',
          line,
          column: topicColumn + topic.indexOf('\t'),
        })
      }

      rules.push({
        kind: first.text,
        access,
        explicitAccess,
        topic,
        user: first.text === 'topic' ? user : undefined,
        line,
        column: topicColumn,
      })
    } else if (first.text === 'user') {
      const rest = s.slice(first.end).replace(/^ +/, '')
      if (rest === '') {
        error(`Missing username in acl_file "${file}".`, first.end + 1, 'acl/missing-username')
        continue
      }

      user = rest
      users.push({name: rest, line, column: s.length - rest.length + 1})
      if (rest.includes('\t')) {
        warnings.push({
          rule: 'acl/tab',
          severity: 'warning',
          message: 'the username contains a tab, which the broker keeps as part of the name',
          line,
          column: s.length - rest.length + 1 + rest.indexOf('\t'),
        })
      }
    } else {
      const hint = first.text.startsWith('#')
        ? ' (a comment must start in column 1)'
        : first.text.includes('\t')
          ? ' (words are separated by spaces only, not tabs)'
          : ''
      error(
        `Invalid line in acl_file "${file}": ${first.text}.${hint}`,
        first.start + 1,
        first.text.startsWith('#')
          ? 'acl/indented-comment'
          : first.text.includes('\t')
            ? 'acl/tab-separator'
            : 'acl/invalid-line',
      )
    }
  }

  return {rules, users, errors, warnings, lineCount: lines.length}
}
