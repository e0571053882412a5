import {createHash, pbkdf2, randomBytes, timingSafeEqual} from 'node:crypto'
import {promisify} from 'node:util'

import {MqctlError} from '../errors.js'

const pbkdf2Async = promisify(pbkdf2)

/** mosquitto_passwd's `-H` values that mqctl writes. */
export const HASH_TYPES = ['sha512-pbkdf2', 'sha512'] as const
export type HashType = (typeof HASH_TYPES)[number]

export const TARGETS = ['2.0', '2.1'] as const
export type Target = (typeof TARGETS)[number]

export interface HashParams {
  type: HashType
  iterations: number
  saltBytes: number
}

/**
 * Defaults per target broker. Without a target mqctl writes 1000 iterations (2.1's strength)
 * with a 12-byte salt, the one salt size every 2.x broker decodes (2.0 rejects 64-byte salts).
 */
export function defaultHashParams(target?: Target): HashParams {
  if (target === '2.0') return {type: 'sha512-pbkdf2', iterations: 101, saltBytes: 12}
  if (target === '2.1') return {type: 'sha512-pbkdf2', iterations: 1000, saltBytes: 64}
  return {type: 'sha512-pbkdf2', iterations: 1000, saltBytes: 12}
}

/** PBKDF2-SHA512 key length of `$7$` hashes. */
export const KEY_BYTES = 64

export const encodePbkdf2 = (iterations: number, salt: Buffer, key: Buffer): string =>
  `$7$${iterations}$${salt.toString('base64')}$${key.toString('base64')}`

/**
 * Salts cut from one larger random block: `-U` on a big file needs thousands, and one
 * getrandom call per salt costs the main thread more than the cut.
 */
let saltBlock = Buffer.alloc(0)
export function freshSalt(bytes: number): Buffer {
  if (saltBlock.length < bytes) saltBlock = randomBytes(Math.max(4096, bytes))
  const salt = saltBlock.subarray(0, bytes)
  saltBlock = saltBlock.subarray(bytes)
  return salt
}

/** Hashes on the libuv pool, so many hashes run in parallel. */
export async function hashPassword(
  password: Buffer,
  params: HashParams,
  salt: Buffer = freshSalt(params.saltBytes),
): Promise<string> {
  if (params.type === 'sha512') {
    const digest = createHash('sha512').update(password).update(salt).digest()
    return `$6$${salt.toString('base64')}$${digest.toString('base64')}`
  }

  return encodePbkdf2(
    params.iterations,
    salt,
    await pbkdf2Async(password, salt, params.iterations, KEY_BYTES, 'sha512'),
  )
}

export type DecodedHash =
  | {type: 'sha512'; salt: Buffer; hash: Buffer}
  | {type: 'sha512-pbkdf2'; iterations: number; salt: Buffer; hash: Buffer}
  | {type: 'argon2id'}

/** A reason the broker would refuse an encoded password, in the broker's own terms. */
export type HashProblem =
  'not-a-hash' | 'unknown-type' | 'missing-fields' | 'bad-iterations' | 'bad-salt' | 'bad-salt-length' | 'bad-hash'

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

function strictBase64(text: string): Buffer | undefined {
  return BASE64.test(text) ? Buffer.from(text, 'base64') : undefined
}

/** C's atoi: optional blanks and sign, then leading digits; anything else stops it. */
export function atoi(text: string): number {
  const m = /^[\t\n\v\f\r ]*([+-]?\d+)/.exec(text)
  if (!m) return 0
  const n = Number.parseInt(m[1], 10)
  return Math.max(-2_147_483_648, Math.min(2_147_483_647, n))
}

/** True when the stored password is already one of the hash forms mosquitto knows. */
export function isEncodedPassword(secret: string): boolean {
  return secret.startsWith('$6$') || secret.startsWith('$7$') || secret.startsWith('$argon2id$')
}

/**
 * Decodes `$6$…`, `$7$…` or recognises `$argon2id$…`, applying the broker's checks
 * (mosquitto-spec 1.9). `saltLengths` are the salt sizes the target broker decodes.
 */
export function decodeHash(encoded: string, saltLengths: readonly number[] = [12, 64]): DecodedHash | HashProblem {
  if (!encoded.startsWith('$')) return 'not-a-hash'
  if (encoded.startsWith('$argon2id$')) return {type: 'argon2id'}
  const fields = encoded.split('$')
  const kind = fields[1]
  if (kind === '6') {
    if (fields.length !== 4 || !fields[2] || !fields[3]) return 'missing-fields'
    const salt = strictBase64(fields[2])
    if (!salt) return 'bad-salt'
    if (!saltLengths.includes(salt.length)) return 'bad-salt-length'
    const hash = strictBase64(fields[3])
    if (!hash || hash.length !== KEY_BYTES) return 'bad-hash'
    return {type: 'sha512', salt, hash}
  }

  if (kind === '7') {
    if (fields.length !== 5 || !fields[2] || !fields[3] || !fields[4]) return 'missing-fields'
    const iterations = atoi(fields[2])
    if (iterations < 1) return 'bad-iterations'
    const salt = strictBase64(fields[3])
    if (!salt) return 'bad-salt'
    if (!saltLengths.includes(salt.length)) return 'bad-salt-length'
    const hash = strictBase64(fields[4])
    if (!hash || hash.length !== KEY_BYTES) return 'bad-hash'
    return {type: 'sha512-pbkdf2', iterations, salt, hash}
  }

  return 'unknown-type'
}

/**
 * Iteration counts above this would make a single hash or verify run for minutes (about 10 s
 * here at the cap): refused when asked for (-I, --iterations) and when read from a hash.
 */
export const MAX_ITERATIONS = 10_000_000
const MAX_VERIFY_ITERATIONS = MAX_ITERATIONS

/** The -I / --iterations cap: a usage error naming the flag. */
export function checkIterations(iterations: number, flag = '--iterations'): number {
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > MAX_ITERATIONS) {
    throw new MqctlError(
      'USAGE_ITERATIONS',
      `${flag} must be a whole number from 1 to ${MAX_ITERATIONS}, not ${iterations}`,
    )
  }

  return iterations
}

/** Checks a password against a `$6$`/`$7$` string in constant time. */
export async function verifyPassword(encoded: string, password: Buffer): Promise<boolean> {
  const decoded = decodeHash(encoded.trim())
  if (typeof decoded === 'string') {
    throw new MqctlError('USAGE_BAD_HASH', `not a valid mosquitto password hash (${decoded.replaceAll('-', ' ')})`)
  }

  if (decoded.type === 'argon2id') {
    throw new MqctlError('USAGE_UNSUPPORTED_HASH', 'argon2id hashes cannot be verified by mqctl yet')
  }

  let actual: Buffer
  if (decoded.type === 'sha512') {
    actual = createHash('sha512').update(password).update(decoded.salt).digest()
  } else {
    if (decoded.iterations > MAX_VERIFY_ITERATIONS) {
      throw new MqctlError('USAGE_BAD_HASH', `iteration count ${decoded.iterations} is above ${MAX_VERIFY_ITERATIONS}`)
    }

    actual = await pbkdf2Async(password, decoded.salt, decoded.iterations, KEY_BYTES, 'sha512')
  }

  return timingSafeEqual(actual, decoded.hash)
}
