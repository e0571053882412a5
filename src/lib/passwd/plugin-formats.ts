import {pbkdf2, randomBytes, timingSafeEqual} from 'node:crypto'
import {promisify} from 'node:util'

import {MqctlError} from '../errors.js'

const pbkdf2Async = promisify(pbkdf2)

/**
 * Hash strings that mosquitto auth plugins keep in their databases. Each recipe was settled by
 * reading the plugin's source; docs/hash-formats.md gives the details, the files read and the
 * known-answer vectors.
 *
 *  - auth-plug (jpmens/mosquitto-auth-plug, np.c + pbkdf2-check.c):
 *      PBKDF2$sha256$901$<salt>$<key>; 12 random salt bytes written as standard base64, and the
 *      base64 TEXT (not the bytes) is the PBKDF2 salt; PBKDF2-HMAC-SHA256, 24-byte key.
 *  - go-auth-pbkdf2 (iegomez/mosquitto-go-auth, hashing/pbkdf2.go + pw-gen/pw.go):
 *      PBKDF2$sha512$100000$<salt>$<key>; 16 random salt bytes, standard padded base64, decoded
 *      before use (saltEncoding "base64", the default); PBKDF2-HMAC-SHA512, 64-byte key.
 *  - bcrypt (go-auth's bcrypt hasher, golang.org/x/crypto/bcrypt): $2a$10$<22 salt><31 hash>.
 */
export type PluginFormat = 'auth-plug' | 'go-auth-pbkdf2' | 'bcrypt'
export const PLUGIN_FORMATS: readonly PluginFormat[] = ['auth-plug', 'go-auth-pbkdf2', 'bcrypt']

/** HMAC digests mqctl writes in PBKDF2$ strings (auth-plug's checker also reads sha1). */
export type PluginDigest = 'sha256' | 'sha512'

/**
 * What PBKDF2 is given as the salt: `utf-8` = the bytes of the salt field's text (auth-plug's
 * default build, go-auth with `hasher_salt_encoding utf-8`); `base64` = the field base64-decoded
 * (go-auth's default, auth-plug built with -DRAW_SALT). The field itself is base64 either way.
 */
export type SaltEncoding = 'utf-8' | 'base64'

export interface PluginHashOptions {
  /** PBKDF2 iterations (1 to 10,000,000). */
  iterations?: number
  /** Random salt bytes for PBKDF2 formats (bcrypt's salt is always 16 bytes). */
  saltBytes?: number
  /** bcrypt cost, 4 to MAX_BCRYPT_COST. */
  cost?: number
  /** Fixed salt bytes, for known-answer tests. */
  salt?: Buffer
  /** PBKDF2 formats: HMAC digest. */
  digest?: PluginDigest
  /** PBKDF2 formats: derived key length in bytes. */
  keyBytes?: number
  /** PBKDF2 formats: what PBKDF2 is fed as the salt (see SaltEncoding). */
  saltEncoding?: SaltEncoding
}

export interface PluginFormatDefaults {
  iterations?: number
  saltBytes?: number
  cost?: number
  digest?: PluginDigest
  keyBytes?: number
  saltEncoding?: SaltEncoding
}

export const PLUGIN_FORMAT_DEFAULTS: Record<PluginFormat, PluginFormatDefaults> = {
  // np.c: iterations = 901, SALTLEN 12, KEY_LENGTH 24, EVP_sha256(); salt text fed to PBKDF2.
  'auth-plug': {iterations: 901, saltBytes: 12, digest: 'sha256', keyBytes: 24, saltEncoding: 'utf-8'},
  // pw-gen/pw.go: -i 100000, -s 16, -a sha512, -e base64, -l 0 → 64 for sha512 (32 for sha256).
  'go-auth-pbkdf2': {iterations: 100_000, saltBytes: 16, digest: 'sha512', keyBytes: 64, saltEncoding: 'base64'},
  // hashing/hashing.go: defaultBcryptCost = 10; x/crypto/bcrypt: 16 salt bytes.
  bcrypt: {cost: 10, saltBytes: 16},
}

