/**
 * Reading the hash forms mosquitto stores, apart from hashing them: decoding needs no
 * node:crypto, which `config lint` and `passwd check` would otherwise load at start-up.
 */

/** PBKDF2-SHA512 key length of `$7$` hashes. */
export const KEY_BYTES = 64

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
