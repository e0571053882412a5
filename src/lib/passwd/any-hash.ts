import {defaultHashParams, hashPassword, verifyPassword, type Target} from './hash.js'
import {hashPluginFormat, verifyPluginFormat, type PluginFormat} from './plugin-formats.js'

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
      iterations: options.iterations ?? params.iterations,
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