/** Verify refuses more work than this per PBKDF2 attempt (and hash writes no more). */
export const MAX_PBKDF2_ITERATIONS = 10_000_000
/**
 * bcrypt costs above this take minutes to days per hash (each step doubles the work; 17 is about
 * 10 s here, like 10,000,000 PBKDF2 iterations): a hash to verify is attacker-supplied input.
 */
export const MAX_BCRYPT_COST = 17
/** Longest derived key mqctl computes or accepts in a stored hash. */
export const MAX_KEY_BYTES = 512
/** Longest salt mqctl writes, or accepts in a stored hash (bytes of the field). */
export const MAX_SALT_BYTES = 1024
const MAX_ENCODED_LENGTH = 4096
const BCRYPT_SALT_BYTES = 16
const BCRYPT_MAX_PASSWORD_BYTES = 72

const badHash = (message: string) => new MqctlError('USAGE_BAD_HASH', message)
const badOption = (message: string) => new MqctlError('USAGE_HASH_OPTIONS', message)
const badPassword = (message: string) => new MqctlError('USAGE_BAD_PASSWORD', message)

/** Standard alphabet, padded: what OpenSSL-style encoders and Go's base64.StdEncoding write. */
const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
/** Standard alphabet without padding (Go's base64.RawStdEncoding, used in PHC strings). */
const RAW_STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2,3})?$/
const BCRYPT = /^\$2([aby])\$(\d\d)\$([./A-Za-z0-9]{22})([./A-Za-z0-9]{31})$/

// ---------------------------------------------------------------------------------------------
// Hashing

export async function hashPluginFormat(
  format: PluginFormat,
  password: Buffer,
  options: PluginHashOptions = {},
): Promise<string> {
  if (!PLUGIN_FORMATS.includes(format))
    throw badOption(`unknown plugin hash format "${String(format)}" (${PLUGIN_FORMATS.join(', ')})`)
  if (password.includes(0))
    throw badPassword(
      'the password contains a NUL byte; mosquitto hands plugins the password as a C string, cut at the first NUL',
    )
  return format === 'bcrypt' ? hashBcrypt(password, options) : hashPbkdf2(format, password, options)
}

function checkInteger(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max)
    throw badOption(`${name} must be a whole number from ${min} to ${max}, not ${value}`)
  return value
}

async function hashPbkdf2(
  format: 'auth-plug' | 'go-auth-pbkdf2',
  password: Buffer,
  options: PluginHashOptions,
): Promise<string> {
  if (options.cost !== undefined) throw badOption(`cost applies only to the bcrypt format, not ${format}`)
  const defaults = PLUGIN_FORMAT_DEFAULTS[format]
  const iterations = checkInteger('iterations', options.iterations ?? defaults.iterations!, 1, MAX_PBKDF2_ITERATIONS)
  const digest = options.digest ?? defaults.digest!
  if (digest !== 'sha256' && digest !== 'sha512')
    throw badOption(`digest must be sha256 or sha512, not ${String(digest)}`)
  // go-auth's pw picks the key length from the digest (32 for sha256, 64 for sha512); np always 24.
  const defaultKey = format === 'go-auth-pbkdf2' && digest === 'sha256' ? 32 : defaults.keyBytes!
  const keyBytes = checkInteger('keyBytes', options.keyBytes ?? defaultKey, 1, MAX_KEY_BYTES)
  const saltEncoding = options.saltEncoding ?? defaults.saltEncoding!
  if (saltEncoding !== 'utf-8' && saltEncoding !== 'base64')
    throw badOption(`saltEncoding must be utf-8 or base64, not ${String(saltEncoding)}`)
  let salt = options.salt
  if (salt === undefined) {
    salt = randomBytes(checkInteger('saltBytes', options.saltBytes ?? defaults.saltBytes!, 1, MAX_SALT_BYTES))
  } else {
    checkInteger('salt length', salt.length, 1, MAX_SALT_BYTES)
  }

  // The field is always standard padded base64 (never raw bytes, which could hold a '$').
  const saltField = salt.toString('base64')
  const pbkdf2Salt = saltEncoding === 'utf-8' ? Buffer.from(saltField, 'ascii') : salt
  const key = await pbkdf2Async(password, pbkdf2Salt, iterations, keyBytes, digest)
  return `PBKDF2$${digest}$${iterations}$${saltField}$${key.toString('base64')}`
}

