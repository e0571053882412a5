import {MqctlError} from '../errors.js'
import {escapeForLine} from '../output/escape.js'
import type {PasswdInvocation} from './args.js'
import {removeEntry, upgradeEntries, upsertEntry} from './edit.js'
import {defaultHashParams, hashPassword, type HashParams} from './hash.js'
import {hashMany} from './hash-many.js'
import {createPasswdFile, editPasswdFile, openExistingPasswdFile} from './store.js'

export interface PasswdIO {
  /** The new password: prompt, two piped lines, or a named source. Called once at most. */
  readPassword(): Promise<Buffer>
  warn(message: string): void
  /** Where `-c -` writes its line. */
  writeStdout(text: string): void
  /** Progress of -U's hashing (the front end shows it on a terminal only). */
  progress?(done: number, total: number): void
}

export type PasswdResult =
  | {action: 'created' | 'added' | 'updated'; file: string; username: string}
  | {action: 'deleted'; file: string; username: string; removed: number}
  | {action: 'upgraded'; file: string; converted: number; skipped: number; other: number}

export function hashParamsFor(invocation: Pick<PasswdInvocation, 'hashType' | 'iterations' | 'target'>): HashParams {
  const params = defaultHashParams(invocation.target)
  return {
    ...params,
    type: invocation.hashType ?? params.type,
    iterations: invocation.iterations ?? params.iterations,
  }
}

/** Carries out one mosquitto_passwd-style invocation. */
export async function runPasswd(invocation: PasswdInvocation, io: PasswdIO): Promise<PasswdResult> {
  const params = hashParamsFor(invocation)
  if (invocation.target === '2.1' && params.type === 'sha512-pbkdf2') {
    io.warn('--target 2.1 writes 64-byte salts, which mosquitto 2.0 brokers reject (they drop the entry)')
  }

  const onWarning = io.warn
  const username = invocation.username!
  const newPassword = async () => invocation.password ?? (await io.readPassword())

  if (invocation.create) {
    const line = `${username}:${await hashPassword(await newPassword(), params)}\n`
    if (invocation.file === '-') {
      io.writeStdout(line)
      return {action: 'created', file: '-', username}
    }

    await createPasswdFile(invocation.file, Buffer.from(line, 'utf8'), {onWarning})
    return {action: 'created', file: invocation.file, username}
  }

  const target = await openExistingPasswdFile(invocation.file)

  if (invocation.mode === 'delete') {
    return editPasswdFile(
      target,
      async (lines) => {
        const {lines: kept, removed} = removeEntry(lines, username)
        if (removed === 0) {
          const shown = escapeForLine(username)
          throw new MqctlError('NOT_FOUND_USER', `User ${shown} not found in password file.`, {
            verbatim: `Warning: User ${shown} not found in password file.`,
          })
        }

        return {lines: kept, result: {action: 'deleted' as const, file: invocation.file, username, removed}}
      },
      {onWarning},
    )
  }

  if (invocation.mode === 'upgrade') {
    return editPasswdFile(
      target,
      async (lines) => {
        const upgraded = await upgradeEntries(lines, (passwords) => hashMany(passwords, params, io.progress))
        const {converted, skipped, other} = upgraded
        return {
          lines: converted > 0 ? upgraded.lines : undefined,
          result: {action: 'upgraded' as const, file: invocation.file, converted, skipped, other},
        }
      },
      {onWarning},
    )
  }

  // Prompt before taking the lock: a person typing must not block other writers.
  const password = await newPassword()
  const encoded = await hashPassword(password, params)
  return editPasswdFile(
    target,
    async (lines) => {
      const {lines: next, action} = upsertEntry(lines, username, encoded)
      return {lines: next, result: {action, file: invocation.file, username}}
    },
    {onWarning},
  )
}
