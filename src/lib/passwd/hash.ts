import {createHash, pbkdf2, randomBytes, timingSafeEqual} from 'node:crypto'
import {promisify} from 'node:util'

import {MqctlError} from '../errors.js'
import {KEY_BYTES, decodeHash} from './hash-decode.js'

export {KEY_BYTES, atoi, decodeHash, isEncodedPassword, type DecodedHash, type HashProblem} from './hash-decode.js'

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
