import {MqctlError} from '../errors.js'
import {
  MAX_ITERATIONS,
  checkIterations,
  decodeHash,
  defaultHashParams,
  hashPassword,
  verifyPassword,
  type Target,
} from './hash.js'
import {
  MAX_BCRYPT_COST,
  hashPluginFormat,
  parsePluginHash,
  verifyPluginFormat,
  type PluginFormat,
} from './plugin-formats.js'

export type HashFormat = 'mosquitto' | 'mosquitto-sha512' | PluginFormat

/** One hash string in any format `mqctl hash` offers. */
export async function hashAnyFormat(
  format: HashFormat,
  password: Buffer,
  options: {iterations?: number; cost?: number; target?: Target} = {},
): Promise<string> {
  if (format === 'mosquitto' || format === 'mosquitto-sha512') {
    const params = defaultHashParams(options.target)
    return hashPassword(password, {
      ...params,
      type: format === 'mosquitto' ? 'sha512-pbkdf2' : 'sha512',
      iterations: options.iterations === undefined ? params.iterations : checkIterations(options.iterations),
    })
  }

  return hashPluginFormat(format, password, {iterations: options.iterations, cost: options.cost})
}

/** Checks a password against a `$6$`/`$7$` or plugin hash; malformed strings throw MqctlError. */
export async function verifyAnyHash(encoded: string, password: Buffer): Promise<boolean> {
  const text = encoded.trim()
  if (text.startsWith('$6$') || text.startsWith('$7$') || text.startsWith('$argon2id$'))
    return verifyPassword(text, password)
  return verifyPluginFormat(text, password)
}

/**
 * The caps on requested work, checked before a password is asked for: PBKDF2 iterations 1 to
 * MAX_ITERATIONS, bcrypt cost up to MAX_BCRYPT_COST, and a hash to verify that is well-formed
 * and within the same caps. Usage errors (exit 2).
 */
export function checkHashRequest(request: {iterations?: number; cost?: number; verify?: string}): void {
  if (request.iterations !== undefined) checkIterations(request.iterations)
  if (request.cost !== undefined && request.cost > MAX_BCRYPT_COST) {
    throw new MqctlError('USAGE_HASH_OPTIONS', `--cost must be at most ${MAX_BCRYPT_COST}, not ${request.cost}`)
  }

  if (request.verify === undefined) return
  const text = request.verify.trim()
  if (text.startsWith('$6$') || text.startsWith('$7$')) {
    const decoded = decodeHash(text)
    if (typeof decoded === 'string') {
      throw new MqctlError('USAGE_BAD_HASH', `not a valid mosquitto password hash (${decoded.replaceAll('-', ' ')})`)
    }

    if (decoded.type === 'sha512-pbkdf2' && decoded.iterations > MAX_ITERATIONS) {
      throw new MqctlError('USAGE_BAD_HASH', `iteration count ${decoded.iterations} is above ${MAX_ITERATIONS}`)
    }
  } else if (!text.startsWith('$argon2id$')) {
    parsePluginHash(text)
  }
}
