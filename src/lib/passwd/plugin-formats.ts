import {pbkdf2, randomBytes, timingSafeEqual} from 'node:crypto'
import {promisify} from 'node:util'

import {MqctlError} from '../errors.js'

const pbkdf2Async = promisify(pbkdf2)

/**
 * Hash strings for auth-plugin databases (see docs/hash-formats.md for how each recipe was
 * settled from the plugins' sources):
 *  - auth-plug: mosquitto-auth-plug's `np`: PBKDF2-HMAC-SHA256, 901 iterations, 12 random salt
 *    bytes stored base64, and the base64 TEXT of the salt is what PBKDF2 is fed; 24-byte key.
 *  - go-auth-pbkdf2: mosquitto-go-auth's default pbkdf2 hasher: PBKDF2-HMAC-SHA512, 100000
 *    iterations, 16 salt bytes (standard base64, decoded before use), 64-byte key.
 *  - bcrypt: $2a$ with cost 10, as golang.org/x/crypto/bcrypt writes for go-auth.
 */
export type PluginFormat = 'auth-plug' | 'go-auth-pbkdf2' | 'bcrypt'
export const PLUGIN_FORMATS: readonly PluginFormat[] = ['auth-plug', 'go-auth-pbkdf2', 'bcrypt']

export interface PluginHashOptions {
  iterations?: number
  saltBytes?: number
  cost?: number
  /** Fixed salt, for known-answer tests. */
  salt?: Buffer
}

export const PLUGIN_FORMAT_DEFAULTS: Record<PluginFormat, {iterations?: number; saltBytes?: number; cost?: number}> = {
  'auth-plug': {iterations: 901, saltBytes: 12},
  'go-auth-pbkdf2': {iterations: 100_000, saltBytes: 16},
  bcrypt: {cost: 10},
}

const bad = (message: string) => new MqctlError('USAGE_BAD_HASH', message)
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const MAX_ITERATIONS = 10_000_000

export async function hashPluginFormat(format: PluginFormat, password: Buffer, options: PluginHashOptions = {}): Promise<string> {
  const defaults = PLUGIN_FORMAT_DEFAULTS[format]
  if (format === 'bcrypt') {
    const cost = options.cost ?? defaults.cost!
    if (cost < 4 || cost > 31) throw bad(`bcrypt cost must be 4 to 31, not ${cost}`)
    const {default: bcrypt} = await import('bcryptjs')
    // bcryptjs writes $2b$; go's bcrypt writes and accepts $2a$, the same algorithm.
    return (await bcrypt.hash(password.toString('utf8'), cost)).replace(/^\$2b\$/, '$2a$')
  }

  const iterations = options.iterations ?? defaults.iterations!
  if (iterations < 1 || iterations > MAX_ITERATIONS) throw bad(`iterations must be 1 to ${MAX_ITERATIONS}`)
  const salt = options.salt ?? randomBytes(options.saltBytes ?? defaults.saltBytes!)
  const saltText = salt.toString('base64')
  if (format === 'auth-plug') {
    const key = await pbkdf2Async(password, Buffer.from(saltText, 'utf8'), iterations, 24, 'sha256')
    return `PBKDF2$sha256$${iterations}$${saltText}$${key.toString('base64')}`
  }

  const key = await pbkdf2Async(password, salt, iterations, 64, 'sha512')
  return `PBKDF2$sha512$${iterations}$${saltText}$${key.toString('base64')}`
}

export function detectPluginFormat(encoded: string): PluginFormat | undefined {
  if (/^\$2[aby]\$/.test(encoded)) return 'bcrypt'
  if (encoded.startsWith('PBKDF2$sha256$')) return 'auth-plug'
  if (encoded.startsWith('PBKDF2$sha512$')) return 'go-auth-pbkdf2'
  return undefined
}

/**
 * Checks a password against a plugin hash. `PBKDF2$…` strings are ambiguous between the two
 * plugins (auth-plug feeds the salt text, go-auth the decoded bytes): a match either way counts.
 */
export async function verifyPluginFormat(encoded: string, password: Buffer): Promise<boolean> {
  const text = encoded.trim()
  if (/^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/.test(text)) {
    const {default: bcrypt} = await import('bcryptjs')
    return bcrypt.compare(password.toString('utf8'), text.replace(/^\$2y\$/, '$2b$'))
  }

  const fields = text.split('$')
  if (fields.length !== 5 || fields[0] !== 'PBKDF2') throw bad('not a PBKDF2$digest$iterations$salt$hash or bcrypt hash')
  const [, digest, iterText, saltText, hashText] = fields
  if (digest !== 'sha256' && digest !== 'sha512') throw bad(`unknown digest "${digest}" (sha256 or sha512)`)
  if (!/^\d+$/.test(iterText) || Number(iterText) < 1 || Number(iterText) > MAX_ITERATIONS) throw bad(`invalid iteration count "${iterText}"`)
  if (!BASE64.test(hashText) || hashText === '') throw bad('the hash field is not base64')
  const want = Buffer.from(hashText, 'base64')
  const iterations = Number(iterText)
  const salts = [Buffer.from(saltText, 'utf8')]
  if (BASE64.test(saltText) && saltText !== '') salts.push(Buffer.from(saltText, 'base64'))
  for (const salt of salts) {
    const key = await pbkdf2Async(password, salt, iterations, want.length, digest)
    if (timingSafeEqual(key, want)) return true
  }

  return false
}
