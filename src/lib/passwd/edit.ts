import {isEncodedPassword} from './hash.js'
import {dominantEol, makeEntryLine, type PasswdLine} from './file.js'

export interface UpsertResult {
  lines: PasswdLine[]
  action: 'added' | 'updated'
}

/**
 * Sets a user's password. Every line of that user is replaced (a duplicate would leave the
 * broker picking either hash); an absent user is appended with the file's own line ending.
 */
export function upsertEntry(lines: readonly PasswdLine[], username: string, encoded: string): UpsertResult {
  let found = false
  const out = lines.map((line) => {
    if (line.kind !== 'entry' || line.username !== username) return line
    found = true
    return makeEntryLine(username, encoded, line.eol || '', line.number)
  })
  if (found) return {lines: out, action: 'updated'}

  const eol = dominantEol(lines)
  const last = out.at(-1)
  if (last && last.eol === '') out[out.length - 1] = {...last, eol}
  out.push(makeEntryLine(username, encoded, eol))
  return {lines: out, action: 'added'}
}

export function removeEntry(lines: readonly PasswdLine[], username: string): {lines: PasswdLine[]; removed: number} {
  const kept = lines.filter((l) => !(l.kind === 'entry' && l.username === username))
  return {lines: kept, removed: lines.length - kept.length}
}

export interface UpgradeResult {
  lines: PasswdLine[]
  converted: number
  /** Entries already holding a `$6$`, `$7$` or `$argon2id$` hash: left untouched. */
  skipped: number
  /** Lines that are not `user:password` entries (comments, blanks, odd lines): kept as they are. */
  other: number
}

/**
 * `-U`: hashes the plain-text entries only. Hashing an existing hash again would lock the
 * user out (mosquitto_passwd does exactly that, issues #2211/#3416), so hashed entries stay.
 * `hashAll` gets every plain-text password at once, so it can spread them over the cores.
 */
export async function upgradeEntries(
  lines: readonly PasswdLine[],
  hashAll: (passwords: Buffer[]) => Promise<string[]>,
): Promise<UpgradeResult> {
  let skipped = 0
  let other = 0
  const plain: number[] = []
  for (const [i, line] of lines.entries()) {
    if (line.kind === 'invalid') other++
    else if (line.kind === 'entry' && isEncodedPassword(line.secret!)) skipped++
    else if (line.kind === 'entry') plain.push(i)
  }

  const encoded = plain.length === 0 ? [] : await hashAll(plain.map((i) => Buffer.from(lines[i].secret!, 'utf8')))
  const out = [...lines]
  for (const [k, i] of plain.entries())
    out[i] = makeEntryLine(lines[i].username!, encoded[k], lines[i].eol, lines[i].number)
  return {lines: out, converted: plain.length, skipped, other}
}
