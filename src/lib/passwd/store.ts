import {constants} from 'node:fs'
import {access, open, realpath, stat} from 'node:fs/promises'
import {dirname} from 'node:path'

import {MqctlError, strerror} from '../errors.js'
import {escapeForLine} from '../output/escape.js'
import {inspectWriteTarget, resolveWriteTarget, writeFileAtomic} from '../files/atomic.js'
import {notRegular, readInputFile} from '../files/input.js'
import {withFileLock} from '../files/lock.js'
import {parsePasswdFile, serializePasswdFile, type PasswdLine} from './file.js'

/**
 * Reading and rewriting password files, with mosquitto_passwd's messages for the failures
 * scripts already recognise ("Unable to open password file …").
 */
const unableToOpen = (file: string, err: unknown, path = escapeForLine(file)) =>
  new MqctlError('FILE_PASSWD_OPEN', `Unable to open password file ${path}. ${strerror(err)}.`, {
    verbatim: `Error: Unable to open password file ${path}. ${strerror(err)}.`,
    cause: err,
  })

const unableToWrite = (file: string, err: unknown, path = escapeForLine(file)) =>
  new MqctlError('FILE_PASSWD_OPEN', `Unable to open file ${path} for writing. ${strerror(err)}.`, {
    verbatim: `Error: Unable to open file ${path} for writing. ${strerror(err)}.`,
    cause: err,
  })

/** readInputFile's refusals (a FIFO, a device, a runaway size) in mosquitto_passwd's words, code kept. */
const refusedInput = (file: string, error: MqctlError) => {
  const path = escapeForLine(file)
  const why = escapeForLine(error.message.replace(/^password file .* is /s, 'It is '))
  return new MqctlError(error.code, `Unable to open password file ${path}. ${why}.`, {
    verbatim: `Error: Unable to open password file ${path}. ${why}.`,
    location: error.location,
    hint: error.hint,
    cause: error,
  })
}

/** mosquitto_passwd names the file by its realpath, or as given when that fails (spec 1.6). */
const shownPath = async (path: string): Promise<string> => realpath(path).catch(() => path)

/** Password files are bounded like every input; 64 MiB holds about 400,000 hashed entries. */
export const MAX_PASSWD_FILE_BYTES = 64 * 1024 * 1024

/** Resolves symlinks and checks the file is a regular file that can be read and written, before any prompt. */
export async function openExistingPasswdFile(path: string): Promise<string> {
  const target = await resolveWriteTarget(path)
  let st
  try {
    st = await stat(target)
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), {code: 'EISDIR'})
  } catch (error) {
    throw unableToOpen(await shownPath(path), error)
  }

  // A FIFO or a device is no password file to edit: reading it could block or never end.
  if (!st.isFile()) throw refusedInput(path, notRegular(path, st, 'password file'))
  try {
    const handle = await open(target, 'r+')
    await handle.close()
  } catch (error) {
    throw unableToOpen(await shownPath(path), error)
  }

  return target
}

/** Reads a password file (a regular file, bounded; `-` is standard input where `allowStdin`). */
export async function readPasswdFile(path: string, options: {allowStdin?: boolean} = {}): Promise<PasswdLine[]> {
  try {
    // mosquitto_passwd's own words for a directory: "… Is a directory."
    if (path !== '-' && (await stat(path).catch(() => undefined))?.isDirectory()) {
      throw Object.assign(new Error('is a directory'), {code: 'EISDIR'})
    }

    const {bytes} = readInputFile(path, {
      maxBytes: MAX_PASSWD_FILE_BYTES,
      label: 'password file',
      allowStdin: options.allowStdin,
    })
    return parsePasswdFile(bytes)
  } catch (error) {
    if (error instanceof MqctlError && error.cause === undefined) throw refusedInput(path, error)
    throw unableToOpen(await shownPath(path), error instanceof MqctlError ? error.cause : error)
  }
}

export interface EditOptions {
  onWarning?: (message: string) => void
}

/**
 * Read-modify-write under the file's lock, so parallel writers never lose each other's
 * entries. `edit` returns the new lines, or undefined to leave the file untouched.
 */
export async function editPasswdFile<T>(
  target: string,
  edit: (lines: PasswdLine[]) => Promise<{lines?: PasswdLine[]; result: T}>,
  options: EditOptions = {},
): Promise<T> {
  return withFileLock(target, async () => {
    const lines = await readPasswdFile(target)
    const {lines: next, result} = await edit(lines)
    if (next) await writeFileAtomic(target, serializePasswdFile(next), {onWarning: options.onWarning})
    return result
  })
}

/**
 * `-c`: a new file holding one line, replacing any file there (mosquitto_passwd does too). A
 * FIFO, a device or /dev/stdout is written through, never replaced, and needs no lock.
 */
export async function createPasswdFile(path: string, content: Buffer, options: EditOptions = {}): Promise<void> {
  let where
  // The failures mosquitto_passwd -c reports when it opens the file, checked before the lock
  // file is made so the message names the password file, as scripts expect.
  try {
    where = await inspectWriteTarget(path)
    // A new file needs a writable directory; an existing one only itself (it may be rewritten in place).
    if (where.kind === 'new') await access(dirname(where.target), constants.W_OK)
    if (where.kind === 'regular') await access(where.target, constants.W_OK)
  } catch (error) {
    if (error instanceof MqctlError && !(error.cause instanceof Error)) throw error
    throw unableToWrite(await shownPath(path), error instanceof MqctlError ? error.cause : error)
  }

  if (where.kind === 'special' || where.kind === 'descriptor') {
    await writeFileAtomic(path, content, {mode: 0o600, onWarning: options.onWarning})
    return
  }

  const target = where.target
  await withFileLock(target, () => writeFileAtomic(target, content, {mode: 0o600, onWarning: options.onWarning}))
}

/** A store error for mqctl's own commands (check, verify): the same code and exit 5, without mosquitto_passwd's "Error:" line. */
export function plainFileError(error: unknown): MqctlError {
  if (!(error instanceof MqctlError)) return fileErrorOf(error)
  return new MqctlError(error.code, error.message, {cause: error, location: error.location, hint: error.hint})
}

const fileErrorOf = (error: unknown) => new MqctlError('FILE_PASSWD_OPEN', (error as Error).message, {cause: error})