async function loadBcrypt() {
  const mod = await import('bcryptjs')
  return mod.default
}

/** bcryptjs takes a JS string and hashes its UTF-8 encoding, so only UTF-8 passwords survive. */
function bcryptPasswordText(password: Buffer): string {
  const text = password.toString('utf8')
  if (!Buffer.from(text, 'utf8').equals(password))
    throw badPassword('bcrypt in mqctl needs the password to be valid UTF-8')
  return text
}

async function hashBcrypt(password: Buffer, options: PluginHashOptions): Promise<string> {
  if (options.iterations !== undefined)
    throw badOption('iterations apply only to the PBKDF2 formats; bcrypt takes a cost')
  if (options.digest !== undefined || options.keyBytes !== undefined || options.saltEncoding !== undefined)
    throw badOption('digest, keyBytes and saltEncoding apply only to the PBKDF2 formats')
  if (options.saltBytes !== undefined && options.saltBytes !== BCRYPT_SALT_BYTES)
    throw badOption(`bcrypt salts are always ${BCRYPT_SALT_BYTES} bytes`)
  const cost = checkInteger('cost', options.cost ?? PLUGIN_FORMAT_DEFAULTS.bcrypt.cost!, 4, MAX_BCRYPT_COST)
  const text = bcryptPasswordText(password)
  // x/crypto/bcrypt's GenerateFromPassword refuses passwords over 72 bytes (go-auth's pw fails).
  if (password.length > BCRYPT_MAX_PASSWORD_BYTES)
    throw badPassword(
      `bcrypt uses at most ${BCRYPT_MAX_PASSWORD_BYTES} bytes of a password (this one has ${password.length}); Go's bcrypt refuses longer ones`,
    )
  const salt = options.salt ?? randomBytes(BCRYPT_SALT_BYTES)
  if (salt.length !== BCRYPT_SALT_BYTES)
    throw badOption(`a bcrypt salt must be ${BCRYPT_SALT_BYTES} bytes, not ${salt.length}`)
  const bcrypt = await loadBcrypt()
  // Go writes "$2a$"; bcryptjs keeps the revision letter of the salt string it is given.
  const saltString = `$2a$${String(cost).padStart(2, '0')}$${bcrypt.encodeBase64(salt, BCRYPT_SALT_BYTES)}`
  return bcrypt.hash(text, saltString)
}

// ---------------------------------------------------------------------------------------------
// Parsing and verifying

export type ParsedPluginHash =
  | {
      kind: 'pbkdf2'
      format: 'auth-plug' | 'go-auth-pbkdf2'
      /** Whether it was the PHC form `$pbkdf2-sha512$i=…,l=…$salt$hash` go-auth also reads. */
      phc: boolean
      digest: 'sha1' | 'sha256' | 'sha512'
      iterations: number
      /** Candidate PBKDF2 salts, the likelier first: the field's text, and its decoded bytes. */
      salts: Array<{encoding: SaltEncoding; bytes: Buffer}>
      hash: Buffer
    }
  | {kind: 'bcrypt'; format: 'bcrypt'; revision: 'a' | 'b' | 'y'; cost: number; salt: string; hash: string}

/** Names the plugin whose tool writes strings of this shape, or undefined. Never throws. */
export function detectPluginFormat(encoded: string): PluginFormat | undefined {
  const text = encoded.trim()
  if (/^\$2[aby]\$/.test(text)) return 'bcrypt'
  if (/^\$?pbkdf2-sha512\$/.test(text)) return 'go-auth-pbkdf2'
  const m = /^PBKDF2\$(sha1|sha256|sha512)\$[^$]*\$([^$]*)\$/.exec(text)
  if (!m) return undefined
  if (m[1] === 'sha1') return 'auth-plug'
  if (m[1] === 'sha512') return 'go-auth-pbkdf2'
  // sha256 is written by both np (12-byte salt: 16 characters, no padding) and go-auth's
  // `pw -a sha256` (16-byte salt: padded). Padding is the tell; verify tries both anyway.
  return m[2].endsWith('=') ? 'go-auth-pbkdf2' : 'auth-plug'
}

