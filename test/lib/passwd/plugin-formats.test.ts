import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {MqctlError} from '../../../src/lib/errors.js'
import {
  detectPluginFormat,
  hashPluginFormat,
  parsePluginHash,
  PLUGIN_FORMAT_DEFAULTS,
  verifyPluginFormat,
} from '../../../src/lib/passwd/plugin-formats.js'

// Where every vector comes from is written down in docs/hash-formats.md. In short: "published"
// vectors are strings printed in the plugins' own repositories (or in the library they use),
// "python" vectors were computed with Python's hashlib.pbkdf2_hmac, never with this code.

const pw = (s: string) => Buffer.from(s, 'utf8')
const b64 = (s: string) => Buffer.from(s, 'base64')

/** Expects an MqctlError with the given code (default USAGE_BAD_HASH). */
async function rejectsWith(p: Promise<unknown>, code = 'USAGE_BAD_HASH'): Promise<void> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(MqctlError)
  expect((error as MqctlError).code).toBe(code)
  expect((error as MqctlError).message).not.toContain('\n')
}

// --- auth-plug -----------------------------------------------------------------------------
// published: jpmens/mosquitto-auth-plug contrib/nodejs/test.js ("corresponds to 'password'")
const AP_NODEJS = 'PBKDF2$sha256$901$j24KtOVCjYfsqfjL$bUIeZ0n39NuQ3MU+Y3pofaSsTRNlfang'
// published: README.md, the output shown for `np` (password "secret", found by trial, see docs)
const AP_README_NP = 'PBKDF2$sha256$901$Qh18ysY4wstXoHhk$g8d2aDzbz3rYztvJiO3dsV698jzECxSg'
// published: examples/mysql.sql user m1 (password "m1", found by trial), 2 iterations
const AP_MYSQL_M1 = 'PBKDF2$sha256$2$NLu+mJ3GwOpS7JLk$eITPuWG/+WMf6F3bhsT5YlYPY6MmJHvM'
// published: pbkdf2-check.c's TEST main(): password "password", sha1, 98 iterations, 48-byte key
const AP_CHECK_SHA1 =
  'PBKDF2$sha1$98$XaIs9vQgmLujKHZG4/B3dNTbeP2PyaVKySTirZznBrE=$2DX/HZDTojVbfgAIdozBi6CihjWP1+akYnh/h9uQfIVl6pLoAiwJe1ey2WW2BnT+'
// python: salt bytes 01..0c, PBKDF2 salt = the base64 text "AQIDBAUGBwgJCgsM", "secret"
const AP_PY_TEXT = 'PBKDF2$sha256$901$AQIDBAUGBwgJCgsM$AqAx4qf72H/8r/CkfGM12PswzcLgqe9w'
// python: the same, but the RAW_SALT build (PBKDF2 salt = the 12 raw bytes)
const AP_PY_RAW = 'PBKDF2$sha256$901$AQIDBAUGBwgJCgsM$IKF/qcPykCGhCZ9z3u6iqF9z6u9x8NT8'
// python: password "pässwörd" (UTF-8 bytes), text salt
const AP_PY_UTF8_PW = 'PBKDF2$sha256$901$AQIDBAUGBwgJCgsM$vE3keDZwDcutkJ5rgVUTXZ9Ftx/5/dyZ'

// --- mosquitto-go-auth ---------------------------------------------------------------------
// published: test-files/passwords and backends/backends_test.go (user test1, password "test1")
const GA_TEST1 =
  'PBKDF2$sha512$100000$2WQHK5rjNN+oOT+TZAsWAw==$TDf4Y6J+9BdnjucFQ0ZUWlTwzncTjOOeE00W4Qm8lfPQyPCZACCjgfdK353jdGFwJjAf6vPAYaba9+z4GWK7Gg=='
// published: backends/mongo_test.go, "testpw": the same salt field read as base64 (1) and as utf-8 text (2)
const GA_MONGO_B64 =
  'PBKDF2$sha512$100000$os24lcPr9cJt2QDVWssblQ==$BK1BQ2wbwU1zNxv3Ml3wLuu5//hPop3/LvaPYjjCwdBvnpwusnukJPpcXQzyyjOlZdieXTx6sXAcX4WnZRZZnw=='
const GA_MONGO_UTF8 =
  'PBKDF2$sha512$100000$os24lcPr9cJt2QDVWssblQ==$dEOwgFUoMNt+Q8FHWXl03pZTg/RY47JdSTAx/KjhYKpbugOYg1WWG0tW0V2aqBnSCDLYJdRrkNf3p/PUoKLvkA=='
