import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {MqctlError} from '../../../src/lib/errors.js'
import {detectPluginFormat, hashPluginFormat, verifyPluginFormat} from '../../../src/lib/passwd/plugin-formats.js'

// Vectors computed with Python's hashlib.pbkdf2_hmac (independent of this code): see docs/hash-formats.md.
const AUTH_PLUG = 'PBKDF2$sha256$901$AQIDBAUGBwgJCgsM$AqAx4qf72H/8r/CkfGM12PswzcLgqe9w'
const GO_AUTH = 'PBKDF2$sha512$1000$AQIDBAUGBwgJCgsMDQ4PEA==$szmvTyvjgLf4LcRhcGxkaLD1rC+KN8c42Of2iCJ2CDLPdsdLR4N2oNijL5MHJYUt7O4StLf6NT0k9+iYvu4sJQ=='
const pw = (s: string) => Buffer.from(s, 'utf8')

describe('plugin hash formats', () => {
  it('produce the known-answer strings', async () => {
    expect(await hashPluginFormat('auth-plug', pw('secret'), {salt: Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])})).toBe(AUTH_PLUG)
    expect(await hashPluginFormat('go-auth-pbkdf2', pw('secret'), {salt: Buffer.from(Array.from({length: 16}, (_, i) => i + 1)), iterations: 1000})).toBe(GO_AUTH)
  })

  it('verify right and wrong passwords', async () => {
    for (const h of [AUTH_PLUG, GO_AUTH]) {
      expect(await verifyPluginFormat(h, pw('secret'))).toBe(true)
      expect(await verifyPluginFormat(h, pw('Secret'))).toBe(false)
    }

    const bcrypt = await hashPluginFormat('bcrypt', pw('secret'), {cost: 4})
    expect(bcrypt).toMatch(/^\$2a\$04\$/)
    expect(await verifyPluginFormat(bcrypt, pw('secret'))).toBe(true)
    expect(await verifyPluginFormat(bcrypt, pw('nope'))).toBe(false)
    expect(detectPluginFormat(bcrypt)).toBe('bcrypt')
    expect(detectPluginFormat(AUTH_PLUG)).toBe('auth-plug')
    expect(detectPluginFormat(GO_AUTH)).toBe('go-auth-pbkdf2')
  })

  it('defaults follow the plugins', async () => {
    expect(await hashPluginFormat('auth-plug', pw('x'))).toMatch(/^PBKDF2\$sha256\$901\$[A-Za-z0-9+/]{16}\$[A-Za-z0-9+/]{32}$/)
    expect(await hashPluginFormat('go-auth-pbkdf2', pw('x'))).toMatch(/^PBKDF2\$sha512\$100000\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{86}==$/)
  })

  it.each(['', 'PBKDF2$md5$1$a$b', 'PBKDF2$sha256$0$AAAA$AAAA', 'PBKDF2$sha256$x$AAAA$AAAA', 'PBKDF2$sha256$1$AAAA$!!', 'PBKDF2$sha256$1$AAAA', '$7$101$a$b'])('refuses malformed %j with MqctlError', async (h) => {
    await expect(verifyPluginFormat(h, pw('x'))).rejects.toBeInstanceOf(MqctlError)
  })

  it('random strings give a boolean or an MqctlError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.constantFrom('PBKDF2$sha256$1$', 'PBKDF2$sha512$2$').chain((p) => fc.string().map((s) => p + s))), async (h) => {
        try {
          expect(typeof (await verifyPluginFormat(h, pw('x')))).toBe('boolean')
        } catch (error) {
          expect(error).toBeInstanceOf(MqctlError)
        }
      }),
      {numRuns: 200},
    )
  })
})