function parseIterations(text: string): number {
  if (!/^\d{1,9}$/.test(text))
    throw badHash(`iteration count "${truncate(text)}" is not a number from 1 to ${MAX_PBKDF2_ITERATIONS}`)
  const n = Number(text)
  if (n < 1) throw badHash('iteration count must be at least 1')
  if (n > MAX_PBKDF2_ITERATIONS) throw badHash(`iteration count ${n} is above ${MAX_PBKDF2_ITERATIONS}`)
  return n
}

function decodeKey(text: string, raw: boolean): Buffer {
  if (text === '') throw badHash('the hash field is empty')
  if (!(raw ? RAW_STD_BASE64 : STD_BASE64).test(text))
    throw badHash(`the hash field is not ${raw ? 'unpadded' : 'padded'} standard base64`)
  const key = Buffer.from(text, 'base64')
  if (key.length < 1) throw badHash('the hash field decodes to nothing')
  if (key.length > MAX_KEY_BYTES)
    throw badHash(`the hash field decodes to ${key.length} bytes, more than ${MAX_KEY_BYTES}`)
  return key
}

function saltCandidates(
  field: string,
  base64: RegExp,
  prefer: SaltEncoding,
): Array<{encoding: SaltEncoding; bytes: Buffer}> {
  if (field === '') throw badHash('the salt field is empty')
  const text = Buffer.from(field, 'utf8')
  if (text.length > MAX_SALT_BYTES) throw badHash(`the salt field is longer than ${MAX_SALT_BYTES} bytes`)
  const out: Array<{encoding: SaltEncoding; bytes: Buffer}> = [{encoding: 'utf-8', bytes: text}]
  if (base64.test(field)) {
    const decoded = Buffer.from(field, 'base64')
    if (decoded.length > 0) out.push({encoding: 'base64', bytes: decoded})
  }
  return prefer === 'base64' ? out.reverse() : out
}

const truncate = (s: string) => (s.length > 20 ? `${s.slice(0, 20)}…` : s)

/** Splits and checks a plugin hash string; malformed strings throw MqctlError USAGE_BAD_HASH. */
export function parsePluginHash(encoded: string): ParsedPluginHash {
  const text = encoded.trim()
  if (text === '') throw badHash('the hash is empty')
  if (text.length > MAX_ENCODED_LENGTH) throw badHash(`the hash is longer than ${MAX_ENCODED_LENGTH} characters`)

  if (text.startsWith('$2')) {
    const m = BCRYPT.exec(text)
    if (!m)
      throw badHash(
        'not a bcrypt hash: expected $2a$, $2b$ or $2y$, a two-digit cost, "$" and 53 characters of ./A-Za-z0-9',
      )
    const cost = Number(m[2])
    if (cost < 4 || cost > 31) throw badHash(`bcrypt cost ${m[2]} is outside 04 to 31`)
    if (cost > MAX_BCRYPT_COST)
      throw badHash(`bcrypt cost ${cost} is above ${MAX_BCRYPT_COST}, mqctl's cap (each step doubles the work)`)
    return {kind: 'bcrypt', format: 'bcrypt', revision: m[1] as 'a' | 'b' | 'y', cost, salt: m[3], hash: m[4]}
  }

  if (/^\$?pbkdf2-/.test(text)) return parsePhc(text)

  const fields = text.split('$')
  if (fields[0] !== 'PBKDF2')
    throw badHash(
      'not a plugin hash: expected PBKDF2$digest$iterations$salt$hash, $pbkdf2-sha512$… or a $2a$/$2b$/$2y$ bcrypt hash',
    )
  if (fields.length !== 5)
    throw badHash(
      `a PBKDF2 hash has 5 "$"-separated fields (PBKDF2$digest$iterations$salt$hash), this one has ${fields.length}`,
    )
  const [, digest, iterText, saltField, hashField] = fields
  if (digest !== 'sha1' && digest !== 'sha256' && digest !== 'sha512')
    throw badHash(`unsupported PBKDF2 digest "${truncate(digest)}" (sha256, sha512 or sha1)`)
  const iterations = parseIterations(iterText)
  const hash = decodeKey(hashField, false)
  const format = detectPluginFormat(text) as 'auth-plug' | 'go-auth-pbkdf2'
  const salts = saltCandidates(saltField, STD_BASE64, format === 'auth-plug' ? 'utf-8' : 'base64')
  return {kind: 'pbkdf2', format, phc: false, digest, iterations, salts, hash}
}

