import {MqctlError} from '../errors.js'
import {decodeHash, verifyPassword} from './hash.js'
import {plainFileError, readPasswdFile} from './store.js'

export interface VerifyResult {
  username: string
  /**
   * 'invalid-entry': the user's entry is no hash the broker can check (plain text, a malformed
   * hash): the broker refuses every password for it, so this is a refused verdict (exit 1).
   */
  outcome: 'match' | 'mismatch' | 'no-user' | 'invalid-entry'
  line?: number
  /** For 'invalid-entry': why, in the broker's terms ("not a hash", "bad salt", …). */
  problem?: string
}

/** Checks a password against the user's entry. The last entry of a duplicated user is the one tried. */
export async function verifyUserPassword(file: string, username: string, password: Buffer): Promise<VerifyResult> {
  let lines
  try {
    lines = await readPasswdFile(file)
  } catch (error) {
    throw plainFileError(error)
  }

  const entry = lines.findLast((l) => l.kind === 'entry' && l.username === username)
  if (!entry) return {username, outcome: 'no-user'}
  const decoded = decodeHash(entry.secret!.trim())
  if (typeof decoded === 'string') {
    return {username, outcome: 'invalid-entry', line: entry.number, problem: decoded.replaceAll('-', ' ')}
  }

  const ok = await verifyPassword(entry.secret!, password).catch((error: unknown) => {
    if (error instanceof MqctlError) {
      throw new MqctlError(error.code, error.message, {
        location: {file, line: entry.number, column: entry.secretColumn},
      })
    }

    throw error
  })
  return {username, outcome: ok ? 'match' : 'mismatch', line: entry.number}
}
