import {readFile} from 'node:fs/promises'

import {MqctlError, fileError} from '../errors.js'
import {stdinLines} from './stdin.js'

/** A masked prompt on the terminal, supplied by the command layer (lib never imports inquirer). */
export type PromptFn = (message: string) => Promise<string>

/** Where a password may come from, besides argv. At most one is set. */
export interface PasswordSources {
  stdin?: boolean
  file?: string
  env?: string
}

export const emptyPassword = () =>
  new MqctlError('REFUSED_EMPTY_PASSWORD', 'Empty password.', {verbatim: 'Error: Empty password.', exit: 1})

export const passwordMismatch = () =>
  new MqctlError('REFUSED_PASSWORD_MISMATCH', 'Passwords do not match.', {
    verbatim: 'Error: Passwords do not match.',
    exit: 2,
  })

/**
 * Reads a password from `--password-stdin` (exactly one line), `--password-file` (its first
 * line) or `--password-env` (a variable's value). Returns undefined when no source was named.
 */
export async function readPasswordFromSources(sources: PasswordSources): Promise<Buffer | undefined> {
  const named = [sources.stdin, sources.file, sources.env].filter((s) => s !== undefined && s !== false)
  if (named.length > 1) {
    throw new MqctlError(
      'USAGE_PASSWORD_SOURCES',
      'use only one of --password-stdin, --password-file and --password-env',
    )
  }

  if (sources.stdin) {
    const line = await stdinLines().readLine()
    if (line === undefined)
      throw new MqctlError('USAGE_NO_PASSWORD', '--password-stdin given but standard input is empty')
    return line
  }

  if (sources.file !== undefined) {
    let content: Buffer
    try {
      content = await readFile(sources.file)
    } catch (error) {
      throw fileError(sources.file, error)
    }

    const nl = content.indexOf(0x0a)
    const first = nl === -1 ? content : content.subarray(0, nl)
    return first.at(-1) === 0x0d ? first.subarray(0, -1) : first
  }

  if (sources.env !== undefined) {
    const value = process.env[sources.env]
    if (value === undefined) {
      throw new MqctlError('USAGE_NO_PASSWORD', `--password-env ${sources.env}: the variable is not set`)
    }

    return Buffer.from(value, 'utf8')
  }

  return undefined
}

export interface NewPasswordOptions {
  interactive: boolean
  prompt?: PromptFn
  /** Prompt texts; mosquitto_passwd's by default. */
  first?: string
  second?: string
  /** When true, empty input (or end of input) means "no password" instead of an error. */
  allowEmpty?: boolean
}

/**
 * A new password typed twice, as mosquitto_passwd reads it: a masked prompt with confirmation
 * on a terminal, or two lines from piped stdin. Empty → "Empty password." (exit 1), different →
 * "Passwords do not match." (exit 2).
 */
export async function readNewPassword(options: NewPasswordOptions): Promise<Buffer | undefined> {
  const read = async (message: string): Promise<Buffer | undefined> =>
    options.interactive && options.prompt ? Buffer.from(await options.prompt(message), 'utf8') : stdinLines().readLine()
  const isEmpty = (b: Buffer | undefined): boolean => b === undefined || b.length === 0

  const first = await read(options.first ?? 'Password:')
  if (isEmpty(first)) {
    if (options.allowEmpty) return undefined
    throw emptyPassword()
  }

  const second = await read(options.second ?? 'Reenter password:')
  // mosquitto_ctrl treats an empty confirmation of a real password as a mismatch.
  if (isEmpty(second) && !options.allowEmpty) throw emptyPassword()
  if (!first!.equals(second ?? Buffer.alloc(0))) throw passwordMismatch()
  return first
}
