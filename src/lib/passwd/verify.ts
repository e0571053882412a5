import {verifyPassword} from './hash.js'
import {plainFileError, readPasswdFile} from './store.js'
import {MqctlError} from '../errors.js'

export interface VerifyResult {
  username: string
  outcome: 'match' | 'mismatch' | 'no-user'
  line?: number
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
