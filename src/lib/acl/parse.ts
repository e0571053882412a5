import {isUtf8} from 'node:buffer'

import {checkAclFileTopic} from '../topic.js'

/**
 * The acl_file grammar exactly as mosquitto 2.0 reads it (spec 4.1, security_default.c):
 * `#` only in column 1, tokens split on the space character only, `topic`/`pattern` with an
 * optional access word and the rest of the line (trimmed of isspace) as the topic, `user`
 * taking the rest of the line. One pass over the bytes: linear in the file size.
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
  /**
   * The topic's bytes are not valid UTF-8 (shown with U+FFFD). The broker loads such a rule, but
   * no PUBLISH topic can contain those bytes, so it matches nothing (every literal level is kept).
   */
  invalidUtf8?: true
  /** The `user` line above it is not valid UTF-8: the section applies to no MQTT client. */
  inInvalidSection?: true
}

export interface AclUserSection {
  name: string
  line: number
  column: number
  /** Not valid UTF-8: no client can log in with this name (CONNECT strings must be UTF-8). */
  invalidUtf8?: true
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
  /** Parser-level traps that still load (tabs inside topics, a NUL byte, …). */
  warnings: AclFinding[]
  lineCount: number
}

/** C isspace() in the C locale. */
const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13)

/** misc__trimblanks: isspace off both ends. Returns the start offset and the trimmed text. */
function trimBlanks(s: string, from: number): {text: string; start: number} {
  let a = from
  let b = s.length
  while (a < b && isSpace(s.charCodeAt(a))) a++
  while (b > a && isSpace(s.charCodeAt(b - 1))) b--
  return {text: s.slice(a, b), start: a}
}

/** strtok(s, " "): the next token and where it starts, or undefined. */
function nextToken(s: string, from: number): {text: string; start: number; end: number} | undefined {
  let i = from
  while (i < s.length && s.charCodeAt(i) === 32) i++
  if (i >= s.length) return undefined
  const start = i
  while (i < s.length && s.charCodeAt(i) !== 32) i++
  return {text: s.slice(start, i), start, end: i}
}

/** Parses the whole file; `file` is only used in messages. A string is read as its UTF-8 bytes. */
export function parseAclFile(input: string | Uint8Array, file = 'acl_file'): ParsedAcl {
  const bytes =
    typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input.buffer, input.byteOffset, input.length)
  const rules: AclRule[] = []
  const users: AclUserSection[] = []
  const errors: AclFinding[] = []
  const warnings: AclFinding[] = []
  let user: string | undefined
  let userInvalid = false
  let line = 0
  let pos = 0
  const endsWithNewline = bytes.length > 0 && bytes[bytes.length - 1] === 10

  while (pos < bytes.length) {
    line++
    let end = bytes.indexOf(10, pos)
    if (end < 0) end = bytes.length
    const next = end + 1
    let stop = false
    // Searched within the line only: a whole-file search per line would make parsing quadratic.
    const inLine = bytes.subarray(pos, end).indexOf(0)
    const nul = inLine < 0 ? -1 : pos + inLine
    if (nul >= 0) {
      // fgets_extending decides a line is complete by strlen(): a NUL hides the newline, so the
      // broker keeps reading into the same buffer to the end of the file. It then parses the text
      // before the NUL only when the file does not end with a newline (the last fgets returned data).
      const used = !endsWithNewline
      warnings.push({
        rule: 'acl/nul-byte',
        severity: 'warning',
        message: used
          ? 'a NUL byte: the broker reads this line only up to it and ignores every line after it'
          : 'a NUL byte: the broker ignores this line and every line after it',
        line,
        column: nul - pos + 1,
      })
      stop = true
      if (!used) break
      end = nul
    }

    const raw = bytes.subarray(pos, end)
    pos = next
    // Valid lines (nearly all) are parsed as decoded text; the others byte for byte (latin1), so
    // each token's own bytes can be checked and shown.
    if (isUtf8(raw)) parseLine(raw.toString('utf8'), false)
    else parseLine(raw.toString('latin1'), true)
    if (stop) break
  }

  return {rules, users, errors, warnings, lineCount: line}

  function parseLine(full: string, latin: boolean): void {
    const shown = (t: string) => (latin ? Buffer.from(t, 'latin1').toString('utf8') : t)
    const invalid = (t: string) => latin && !isUtf8(Buffer.from(t, 'latin1'))
    let len = full.length
    while (len > 0 && isSpace(full.charCodeAt(len - 1))) len--
    if (len === 0 || full.charCodeAt(0) === 35) return
    const s = len === full.length ? full : full.slice(0, len)
    const error = (message: string, column: number, rule: string) =>
      errors.push({rule, severity: 'error', message, line, column})

    const first = nextToken(s, 0)
    if (!first) return
    if (first.text === 'topic' || first.text === 'pattern') {
      const second = nextToken(s, first.end)
      if (!second) {
        error(`Empty topic in acl_file "${file}".`, first.end + 1, 'acl/empty-topic')
        return
      }

      let topic: string
      let topicColumn: number
      let access: Access = 'readwrite'
      let explicitAccess = false
      // strtok_r(NULL, "") after the second word: the rest after its one delimiter, if any.
      const restStart = second.end + 1
      if (restStart < s.length) {
        const rest = trimBlanks(s, restStart)
        topic = rest.text
        topicColumn = rest.start + 1
        if (!(ACCESS_WORDS as readonly string[]).includes(second.text)) {
          error(
            `Invalid topic access type "${shown(second.text)}" in acl_file "${file}".`,
            second.start + 1,
            'acl/access-type',
          )
          return
        }

        access = second.text as Access
        explicitAccess = true
      } else {
        topic = second.text
        topicColumn = second.start + 1
      }

      const topicBytes = latin ? topic.length : Buffer.byteLength(topic, 'utf8')
      if (topic === '' || checkAclFileTopic(topic, topicBytes) !== undefined) {
        error(`Invalid ACL topic "${shown(topic)}" in acl_file "${file}".`, topicColumn, 'acl/invalid-topic')
        return
      }

      const rule: AclRule = {
        kind: first.text,
        access,
        explicitAccess,
        topic: shown(topic),
        user: first.text === 'topic' ? user : undefined,
        line,
        column: topicColumn,
      }
      if (invalid(topic)) rule.invalidUtf8 = true
      if (first.text === 'topic' && userInvalid) rule.inInvalidSection = true
      rules.push(rule)
    } else if (first.text === 'user') {
      if (first.end + 1 >= s.length) {
        error(`Missing username in acl_file "${file}".`, first.end + 1, 'acl/missing-username')
        return
      }

      const rest = trimBlanks(s, first.end + 1)
      user = shown(rest.text)
      const section: AclUserSection = {name: user, line, column: rest.start + 1}
      userInvalid = invalid(rest.text)
      if (userInvalid) section.invalidUtf8 = true
      users.push(section)
    } else {
      const hint = first.text.startsWith('#')
        ? ' (a comment must start in column 1)'
        : first.text.includes('\t')
          ? ' (words are separated by spaces only, not tabs)'
          : ''
      error(
        `Invalid line in acl_file "${file}": ${shown(first.text)}.${hint}`,
        first.start + 1,
        first.text.startsWith('#')
          ? 'acl/indented-comment'
          : first.text.includes('\t')
            ? 'acl/tab-separator'
            : 'acl/invalid-line',
      )
    }
  }
}
