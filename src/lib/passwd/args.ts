import {MqctlError} from '../errors.js'
import {escapeForLine} from '../output/escape.js'
import type {PasswordSources} from '../secrets/password.js'
import {HASH_TYPES, MAX_ITERATIONS, TARGETS, atoi, type HashType, type Target} from './hash.js'

/**
 * mosquitto_passwd's argument grammar (spec 1.1), kept exactly so scripts keep working:
 * options only before the first non-option word, no bundling (`-cb` is a file name),
 * an unknown `-x` ends option parsing. mqctl's own long options (--target, --json,
 * --password-stdin/-file/-env) are accepted anywhere before `--`.
 */
export interface PasswdInvocation {
  mode: 'set' | 'delete' | 'upgrade'
  create: boolean
  batch: boolean
  hashType?: HashType
  iterations?: number
  target?: Target
  file: string
  username?: string
  /** The `-b` password; never printed. */
  password?: Buffer
  sources: PasswordSources
  json: boolean
}

export const PASSWD_USAGE = `mqctl passwd is a tool for managing password files for mosquitto.

Usage: mqctl passwd [-H sha512 | -H sha512-pbkdf2] [-I iterations] [--target 2.0|2.1] [-c | -D] passwordfile username
       mqctl passwd [-H sha512 | -H sha512-pbkdf2] [-I iterations] [-c] -b passwordfile username password
       mqctl passwd [-H ...] [-I ...] [-c] --password-stdin passwordfile username
       mqctl passwd [-H ...] [-I ...] -U passwordfile
       mqctl passwd verify passwordfile username
       mqctl passwd check passwordfile
 -b : run in batch mode to allow passing passwords on the command line (visible to other users).
 -c : create a new password file. This will overwrite existing files. "-c -" writes to stdout.
 -D : delete the username rather than adding/updating its password.
 -H : specify the hashing algorithm. Defaults to sha512-pbkdf2, which is recommended.
 -I : PBKDF2 iterations (default 1000; 101 with --target 2.0).
 -U : update a plain text password file to use hashed passwords (hashed entries are kept).
 --password-stdin, --password-file FILE, --password-env VAR : read the password from there.
 --target 2.0|2.1 : write exactly what that broker version's mosquitto_passwd writes.

See "mqctl passwd --help" and man mqctl-passwd for more information.`

const fail = (text: string): never => {
  throw new MqctlError('USAGE_PASSWD', text.replace(/^Error: /, ''), {verbatim: text})
}

const usage = (): never => {
  throw new MqctlError('USAGE_PASSWD', 'invalid arguments', {verbatim: PASSWD_USAGE})
}

const LONG_WITH_VALUE = new Set(['--target', '--password-file', '--password-env'])
const LONG_FLAGS = new Set(['--json', '--password-stdin'])

function extractLongOptions(words: string[]): {rest: string[]; values: Map<string, string | true>} {
  const rest: string[] = []
  const values = new Map<string, string | true>()
  for (let i = 0; i < words.length; i++) {
    const word = words[i]
    const eq = word.indexOf('=')
    const name = word.startsWith('--') && eq > 0 ? word.slice(0, eq) : word
    if (LONG_FLAGS.has(name)) {
      values.set(name, true)
    } else if (LONG_WITH_VALUE.has(name)) {
      let value: string | undefined
      if (eq > 0) value = word.slice(eq + 1)
      else value = words[++i]
      if (value === undefined || value === '') fail(`Error: ${name} argument given but no value specified.`)
      values.set(name, value!)
    } else {
      rest.push(word)
    }
  }

  return {rest, values}
}

/** Username rules of mosquitto_passwd (spec 1.2), plus two it lets through but no broker can use. */
export function validateUsername(username: string): void {
  if (Buffer.byteLength(username, 'utf8') > 65_535) fail('Error: Username must be less than 65536 characters long.')
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001F\u007F]/.test(username)) fail('Error: Username must not contain control characters.')
  if (username.includes(':')) fail("Error: Username must not contain the ':' character.")
  if (username === '') fail('Error: Username must not be empty (the broker ignores such entries).')
  if (username.startsWith('#')) {
    fail("Error: Username must not begin with '#' (every reader takes such a line for a comment).")
  }
  if (username.trim() !== username) {
    fail('Error: Username must not begin or end with spaces (the broker trims them, so the entry could not be used).')
  }
}