// published: hashing/hashing_test.go, PHC form, "test-password"
const GA_PHC = '$pbkdf2-sha512$i=10000,l=32$/DsNR8DBuoF/MxzLY+QVaw$YNfYNfT+6yT2blLrXKKR8Ll+aesgHYqSOtFTBsyscRM'
// python: salt bytes 01..10, "secret", 1000 iterations: sha512/64 (pw default), sha256/32 (pw -a sha256), utf-8 salt
const GA_PY_512 =
  'PBKDF2$sha512$1000$AQIDBAUGBwgJCgsMDQ4PEA==$szmvTyvjgLf4LcRhcGxkaLD1rC+KN8c42Of2iCJ2CDLPdsdLR4N2oNijL5MHJYUt7O4StLf6NT0k9+iYvu4sJQ=='
const GA_PY_256 = 'PBKDF2$sha256$1000$AQIDBAUGBwgJCgsMDQ4PEA==$4aZ5yYriFo4jMk9FEHou6O9PZ7Ro87RSHOu9ZdYx//Q='
const GA_PY_UTF8 =
  'PBKDF2$sha512$1000$AQIDBAUGBwgJCgsMDQ4PEA==$9NT5mEjNBYSem+6jJdn2EEoMEuPEYApMJv8nVfTnpzx+/HfCd0Cuxgq06XJzU7eezs8wIPfCA3VcWLytxuFSzQ=='
// python: a password that is not UTF-8 (bytes ff fe 80 41); MQTT passwords are binary data
const GA_PY_BINARY_PW =
  'PBKDF2$sha512$1000$AQIDBAUGBwgJCgsMDQ4PEA==$FgmWfkABFZtoD7oNqDEjt8GsC+oMU5EetNBh3Kpv+50qtLl58vjaHaL11/qsYvfFB81krQX9cxStAgKTGxb42g=='
const SALT16 = Buffer.from(Array.from({length: 16}, (_, i) => i + 1))
const SALT12 = SALT16.subarray(0, 12)

// --- bcrypt --------------------------------------------------------------------------------
// published: golang.org/x/crypto bcrypt/bcrypt_test.go (the library go-auth uses)
const GO_SALT = Buffer.from([101, 201, 101, 75, 19, 227, 199, 20, 239, 236, 133, 32, 30, 109, 243, 30]) // "XajjQvNhvvRt5GSeFk1xFe"
const BC_GO_ALLMINE = '$2a$10$XajjQvNhvvRt5GSeFk1xFeyqRrsxkhBkUiQeg0dt.wU1qD4aFDcga'
const BC_GO_LONG_PW = '012345678901234567890123456789012345678901234567890123456'
const BC_GO_LONG = '$2a$10$XajjQvNhvvRt5GSeFk1xFe5l47dONXg781AmZtd869sO8zfsHuw7C'
// published: pyca/bcrypt tests/test_bcrypt.py ($2a$ from OpenBSD's set, $2b$ from its own)
const BC_PYCA_2A = '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW' // "U*U"
const BC_PYCA_2B = '$2b$04$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEm' // "Kk4DQuMMfZL9o"
// published: PHP manual, password_verify() example ($2y$ is PHP's spelling), "rasmuslerdorf"
const BC_PHP_2Y = '$2y$07$BCryptRequires22Chrcte/VlQH0piJtjXl.0t1XkA8pw9dMXTpOq'

