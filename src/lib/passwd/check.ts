import {decodeHash} from './hash-decode.js'
import type {Target} from './hash.js'
import {tokens, trimBlanks, type PasswdLine} from './file.js'

export type Severity = 'error' | 'warning'

export interface PasswdFinding {
  line: number
  column: number
  /** Stable identifier, e.g. `passwd/plaintext`. */
  rule: string
  severity: Severity
  message: string
  username?: string
}

const SALTS: Record<Target, readonly number[]> = {'2.0': [12], '2.1': [12, 64]}

/**
 * Every line the target broker would drop (2.0 logs and removes the entry) or refuse
 * (2.1 refuses the whole file), in the broker's terms (spec 1.9). Checked against 2.1.2's
 * plugins/password-file/password_parse.c: `#` in column 1 and lines without ':' (or of only
 * colons) are skipped; an empty username, a missing password, a duplicate user, a username or
 * password over 65535 bytes and a hash that does not decode refuse the file.
 */
export function checkPasswdLines(lines: readonly PasswdLine[], target: Target = '2.0'): PasswdFinding[] {
  const findings: PasswdFinding[] = []
  const seen = new Map<string, number>()
  const dropped = target === '2.0' ? 'the broker drops this entry' : 'the broker refuses the file'
  const add = (line: PasswdLine, column: number, rule: string, message: string, severity: Severity = 'error') =>
    findings.push({line: line.number, column, rule, severity, message, username: line.username})

  for (const line of lines) {
    if (line.kind === 'comment' || line.kind === 'blank') continue
    const text = line.raw.toString('utf8')
    if (line.kind === 'invalid') {
      // The broker splits with strtok(":"), so leading colons vanish: ":bob" is bob without a password.
      const fields = tokens(text)
      // Both versions skip a line without ':' before parsing it; 2.1.2 also skips one of only
      // colons (strtok finds no username) and still loads the file (password_parse.c).
      if (!text.includes(':') || (target === '2.1' && fields.length === 0)) {
        if (target === '2.1') {
          add(line, 1, 'passwd/invalid-line', 'not a "username:hash" line; the broker skips it', 'warning')
        } else add(line, 1, 'passwd/invalid-line', `not a "username:hash" line; ${dropped}`)
      } else if (fields.length === 0 || trimBlanks(fields[0].text) === '')
        add(line, 1, 'passwd/empty-username', `empty username; ${dropped}`)
      else {
        const username = trimBlanks(fields[0].text)
        const after = fields[0].start + fields[0].text.length + 2
        findings.push({
          line: line.number,
          column: after,
          rule: 'passwd/missing-password',
          severity: 'error',
          message: `no password after ':'; ${dropped}`,
          username,
        })
      }

      continue
    }

    const username = line.username!
    const ucol = line.usernameColumn!
    const scol = line.secretColumn!
    if (Buffer.byteLength(username) > 65_535)
      add(line, ucol, 'passwd/username-too-long', `username longer than 65535 bytes; ${dropped}`)
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001F\u007F]/.test(username)) {
      add(
        line,
        ucol,
        'passwd/control-characters',
        'username contains control characters (mosquitto_passwd refuses them; clients can hardly send them)',
      )
    }

    const first = seen.get(username)
    if (first === undefined) seen.set(username, line.number)
    else {
      add(
        line,
        ucol,
        'passwd/duplicate-username',
        `user "${username}" is also on line ${first}; ${target === '2.0' ? 'the broker uses either hash' : 'the broker refuses the file'}`,
      )
    }

    const decoded = decodeHash(line.secret!, SALTS[target])
    if (typeof decoded !== 'string') {
      if (decoded.type === 'argon2id' && target === '2.0') {
        add(line, scol, 'passwd/unsupported-hash', `argon2id hashes need mosquitto 2.1; ${dropped}`)
      }
    } else {
      const messages: Record<typeof decoded, [string, string]> = {
        'not-a-hash': ['passwd/plaintext', `plain-text password (run "mqctl passwd -U"); ${dropped}`],
        'unknown-type': [
          'passwd/unknown-hash-type',
          `hash type is not $6$ or $7$${target === '2.1' ? ' or $argon2id$' : ''}; ${dropped}`,
        ],
        'missing-fields': ['passwd/malformed-hash', `hash has missing fields; ${dropped}`],
        'bad-iterations': ['passwd/bad-iterations', `iteration count is not a number above 0; ${dropped}`],
        'bad-salt': ['passwd/bad-salt', `salt is not valid base64; ${dropped}`],
        'bad-salt-length': [
          'passwd/bad-salt',
          `salt does not decode to ${SALTS[target].join(' or ')} bytes${target === '2.0' ? ' (64-byte salts come from 2.1)' : ''}; ${dropped}`,
        ],
        'bad-hash': ['passwd/bad-hash', `hash does not decode to 64 bytes; ${dropped}`],
      }
      const [rule, message] = messages[decoded]
      add(line, scol, rule, message)
    }

    if (line.extraFields) {
      add(line, scol, 'passwd/extra-fields', 'text after a second ":" is ignored by the broker', 'warning')
    }
  }

  return findings
}