export function parsePasswdArgs(argv: readonly string[]): PasswdInvocation {
  const dashDash = argv.indexOf('--')
  const before = dashDash === -1 ? [...argv] : argv.slice(0, dashDash)
  const after = dashDash === -1 ? [] : argv.slice(dashDash + 1)
  const {rest: words, values} = extractLongOptions(before)

  let create = false
  let del = false
  let upgrade = false
  let batch = false
  let hashType: HashType | undefined
  let iterations: number | undefined
  let i = 0
  for (; i < words.length; i++) {
    const w = words[i]
    if (w === '-H' || w === '--hash') {
      if (i === words.length - 1) fail('Error: -H argument given but not enough other arguments.')
      const value = words[++i]
      if (!(HASH_TYPES as readonly string[]).includes(value)) fail(`Error: Unknown hash type '${escapeForLine(value)}'`)
      hashType = value as HashType
    } else if (w === '-I' || w === '--iterations') {
      if (i === words.length - 1) fail('Error: -I argument given but not enough other arguments.')
      const text = words[++i]
      iterations = atoi(text)
      if (iterations < 1) fail('Error: Number of iterations must be > 0.')
      // atoi saturates at 2^31-1, so compare the digits too: 99999999999 is not 2147483647.
      if (iterations > MAX_ITERATIONS || Number(/^\s*\+?(\d+)/.exec(text)?.[1]) > MAX_ITERATIONS) {
        fail(
          `Error: Number of iterations must be at most ${MAX_ITERATIONS} (mqctl's cap; more takes minutes per hash).`,
        )
      }
    } else if (w === '-b' || w === '--batch') {
      batch = true
    } else if (w === '-c' || w === '--create') {
      create = true
    } else if (w === '-D' || w === '--delete') {
      del = true
    } else if (w === '-U' || w === '--upgrade') {
      upgrade = true
    } else {
      break
    }
  }

  if (create && del) fail('Error: -c and -D cannot be used together.')
  if (create && upgrade) fail('Error: -c and -U cannot be used together.')
  if (del && upgrade) fail('Error: -D and -U cannot be used together.')
  if (batch && del) fail('Error: -b and -D cannot be used together.')

  const sources: PasswordSources = {
    stdin: values.has('--password-stdin') || undefined,
    file: values.get('--password-file') as string | undefined,
    env: values.get('--password-env') as string | undefined,
  }
  const sourceNames = [...values.keys()].filter((k) => k.startsWith('--password-'))
  if (sourceNames.length > 1) fail(`Error: ${sourceNames.join(' and ')} cannot be used together.`)
  const fromSource = sourceNames.length === 1
  if (fromSource && batch) fail(`Error: -b and ${sourceNames[0]} cannot be used together.`)
  if (fromSource && (del || upgrade)) fail(`Error: ${sourceNames[0]} cannot be used with ${del ? '-D' : '-U'}.`)

  const target = values.get('--target') as string | undefined
  if (target !== undefined && !(TARGETS as readonly string[]).includes(target)) {
    fail(`Error: Unknown target '${escapeForLine(target)}' (use 2.0 or 2.1).`)
  }

  const positional = [...words.slice(i), ...after]
  const n = positional.length
  if (create && batch) {
    if (n < 3) fail('Error: -c argument given but password file, username, or password missing.')
  } else if (create) {
    if (n < 2) fail('Error: -c argument given but password file or username missing.')
  } else if (del) {
    if (n < 2) fail('Error: -D argument given but password file or username missing.')
  } else if (upgrade) {
    if (n !== 1) fail('Error: -U argument given but password file missing.')
  } else if (batch) {
    if (n !== 3) usage()
  } else if (n !== 2) {
    usage()
  }

  const invocation: PasswdInvocation = {
    mode: del ? 'delete' : upgrade ? 'upgrade' : 'set',
    create,
    batch,
    hashType,
    iterations,
    target: target as Target | undefined,
    file: positional[0],
    username: upgrade ? undefined : positional[1],
    password: batch && !upgrade ? Buffer.from(positional[2], 'utf8') : undefined,
    sources,
    json: values.has('--json'),
  }
  if (invocation.username !== undefined) validateUsername(invocation.username)
  if (invocation.password && invocation.password.length > 65_535) {
    fail('Error: Password must be less than 65536 characters long.')
  }

  return invocation
}