describe('plugin hash formats: known answers', () => {
  it('auth-plug: fixed salt gives the exact published and python strings', async () => {
    expect(await hashPluginFormat('auth-plug', pw('password'), {salt: b64('j24KtOVCjYfsqfjL')})).toBe(AP_NODEJS)
    expect(await hashPluginFormat('auth-plug', pw('secret'), {salt: b64('Qh18ysY4wstXoHhk')})).toBe(AP_README_NP)
    expect(await hashPluginFormat('auth-plug', pw('m1'), {salt: b64('NLu+mJ3GwOpS7JLk'), iterations: 2})).toBe(
      AP_MYSQL_M1,
    )
    expect(await hashPluginFormat('auth-plug', pw('secret'), {salt: SALT12})).toBe(AP_PY_TEXT)
    expect(await hashPluginFormat('auth-plug', pw('secret'), {salt: SALT12, saltEncoding: 'base64'})).toBe(AP_PY_RAW)
    expect(await hashPluginFormat('auth-plug', pw('pässwörd'), {salt: SALT12})).toBe(AP_PY_UTF8_PW)
  })

  it('go-auth-pbkdf2: fixed salt gives the exact published and python strings', async () => {
    expect(await hashPluginFormat('go-auth-pbkdf2', pw('test1'), {salt: b64('2WQHK5rjNN+oOT+TZAsWAw==')})).toBe(
      GA_TEST1,
    )
    expect(await hashPluginFormat('go-auth-pbkdf2', pw('testpw'), {salt: b64('os24lcPr9cJt2QDVWssblQ==')})).toBe(
      GA_MONGO_B64,
    )
    expect(
      await hashPluginFormat('go-auth-pbkdf2', pw('testpw'), {
        salt: b64('os24lcPr9cJt2QDVWssblQ=='),
        saltEncoding: 'utf-8',
      }),
    ).toBe(GA_MONGO_UTF8)
    expect(await hashPluginFormat('go-auth-pbkdf2', pw('secret'), {salt: SALT16, iterations: 1000})).toBe(GA_PY_512)
    expect(
      await hashPluginFormat('go-auth-pbkdf2', pw('secret'), {salt: SALT16, iterations: 1000, digest: 'sha256'}),
    ).toBe(GA_PY_256)
    expect(
      await hashPluginFormat('go-auth-pbkdf2', pw('secret'), {salt: SALT16, iterations: 1000, saltEncoding: 'utf-8'}),
    ).toBe(GA_PY_UTF8)
    expect(
      await hashPluginFormat('go-auth-pbkdf2', Buffer.from([0xff, 0xfe, 0x80, 0x41]), {salt: SALT16, iterations: 1000}),
    ).toBe(GA_PY_BINARY_PW)
  })

  it("bcrypt: fixed salt gives the exact strings of Go's bcrypt tests", async () => {
    expect(await hashPluginFormat('bcrypt', pw('allmine'), {salt: GO_SALT})).toBe(BC_GO_ALLMINE)
    expect(await hashPluginFormat('bcrypt', pw(BC_GO_LONG_PW), {salt: GO_SALT, cost: 10})).toBe(BC_GO_LONG)
  })

  it.each([
    ['auth-plug nodejs', AP_NODEJS, 'password'],
    ['auth-plug README np', AP_README_NP, 'secret'],
    ['auth-plug mysql m1', AP_MYSQL_M1, 'm1'],
    ['auth-plug pbkdf2-check sha1', AP_CHECK_SHA1, 'password'],
    ['auth-plug python text salt', AP_PY_TEXT, 'secret'],
    ['auth-plug python RAW_SALT', AP_PY_RAW, 'secret'],
    ['auth-plug python UTF-8 password', AP_PY_UTF8_PW, 'pässwörd'],
    ['go-auth test1', GA_TEST1, 'test1'],
    ['go-auth mongo base64 salt', GA_MONGO_B64, 'testpw'],
    ['go-auth mongo utf-8 salt', GA_MONGO_UTF8, 'testpw'],
    ['go-auth PHC', GA_PHC, 'test-password'],
    ['go-auth python sha512', GA_PY_512, 'secret'],
    ['go-auth python sha256', GA_PY_256, 'secret'],
    ['go-auth python utf-8 salt', GA_PY_UTF8, 'secret'],
    ['bcrypt Go allmine', BC_GO_ALLMINE, 'allmine'],
    ['bcrypt Go 57-byte password', BC_GO_LONG, BC_GO_LONG_PW],
    ['bcrypt pyca $2a$', BC_PYCA_2A, 'U*U'],
    ['bcrypt pyca $2b$', BC_PYCA_2B, 'Kk4DQuMMfZL9o'],
    ['bcrypt PHP $2y$', BC_PHP_2Y, 'rasmuslerdorf'],
  ])('verify %s: right password true, wrong false', async (_name, hash, password) => {
    expect(await verifyPluginFormat(hash, pw(password))).toBe(true)
    expect(await verifyPluginFormat(hash, pw(`${password}x`))).toBe(false)
    expect(await verifyPluginFormat(hash, pw(password.slice(1)))).toBe(false)
  })

  it('verify takes a non-UTF-8 password for PBKDF2 formats', async () => {
    expect(await verifyPluginFormat(GA_PY_BINARY_PW, Buffer.from([0xff, 0xfe, 0x80, 0x41]))).toBe(true)
    expect(await verifyPluginFormat(GA_PY_BINARY_PW, Buffer.from([0xff, 0xfe, 0x80, 0x42]))).toBe(false)
  })

  it('verify ignores surrounding whitespace (a pasted line)', async () => {
    expect(await verifyPluginFormat(`  ${AP_NODEJS}\n`, pw('password'))).toBe(true)
  })

  it('the revision letter does not change bcrypt (Go accepts any; $2a/$2b/$2y are one algorithm here)', async () => {
    for (const rev of ['a', 'b', 'y']) {
      const h = BC_PYCA_2B.replace(/^\$2b\$/, `$2${rev}$`)
      expect(await verifyPluginFormat(h, pw('Kk4DQuMMfZL9o'))).toBe(true)
      expect(detectPluginFormat(h)).toBe('bcrypt')
    }
  })

  it('bcrypt, like Go, ignores password bytes past 72', async () => {
    const base = 'a'.repeat(72)
    const h = await hashPluginFormat('bcrypt', pw(base), {cost: 4})
    expect(await verifyPluginFormat(h, pw(`${base}anything`))).toBe(true)
    expect(await verifyPluginFormat(h, pw(base.slice(1)))).toBe(false)
  })
})

