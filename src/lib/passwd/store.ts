import {constants} from 'node:fs'
import {access, open, realpath, stat} from 'node:fs/promises'
import {dirname} from 'node:path'

import {MqctlError, strerror} from '../errors.js'
import {resolveWriteTarget, writeFileAtomic} from '../files/atomic.js'
import {withFileLock} from '../files/lock.js'
import {parsePasswdFile, serializePasswdFile, type PasswdLine} from './file.js'

/**
 * Reading and rewriting password files, with mosquitto_passwd's messages for the failures
 * scripts already recognise ("Unable to open password file …").
 */
const unableToOpen = (path: string, err: unknown) =>
  new MqctlError('FILE_PASSWD_OPEN', `Unable to open password file ${path}. ${strerror(err)}.`, {
    verbatim: `Error: Unable to open password file ${path}. ${strerror(err)}.`,
    exit: 1,
    cause: err,
  })

const unableToWrite = (path: string, err: unknown) =>
  new MqctlError('FILE_PASSWD_OPEN', `Unable to open file ${path} for writing. ${strerror(err)}.`, {
    verbatim: `Error: Unable to open file ${path} for writing. ${strerror(err)}.`,
    exit: 1,
    cause: err,
  })

/** mosquitto_passwd names the file by its realpath, or as given when that fails (spec 1.6). */
const shownPath = async (path: string): Promise<string> => realpath(path).catch(() => path)

/** Resolves symlinks and checks the file can be read and written, before any prompt. */
export async function openExistingPasswdFile(path: string): Promise<string> {
  const target = await resolveWriteTarget(path)
  try {
    const st = await stat(target)
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), {code: 'EISDIR'})
    const handle = await open(target, 'r+')
    await handle.close()
  } catch (error) {
    throw unableToOpen(await shownPath(path), error)
  }

  return target
}

export async function readPasswdFile(path: string): Promise<PasswdLine[]> {
  let handle
  try {
    const st = await stat(path)
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), {code: 'EISDIR'})
    handle = await open(path, 'r')
    return parsePasswdFile(await handle.readFile())
  } catch (error) {
    if (error instanceof MqctlError) throw error
    throw unableToOpen(await shownPath(path), error)
  } finally {
    await handle?.close()
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

/** `-c`: a new file holding one line, replacing any file there (mosquitto_passwd does too). */
export async function createPasswdFile(path: string, content: Buffer, options: EditOptions = {}): Promise<void> {
  const target = await resolveWriteTarget(path)
  // The failures mosquitto_passwd -c reports when it opens the file, checked before the lock
  // file is made so the message names the password file, as scripts expect.
  try {
    const existing = await stat(target).catch((error: NodeJS.ErrnoException) =>
      error.code === 'ENOENT' ? undefined : Promise.reject(error),
    )
    if (existing?.isDirectory()) throw Object.assign(new Error('is a directory'), {code: 'EISDIR'})
    await access(dirname(target), constants.W_OK)
  } catch (error) {
    throw unableToWrite(await shownPath(path), error)
  }

  await withFileLock(target, () => writeFileAtomic(target, content, {mode: 0o600, onWarning: options.onWarning}))
}