/** go-auth's second reading: `$pbkdf2-sha512$i=<iterations>,l=<key length>$<salt>$<hash>`, unpadded. */
function parsePhc(text: string): ParsedPluginHash {
  const fields = (text.startsWith('$') ? text.slice(1) : text).split('$')
  if (fields[0] !== 'pbkdf2-sha512')
    throw badHash(`unsupported PHC PBKDF2 variant "${truncate(fields[0])}" (go-auth reads only pbkdf2-sha512)`)
  if (fields.length !== 4)
    throw badHash(
      `a $pbkdf2-sha512$ hash has 4 "$"-separated fields (pbkdf2-sha512$i=N,l=N$salt$hash), this one has ${fields.length}`,
    )
  const [, params, saltField, hashField] = fields
  let iterText: string | undefined
  let lengthText: string | undefined
  for (const param of params.split(',')) {
    const m = /^([il])=(.*)$/.exec(param)
    if (!m) throw badHash(`unknown PHC parameter "${truncate(param)}" (i= and l= only)`)
    if (m[1] === 'i') iterText = m[2]
    else lengthText = m[2]
  }

  if (iterText === undefined) throw badHash('the $pbkdf2-sha512$ hash has no i= iteration count')
  const iterations = parseIterations(iterText)
  const hash = decodeKey(hashField, true)
  if (lengthText !== undefined && lengthText !== String(hash.length))
    throw badHash(`l=${truncate(lengthText)} does not match the ${hash.length}-byte hash`)
  const salts = saltCandidates(saltField, RAW_STD_BASE64, 'base64')
  return {kind: 'pbkdf2', format: 'go-auth-pbkdf2', phc: true, digest: 'sha512', iterations, salts, hash}
}

/**
 * Checks a password against a plugin hash string (format detected from the string). A PBKDF2
 * string does not say whether its salt field is fed to PBKDF2 as text (auth-plug, go-auth
 * utf-8) or decoded (go-auth base64, auth-plug RAW_SALT), so both readings are tried.
 * Malformed strings throw MqctlError; a well-formed hash and the wrong password give false.
 */
export async function verifyPluginFormat(encoded: string, password: Buffer): Promise<boolean> {
  const parsed = parsePluginHash(encoded)
  if (parsed.kind === 'bcrypt') return verifyBcrypt(parsed, password)
  for (const salt of parsed.salts) {
    const key = await pbkdf2Async(password, salt.bytes, parsed.iterations, parsed.hash.length, parsed.digest)
    if (timingSafeEqual(key, parsed.hash)) return true
  }

  return false
}

async function verifyBcrypt(parsed: Extract<ParsedPluginHash, {kind: 'bcrypt'}>, password: Buffer): Promise<boolean> {
  const text = bcryptPasswordText(password)
  const bcrypt = await loadBcrypt()
  // Like Go's CompareHashAndPassword: rehash with the stored salt string, compare the 31
  // hash characters (bytes past 72 of the password are ignored by bcrypt itself).
  const again = await bcrypt.hash(text, `$2${parsed.revision}$${String(parsed.cost).padStart(2, '0')}$${parsed.salt}`)
  return timingSafeEqual(Buffer.from(again.slice(-31), 'ascii'), Buffer.from(parsed.hash, 'ascii'))
}