describe('plugin hash formats: defaults and round trips', () => {
  it('defaults follow np.c, pw-gen/pw.go and hashing.go', async () => {
    expect(PLUGIN_FORMAT_DEFAULTS['auth-plug']).toMatchObject({
      iterations: 901,
      saltBytes: 12,
      keyBytes: 24,
      digest: 'sha256',
      saltEncoding: 'utf-8',
    })
    expect(PLUGIN_FORMAT_DEFAULTS['go-auth-pbkdf2']).toMatchObject({
      iterations: 100_000,
      saltBytes: 16,
      keyBytes: 64,
      digest: 'sha512',
      saltEncoding: 'base64',
    })
    expect(PLUGIN_FORMAT_DEFAULTS.bcrypt).toMatchObject({cost: 10})

    const ap = await hashPluginFormat('auth-plug', pw('x'))
    expect(ap).toMatch(/^PBKDF2\$sha256\$901\$[A-Za-z0-9+/]{16}\$[A-Za-z0-9+/]{32}$/)
    const ga = await hashPluginFormat('go-auth-pbkdf2', pw('x'))
    expect(ga).toMatch(/^PBKDF2\$sha512\$100000\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{86}==$/)
    const ga256 = await hashPluginFormat('go-auth-pbkdf2', pw('x'), {digest: 'sha256', iterations: 10})
    expect(ga256).toMatch(/^PBKDF2\$sha256\$10\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/)
    const bc = await hashPluginFormat('bcrypt', pw('x'))
    expect(bc).toMatch(/^\$2a\$10\$[./A-Za-z0-9]{53}$/)
    for (const h of [ap, ga, ga256, bc]) expect(await verifyPluginFormat(h, pw('x'))).toBe(true)
    expect(await hashPluginFormat('auth-plug', pw('x'))).not.toBe(ap) // random salt
  })

  it('detects the format from the string', () => {
    expect(detectPluginFormat(AP_NODEJS)).toBe('auth-plug')
    expect(detectPluginFormat(AP_CHECK_SHA1)).toBe('auth-plug')
    expect(detectPluginFormat(GA_TEST1)).toBe('go-auth-pbkdf2')
    expect(detectPluginFormat(GA_PY_256)).toBe('go-auth-pbkdf2')
    expect(detectPluginFormat(GA_PHC)).toBe('go-auth-pbkdf2')
    expect(detectPluginFormat(BC_GO_ALLMINE)).toBe('bcrypt')
    expect(detectPluginFormat(BC_PHP_2Y)).toBe('bcrypt')
    for (const other of ['', '$7$101$a$b', '$6$a$b', 'PBKDF2$md5$1$a$b', 'plain', '$2x$10$'])
      expect(detectPluginFormat(other)).toBeUndefined()
    expect(parsePluginHash(AP_NODEJS)).toMatchObject({
      kind: 'pbkdf2',
      digest: 'sha256',
      iterations: 901,
      salts: [{encoding: 'utf-8'}, {encoding: 'base64'}],
    })
    expect(parsePluginHash(GA_TEST1)).toMatchObject({
      kind: 'pbkdf2',
      digest: 'sha512',
      iterations: 100_000,
      salts: [{encoding: 'base64'}, {encoding: 'utf-8'}],
    })
  })

  it('round trips random passwords in every format', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('auth-plug' as const, 'go-auth-pbkdf2' as const, 'bcrypt' as const),
        fc
          .string({minLength: 1, maxLength: 40, unit: 'grapheme'})
          .filter((s) => !s.includes('\0') && Buffer.byteLength(s) <= 72),
        async (format, text) => {
          const options = format === 'bcrypt' ? {cost: 4} : {iterations: 3}
          const h = await hashPluginFormat(format, pw(text), options)
          expect(detectPluginFormat(h)).toBe(format === 'bcrypt' ? 'bcrypt' : format)
          expect(await verifyPluginFormat(h, pw(text))).toBe(true)
          expect(await verifyPluginFormat(h, pw(`${text}!`))).toBe(false)
        },
      ),
      {numRuns: 60},
    )
  })

  it('round trips binary passwords in the PBKDF2 formats', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('auth-plug' as const, 'go-auth-pbkdf2' as const),
        fc.uint8Array({minLength: 1, maxLength: 64}),
        async (format, bytes) => {
          const password = Buffer.from(bytes.map((b) => b || 1)) // no NUL
          const h = await hashPluginFormat(format, password, {iterations: 2, saltBytes: 5})
          expect(await verifyPluginFormat(h, password)).toBe(true)
          expect(await verifyPluginFormat(h, Buffer.concat([password, Buffer.from([1])]))).toBe(false)
        },
      ),
      {numRuns: 60},
    )
  })
})

