/**
 * mosquitto.conf's lexical rules (spec 5.1, src/conf.c): a comment only with `#` in the first
 * byte, line ends lose their CR/LF, the keyword is everything up to the first space (a tab is
 * part of it), and each option then reads either the next space-separated word or the rest of
 * the line. Every step is a single linear scan: hostile lines (160,000 blanks, 5 MB) cost
 * their length, never its square.
 */
import type {Version} from './options.js'

export interface ConfEntry {
  name: string
  /** The rest of the line, blanks (isspace) trimmed on both sides: what string options store. */
  value: string
  /** The first space-separated word after the keyword (tabs belong to it, as in the broker). */
  word: string
  /** The line after the keyword and the one space that ends it, untrimmed. */
  rest: string
  /** The words after the keyword, split on spaces only. */
  words: string[]
  /** value is valid UTF-8 without control characters (mosquitto_validate_utf8). */
  utf8: boolean
  /** Length of value in bytes. */
  bytes: number
  file: string
  line: number
  column: number
  valueColumn: number
}

export interface ConfDocument {
  entries: ConfEntry[]
  /** A NUL byte ends what the broker reads of this file (at this line). */
  nulAt?: number
}

/** C's isspace in the "C" locale. */
const isSpace = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d)

// ASCII reads the same as bytes and as UTF-8: only other text goes through a Buffer, which
// was most of the time and garbage of a 300,000-line config.
const NON_ASCII = /[\x80-\xff]/
const decode = (latin1: string): string =>
  NON_ASCII.test(latin1) ? Buffer.from(latin1, 'latin1').toString('utf8') : latin1

/** mosquitto_validate_utf8 on a byte string (one char per byte). */
export function validUtf8(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const b = s.charCodeAt(i)
    let len: number
    let cp: number
    if (b === 0) return false
    if (b <= 0x7f) {
      len = 1
      cp = b
    } else if ((b & 0xe0) === 0xc0) {
      if (b === 0xc0 || b === 0xc1) return false
      len = 2
      cp = b & 0x1f
    } else if ((b & 0xf0) === 0xe0) {
      len = 3
      cp = b & 0x0f
    } else if ((b & 0xf8) === 0xf0) {
      if (b > 0xf4) return false
      len = 4
      cp = b & 0x07
    } else return false
    if (i + len > s.length) return false
    for (let j = 1; j < len; j++) {
      const c = s.charCodeAt(++i)
      if ((c & 0xc0) !== 0x80) return false
      cp = (cp << 6) | (c & 0x3f)
    }

    if (cp >= 0xd800 && cp <= 0xdfff) return false
    if ((len === 3 && cp < 0x800) || (len === 4 && (cp < 0x10000 || cp > 0x10ffff))) return false
    if (cp >= 0xfdd0 && cp <= 0xfdef) return false
    if ((cp & 0xffff) === 0xfffe || (cp & 0xffff) === 0xffff) return false
    if (cp <= 0x1f || (cp >= 0x7f && cp <= 0x9f)) return false
  }

  return true
}

function parseLine(raw: string, file: string, line: number): ConfEntry | undefined {
  let end = raw.length
  while (end > 0 && (raw.charCodeAt(end - 1) === 0x0d || raw.charCodeAt(end - 1) === 0x0a)) end--
  let i = 0
  while (i < end && raw.charCodeAt(i) === 0x20) i++
  if (i >= end) return undefined
  const start = i
  while (i < end && raw.charCodeAt(i) !== 0x20) i++
  const name = raw.slice(start, i)
  const restStart = i < end ? i + 1 : end
  const rest = raw.slice(restStart, end)
  let v = restStart
  while (v < end && isSpace(raw.charCodeAt(v))) v++
  let ve = end
  while (ve > v && isSpace(raw.charCodeAt(ve - 1))) ve--
  const valueBytes = raw.slice(v, ve)
  const words: string[] = []
  let w = restStart
  while (w < end) {
    while (w < end && raw.charCodeAt(w) === 0x20) w++
    if (w >= end) break
    const ws = w
    while (w < end && raw.charCodeAt(w) !== 0x20) w++
    words.push(decode(raw.slice(ws, w)))
  }

  return {
    name: decode(name),
    value: decode(valueBytes),
    word: words[0] ?? '',
    rest: decode(rest),
    // An exact-size copy: an array grown by push keeps room for 17, a third of a config's memory.
    words: words.slice(),
    utf8: validUtf8(valueBytes),
    bytes: valueBytes.length,
    file,
    line,
    column: start + 1,
    valueColumn: v + 1,
  }
}

/**
 * Parses a config as the broker of `target` reads it. Bytes are taken as they are (invalid
 * UTF-8 is kept for the value check). A NUL byte: 2.0 reads the line up to it and nothing after;
 * 2.1 skips a line that starts with NUL and stops at any other.
 */
export function parseConf(input: string | Buffer, file = 'mosquitto.conf', target: Version = '2.0'): ConfDocument {
  const text = typeof input === 'string' ? Buffer.from(input, 'utf8').toString('latin1') : input.toString('latin1')
  const entries: ConfEntry[] = []
  let nulAt: number | undefined
  let pos = 0
  let line = 0
  while (pos < text.length) {
    let nl = text.indexOf('\n', pos)
    if (nl === -1) nl = text.length
    let raw = text.slice(pos, nl)
    pos = nl + 1
    line++
    const nul = raw.indexOf('\0')
    if (nul !== -1) {
      if (target === '2.1' && nul === 0) continue
      nulAt = line
      if (target === '2.1') break
      raw = raw.slice(0, nul)
    }

    const first = raw.charCodeAt(0)
    if (raw.length > 0 && first !== 0x23 && first !== 0x0d) {
      const entry = parseLine(raw, file, line)
      if (entry) entries.push(entry)
    }

    if (nulAt !== undefined) break
  }

  return {entries, nulAt}
}

/** Prints entries back as `name value` lines; parse(print(parse(x))) equals parse(x) in names and values. */
export function printConf(entries: readonly Pick<ConfEntry, 'name' | 'value'>[]): string {
  return (
    entries.map((e) => (e.value === '' ? e.name : `${e.name} ${e.value}`)).join('\n') + (entries.length ? '\n' : '')
  )
}
