/**
 * The password file as a list of lines that remember their exact bytes, so every line mqctl
 * does not edit is written back byte for byte (comments, blank lines, CRLF, odd lines).
 * Field rules follow the readers in mosquitto (spec 1.8, 1.9): `#` in column 1 is a comment,
 * fields are split on `:` the way strtok does it (runs of `:` collapse, leading ones skipped),
 * and username and password are trimmed.
 */

export type LineKind = 'entry' | 'comment' | 'blank' | 'invalid'

export interface PasswdLine {
  /** 1-based line number in the file as read. */
  number: number
  /** The line's bytes without its end-of-line. */
  raw: Buffer
  eol: '' | '\n' | '\r\n'
  kind: LineKind
  username?: string
  /** The stored password field (a hash, or plain text in files meant for `-U`). */
  secret?: string
  /** How many `:`-separated fields the line has beyond the second (ignored by mosquitto). */
  extraFields?: number
  /** 1-based columns of the username and password fields, for error positions. */
  usernameColumn?: number
  secretColumn?: number
}

/** C's isspace() in the "C" locale: what mosquitto trims, and nothing else (no NBSP). */
const isBlank = (code: number): boolean => code === 0x20 || (code >= 0x09 && code <= 0x0d)

/** How many isspace() characters `s` starts with. */
export function leadingBlanks(s: string): number {
  let i = 0
  while (i < s.length && isBlank(s.charCodeAt(i))) i++
  return i
}

export function trimBlanks(s: string): string {
  const start = leadingBlanks(s)
  let end = s.length
  while (end > start && isBlank(s.charCodeAt(end - 1))) end--
  return start === 0 && end === s.length ? s : s.slice(start, end)
}

/** strtok(line, ":") — tokens with their 0-based start offsets. */
export function tokens(line: string): Array<{text: string; start: number}> {
  const out: Array<{text: string; start: number}> = []
  let i = 0
  while (i < line.length) {
    while (line[i] === ':') i++
    if (i >= line.length) break
    const start = i
    while (i < line.length && line[i] !== ':') i++
    out.push({text: line.slice(start, i), start})
  }

  return out
}

export function classifyLine(text: string): Omit<PasswdLine, 'number' | 'raw' | 'eol'> {
  if (text.startsWith('#')) return {kind: 'comment'}
  if (trimBlanks(text) === '') return {kind: 'blank'}
  const fields = tokens(text)
  if (fields.length < 2) return {kind: 'invalid'}
  const username = trimBlanks(fields[0].text)
  const secret = trimBlanks(fields[1].text)
  if (username === '' || secret === '') return {kind: 'invalid'}
  return {
    kind: 'entry',
    username,
    secret,
    extraFields: fields.length - 2,
    usernameColumn: fields[0].start + leadingBlanks(fields[0].text) + 1,
    secretColumn: fields[1].start + leadingBlanks(fields[1].text) + 1,
  }
}

export function parsePasswdFile(content: Buffer): PasswdLine[] {
  const lines: PasswdLine[] = []
  let start = 0
  let number = 1
  while (start < content.length) {
    const nl = content.indexOf(0x0a, start)
    let end = nl === -1 ? content.length : nl
    let eol: PasswdLine['eol'] = nl === -1 ? '' : '\n'
    if (nl !== -1 && end > start && content[end - 1] === 0x0d) {
      end--
      eol = '\r\n'
    }

    const raw = content.subarray(start, end)
    lines.push({number, raw, eol, ...classifyLine(raw.toString('utf8'))})
    start = nl === -1 ? content.length : nl + 1
    number++
  }

  return lines
}

export function serializePasswdFile(lines: readonly PasswdLine[]): Buffer {
  const parts: Buffer[] = []
  for (const line of lines) {
    parts.push(line.raw)
    if (line.eol) parts.push(Buffer.from(line.eol))
  }

  return Buffer.concat(parts)
}

/** The end-of-line most lines already use, so an appended line matches its neighbours. */
export function dominantEol(lines: readonly PasswdLine[]): '\n' | '\r\n' {
  let crlf = 0
  let lf = 0
  for (const l of lines) {
    if (l.eol === '\r\n') crlf++
    else if (l.eol === '\n') lf++
  }

  return crlf > lf ? '\r\n' : '\n'
}

export function makeEntryLine(username: string, encoded: string, eol: PasswdLine['eol'], number = 0): PasswdLine {
  const text = `${username}:${encoded}`
  const raw = Buffer.from(text, 'utf8')
  // A valid username (no ':', no surrounding blanks) and a hash read back as themselves, so
  // the fields are known without classifying the line again (-U builds thousands of these).
  if (
    username !== '' &&
    !username.includes(':') &&
    trimBlanks(username) === username &&
    !encoded.includes(':') &&
    encoded !== '' &&
    trimBlanks(encoded) === encoded &&
    !username.startsWith('#')
  ) {
    return {
      number,
      raw,
      eol,
      kind: 'entry',
      username,
      secret: encoded,
      extraFields: 0,
      usernameColumn: 1,
      secretColumn: username.length + 2,
    }
  }

  return {number, raw, eol, ...classifyLine(text)}
}