describe('plugin hash formats: refusals', () => {
  const bcryptTail = 'a'.repeat(53)
  it.each([
    '',
    '   ',
    'plain',
    '$7$101$AAAA$AAAA',
    '$6$AAAA$AAAA',
    'PBKDF2',
    'PBKDF2$sha256$901$AAAA',
    'PBKDF2$sha256$901$AAAA$AAAA$AAAA',
    'pbkdf2$sha256$901$AAAA$AAAA',
    'PBKDF2$md5$1$AAAA$AAAA',
    'PBKDF2$SHA256$1$AAAA$AAAA',
    'PBKDF2$sha256$0$AAAA$AAAA',
    'PBKDF2$sha256$-1$AAAA$AAAA',
    'PBKDF2$sha256$+5$AAAA$AAAA',
    'PBKDF2$sha256$1e3$AAAA$AAAA',
    'PBKDF2$sha256$x$AAAA$AAAA',
    'PBKDF2$sha256$$AAAA$AAAA',
    'PBKDF2$sha256$10000001$AAAA$AAAA',
    'PBKDF2$sha512$99999999999$AAAA$AAAA',
    'PBKDF2$sha256$1$$AAAA',
    'PBKDF2$sha256$1$AAAA$',
    'PBKDF2$sha256$1$AAAA$!!!!',
    'PBKDF2$sha256$1$AAAA$AAA',
    'PBKDF2$sha256$1$AAAA$AAAAA',
    'PBKDF2$sha256$1$AAAA$AA-_',
    'PBKDF2$sha256$1$AAAA$====',
    `PBKDF2$sha256$1$AAAA$${'A'.repeat(688)}`, // 516 bytes of key
    `PBKDF2$sha256$1$${'A'.repeat(5000)}$AAAA`,
    '$pbkdf2-sha256$i=1,l=3$AAAA$AAAA',
    '$pbkdf2-sha512$i=0,l=3$AAAA$AAAA',
    '$pbkdf2-sha512$l=3$AAAA$AAAA',
    '$pbkdf2-sha512$i=1,l=4$AAAA$AAAA',
    '$pbkdf2-sha512$i=1,x=2$AAAA$AAAA',
    '$pbkdf2-sha512$i=1,l=3$AAAA$AAAA==',
    '$pbkdf2-sha512$i=1$AAAA',
    '$2a$10$short',
    `$2a$03$${bcryptTail}`,
    `$2a$32$${bcryptTail}`,
    `$2a$1x$${bcryptTail}`,
    `$2x$10$${bcryptTail}`,
    `$2$10$${bcryptTail}`,
    `$2a$10$${bcryptTail}a`,
    `$2a$10$${'a'.repeat(52)}!`,
  ])('verify refuses %j with USAGE_BAD_HASH', async (h) => {
    await rejectsWith(verifyPluginFormat(h, pw('x')))
  })

  it('hash refuses bad options and passwords the plugins could never receive', async () => {
    await rejectsWith(hashPluginFormat('auth-plug', pw('a\0b')), 'USAGE_BAD_PASSWORD')
    await rejectsWith(hashPluginFormat('bcrypt', Buffer.from([0xff, 0x41]), {cost: 4}), 'USAGE_BAD_PASSWORD')
    await rejectsWith(hashPluginFormat('bcrypt', pw('a'.repeat(73)), {cost: 4}), 'USAGE_BAD_PASSWORD')
    await rejectsWith(hashPluginFormat('auth-plug', pw('x'), {iterations: 0}), 'USAGE_HASH_OPTIONS')
    await rejectsWith(hashPluginFormat('auth-plug', pw('x'), {iterations: 1.5}), 'USAGE_HASH_OPTIONS')
    await rejectsWith(hashPluginFormat('go-auth-pbkdf2', pw('x'), {iterations: 10_000_001}), 'USAGE_HASH_OPTIONS')
    await rejectsWith(hashPluginFormat('go-auth-pbkdf2', pw('x'), {saltBytes: 0}), 'USAGE_HASH_OPTIONS')
    await rejectsWith(hashPluginFormat('go-auth-pbkdf2', pw('x'), {salt: Buffer.alloc(0)}), 'USAGE_HASH_OPTIONS')
    await rejectsWith(hashPluginFormat('go-auth-pbkdf2', pw('x'), {cost: 10}), 'USAGE_HASH_OPTIONS')
    await rejectsWith(hashPluginFormat('go-auth-pbkdf2', pw('x'), {keyBytes: 513}), 'USAGE_HASH_OPTIONS')
    await rejectsWith(hashPluginFormat('bcrypt', pw('x'), {cost: 3}), 'USAGE_HASH_OPTIONS')
    await rejectsWith(hashPluginFormat('bcrypt', pw('x'), {cost: 32}), 'USAGE_HASH_OPTIONS')
    await rejectsWith(hashPluginFormat('bcrypt', pw('x'), {iterations: 10}), 'USAGE_HASH_OPTIONS')
    await rejectsWith(hashPluginFormat('bcrypt', pw('x'), {salt: Buffer.alloc(15)}), 'USAGE_HASH_OPTIONS')
    await rejectsWith(hashPluginFormat('nope' as never, pw('x')), 'USAGE_HASH_OPTIONS')
  })

  it('bcrypt verify refuses a password bcryptjs cannot represent', async () => {
    await rejectsWith(verifyPluginFormat(BC_PYCA_2B, Buffer.from([0xa3])), 'USAGE_BAD_PASSWORD')
  })

  it('random strings given to verify give a boolean or an MqctlError, nothing else', async () => {
    const b64char = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/='.split(''))
    const bcchar = fc.constantFrom(...'./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789$'.split(''))
    const b64str = fc.string({unit: b64char, maxLength: 48})
    const anything = fc.oneof(
      fc.string(),
      fc.string({unit: 'binary'}),
      // shaped like the real thing, so the checks past the prefix get exercised
      fc
        .tuple(
          fc.constantFrom('PBKDF2', 'pbkdf2', ''),
          fc.constantFrom('sha1', 'sha256', 'sha512', 'md5', ''),
          fc.constantFrom('1', '2', '0', '', 'x', '10000001'),
          b64str,
          b64str,
        )
        .map((f) => f.join('$')),
      fc
        .tuple(
          fc.constantFrom('$pbkdf2-sha512$', 'pbkdf2-sha512$', '$pbkdf2-sha256$'),
          fc.constantFrom('i=1,l=3', 'i=2', 'l=5', 'i=1,l=', ''),
          b64str,
          b64str,
        )
        .map(([a, p, s, h]) => `${a}${p}$${s}$${h}`),
      fc
        .tuple(
          fc.constantFrom('$2a$04$', '$2b$04$', '$2y$04$', '$2x$04$', '$2a$4$', '$2a$40$'),
          fc.string({unit: bcchar, minLength: 50, maxLength: 56}),
        )
        .map(([a, b]) => a + b),
      fc.constantFrom('PBKDF2$sha256$1$', 'PBKDF2$sha512$2$', '$2a$04$').chain((p) => fc.string().map((s) => p + s)),
    )
    await fc.assert(
      fc.asyncProperty(anything, fc.uint8Array({maxLength: 20}), async (h, password) => {
        try {
          expect(typeof (await verifyPluginFormat(h, Buffer.from(password)))).toBe('boolean')
        } catch (error) {
          expect(error).toBeInstanceOf(MqctlError)
        }

        const detected = detectPluginFormat(h)
        expect(detected === undefined || ['auth-plug', 'go-auth-pbkdf2', 'bcrypt'].includes(detected)).toBe(true)
      }),
      {numRuns: 400},
    )
  })
})
