import {MqctlError} from '../errors.js'
import {readInputFile} from '../files/input.js'
import {MAX_PASSWORD_LINE_BYTES, passwordLineTooLong, stdinLines} from './stdin.js'

/** A masked prompt on the terminal, supplied by the command layer (lib never imports inquirer). */
export type PromptFn = (message: string) => Promise<string>

/** Where a password may come from, besides argv. At most one is set. */
export interface PasswordSources {
  stdin?: boolean
  file?: string
  env?: string
}

/** `--password-file` reads at most this much (its first line is the password). */
export const MAX_PASSWORD_FILE_BYTES = 1024 * 1024

export const emptyPassword = () =>
  new MqctlError('REFUSED_EMPTY_PASSWORD', 'Empty password.', {verbatim: 'Error: Empty password.'})

export const passwordMismatch = () =>
  new MqctlError('REFUSED_PASSWORD_MISMATCH', 'Passwords do not match.', {
    verbatim: 'Error: Passwords do not match.',
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
    // A regular file of sane size only: a FIFO or /dev/zero is refused (exit 5), not read forever.
    const {bytes} = readInputFile(sources.file, {maxBytes: MAX_PASSWORD_FILE_BYTES, label: 'password file'})
    const nl = bytes.indexOf(0x0a)
    const line = nl === -1 ? bytes : bytes.subarray(0, nl)
    const first = line.at(-1) === 0x0d ? line.subarray(0, -1) : line
    if (first.length > MAX_PASSWORD_LINE_BYTES) throw passwordLineTooLong(sources.file)
    return first
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

/** The one warning for a password given on the command line, whatever the command. */
export const ARGV_PASSWORD_WARNING =
  'a password on the command line is visible in the process list and shell history; ' +
  'prefer --password-stdin, --password-file or --password-env'

/** What obtainPassword needs from the command layer (lib never imports inquirer). */
export interface PasswordIO {
  /** True when a person can answer a prompt (standard input is a terminal). */
  interactive: boolean
  /** A prompt that echoes nothing. */
  prompt?: PromptFn
  warn(message: string): void
}

export interface PasswordRequest {
  /** --password-stdin / --password-file / --password-env, from passwordFlags. */
  sources?: PasswordSources
  /** A password given on the command line (compatibility): used, with ARGV_PASSWORD_WARNING. */
  argv?: string | Buffer
  /** A new password: asked twice on a terminal, read as two lines from piped input. */
  confirm?: boolean
  /** Prompt texts (mosquitto_passwd's "Password:" / "Reenter password:" by default). */
  first?: string
  second?: string
  /** Empty input means "no password" (returns undefined) instead of "Empty password." */
  allowEmpty?: boolean
}

/**
 * THE way a command obtains a password (issue 10: one policy, not one per command). In order:
 *   1. argv, when given, with one warning (ARGV_PASSWORD_WARNING);
 *   2. one named source: --password-stdin (one line), --password-file FILE (its first line,
 *      a regular file), --password-env VAR (its value); two sources, or a source and argv, are a
 *      usage error;
 *   3. a terminal: a prompt that echoes nothing, asked twice when `confirm`;
 *   4. piped standard input: one line, or two (password, confirmation) when `confirm`.
 * Lines are bounded (MAX_PASSWORD_LINE_BYTES); an empty password is "Empty password." (exit 1)
 * unless `allowEmpty`; two different entries are "Passwords do not match." (exit 2). Commands
 * spread `passwordFlags` (src/base/password-flags.ts) and call this with `passwordSources(flags)`.
 */
export async function obtainPassword(request: PasswordRequest, io: PasswordIO): Promise<Buffer | undefined> {
  const sources = request.sources ?? {}
  const named = [sources.stdin, sources.file, sources.env].some((s) => s !== undefined && s !== false)
  let password: Buffer | undefined
  if (request.argv !== undefined) {
    if (named) {
      throw new MqctlError(
        'USAGE_PASSWORD_SOURCES',
        'give the password either as an argument or from a --password-* source',
      )
    }

    io.warn(ARGV_PASSWORD_WARNING)
    password = typeof request.argv === 'string' ? Buffer.from(request.argv, 'utf8') : request.argv
  } else if (named) {
    password = await readPasswordFromSources(sources)
  } else if (request.confirm) {
    return readNewPassword({
      interactive: io.interactive,
      prompt: io.prompt,
      first: request.first,
      second: request.second,
      allowEmpty: request.allowEmpty,
    })
  } else {
    password =
      io.interactive && io.prompt
        ? Buffer.from(await io.prompt(request.first ?? 'Password:'), 'utf8')
        : await stdinLines().readLine()
  }

  if (password === undefined || password.length === 0) {
    if (request.allowEmpty) return undefined
    throw emptyPassword()
  }

  if (password.length > MAX_PASSWORD_LINE_BYTES) throw passwordLineTooLong('the password')
  return password
}
