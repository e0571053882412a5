import {chmodSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import fc from 'fast-check'
import {afterAll, describe, expect, it} from 'vitest'

import {MqctlError} from '../../../src/lib/errors.js'
import {checkPasswdLines, type PasswdFinding} from '../../../src/lib/passwd/check.js'
import {checkPasswdFile} from '../../../src/lib/passwd/check-file.js'
import {parsePasswdFile} from '../../../src/lib/passwd/file.js'

const SALT12 = Buffer.alloc(12, 1).toString('base64')
const SALT64 = Buffer.alloc(64, 2).toString('base64')
const HASH64 = Buffer.alloc(64, 3).toString('base64')
const ENC = `$7$101$${SALT12}$${HASH64}`
const ARGON = '$argon2id$v=19$m=47104,t=1,p=1$c2FsdA$aGFzaA'

const check = (content: string, target: '2.0' | '2.1' = '2.0') =>
  checkPasswdLines(parsePasswdFile(Buffer.from(content, 'utf8')), target)
const brief = (f: PasswdFinding[]) => f.map(({line, column, rule, severity}) => ({line, column, rule, severity}))

// Every rule, one per line, with the 1-based line and column the finding must point at.
const FILE =
  [
    '# comment: with colon', //                            1: nothing
    '', //                                                 2: nothing
    'nocolon', //                                          3: invalid-line @1
    ' :' + ENC, //                                         4: empty-username @1
    'bob:', //                                             5: missing-password @5
    'plain:secret', //                                     6: plaintext @7
    `sha:$5$${SALT12}$${HASH64}`, //                       7: unknown-hash-type @5
    `mal:$7$101$${SALT12}`, //                             8: malformed-hash @5
    `it:$7$0$${SALT12}$${HASH64}`, //                      9: bad-iterations @4
    `bs:$7$101$!!!!!!!!$${HASH64}`, //                    10: bad-salt @4
    `bl:$7$1000$${SALT64}$${HASH64}`, //                  11: bad-salt @4 (2.0 only)
    `bh:$7$101$${SALT12}$${Buffer.alloc(63).toString('base64')}`, // 12: bad-hash @4
    `a2:${ARGON}`, //                                     13: unsupported-hash @4 (2.0 only)
    `ok:${ENC}`, //                                       14: nothing
    `ok:${ENC}`, //                                       15: duplicate-username @1
    `ex:${ENC}:more`, //                                  16: extra-fields @4 (warning)
    `a\tb:${ENC}`, //                                     17: control-characters @1
    `${'x'.repeat(65_536)}:${ENC}`, //                    18: username-too-long @1
    '  sp :  plain', //                                   19: plaintext @9
    `s6:$6$${SALT12}$${HASH64}`, //                       20: nothing
    `b6:$6$${SALT64}$${HASH64}`, //                       21: bad-salt @4 (2.0 only)
  ].join('\n') + '\n'

describe('checkPasswdLines: every rule with its position', () => {
  it('target 2.0', () => {
    expect(brief(check(FILE, '2.0'))).toEqual([
      {line: 3, column: 1, rule: 'passwd/invalid-line', severity: 'error'},
      {line: 4, column: 1, rule: 'passwd/empty-username', severity: 'error'},
      {line: 5, column: 5, rule: 'passwd/missing-password', severity: 'error'},
      {line: 6, column: 7, rule: 'passwd/plaintext', severity: 'error'},
      {line: 7, column: 5, rule: 'passwd/unknown-hash-type', severity: 'error'},
      {line: 8, column: 5, rule: 'passwd/malformed-hash', severity: 'error'},
      {line: 9, column: 4, rule: 'passwd/bad-iterations', severity: 'error'},
      {line: 10, column: 4, rule: 'passwd/bad-salt', severity: 'error'},
      {line: 11, column: 4, rule: 'passwd/bad-salt', severity: 'error'},
      {line: 12, column: 4, rule: 'passwd/bad-hash', severity: 'error'},
      {line: 13, column: 4, rule: 'passwd/unsupported-hash', severity: 'error'},
      {line: 15, column: 1, rule: 'passwd/duplicate-username', severity: 'error'},
      {line: 16, column: 4, rule: 'passwd/extra-fields', severity: 'warning'},
      {line: 17, column: 1, rule: 'passwd/control-characters', severity: 'error'},
      {line: 18, column: 1, rule: 'passwd/username-too-long', severity: 'error'},
      {line: 19, column: 9, rule: 'passwd/plaintext', severity: 'error'},
      {line: 21, column: 4, rule: 'passwd/bad-salt', severity: 'error'},
    ])
  })

  it('target 2.1: 64-byte salts and argon2id are fine', () => {
    expect(brief(check(FILE, '2.1'))).toEqual([
      // 2.1.2's password_parse.c skips a line without ':' and loads the file: a warning only.
      {line: 3, column: 1, rule: 'passwd/invalid-line', severity: 'warning'},
      {line: 4, column: 1, rule: 'passwd/empty-username', severity: 'error'},
      {line: 5, column: 5, rule: 'passwd/missing-password', severity: 'error'},
      {line: 6, column: 7, rule: 'passwd/plaintext', severity: 'error'},
      {line: 7, column: 5, rule: 'passwd/unknown-hash-type', severity: 'error'},
      {line: 8, column: 5, rule: 'passwd/malformed-hash', severity: 'error'},
      {line: 9, column: 4, rule: 'passwd/bad-iterations', severity: 'error'},
      {line: 10, column: 4, rule: 'passwd/bad-salt', severity: 'error'},
      {line: 12, column: 4, rule: 'passwd/bad-hash', severity: 'error'},
      {line: 15, column: 1, rule: 'passwd/duplicate-username', severity: 'error'},
      {line: 16, column: 4, rule: 'passwd/extra-fields', severity: 'warning'},
      {line: 17, column: 1, rule: 'passwd/control-characters', severity: 'error'},
      {line: 18, column: 1, rule: 'passwd/username-too-long', severity: 'error'},
      {line: 19, column: 9, rule: 'passwd/plaintext', severity: 'error'},
    ])
  })

  it('target 2.1: lines without ":" and lines of only colons are skipped, not a refusal of the file', () => {
    for (const line of ['no colon here', ':::', '   ']) {
      const found = check(`${line}\n`, '2.1')
      expect(
        found.filter((f) => f.severity === 'error'),
        line,
      ).toEqual([])
      if (line.trim()) expect(found[0].message).toBe('not a "username:hash" line; the broker skips it')
      expect(found.some((f) => /refuses the file/.test(f.message))).toBe(false)
    }
  })

  it('messages say what the target broker does', () => {
    const f20 = check('plain:pw\n', '2.0')[0]
    const f21 = check('plain:pw\n', '2.1')[0]
    expect(f20.message).toContain('the broker drops this entry')
    expect(f21.message).toContain('the broker refuses the file')
    expect(f20.username).toBe('plain')
    const dup = check(`u:${ENC}\nx:${ENC}\nu:${ENC}\n`).find((f) => f.rule === 'passwd/duplicate-username')!
    expect(dup.line).toBe(3)
    expect(dup.message).toContain('line 1')
    expect(check(`b:$7$1000$${SALT64}$${HASH64}\n`, '2.0')[0].message).toContain('12')
  })

  it('a clean file written by mosquitto_passwd 2.0.11 has no findings on either target', () => {
    const clean =
      'alice:$7$101$VnuVQktcDUV3QEwL$WLYYlPmzFtc80xm3BIuWZhdmhtjYJVWXnu7LC3zeme9TfdO8QgQk76q5SAoDVItkMDvC/wa5C1djQysff5GEzA==\r\n# ok\r\n\r\n'
    expect(check(clean, '2.0')).toEqual([])
    expect(check(clean, '2.1')).toEqual([])
  })

  it('CRLF and trailing blanks do not shift or break anything', () => {
    expect(check(`u:${ENC}  \r\n`)).toEqual([])
    expect(brief(check('u:\tplain \r\n'))).toEqual([{line: 1, column: 4, rule: 'passwd/plaintext', severity: 'error'}])
  })

  it('defaults to target 2.0', () => {
    expect(brief(checkPasswdLines(parsePasswdFile(Buffer.from(`b:$7$1000$${SALT64}$${HASH64}\n`))))).toEqual([
      {line: 1, column: 3, rule: 'passwd/bad-salt', severity: 'error'},
    ])
  })
})

describe('checkPasswdLines agrees with the broker line rules (spec 1.8/1.9)', () => {
  // strtok skips leading ':' — so ":bob" is the user "bob" with no password field (the broker's
  // "Invalid line"), not an empty username.
  it(':bob is a missing password, not an empty username', () => {
    expect(check(':bob\n').map((f) => f.rule)).toEqual(['passwd/missing-password'])
    expect(check('::bob\n').map((f) => f.rule)).toEqual(['passwd/missing-password'])
  })

  it(':bob:plain is the user bob with a plain-text password', () => {
    const f = check(':bob:plain\n')
    expect(f.map((x) => [x.rule, x.username, x.column])).toEqual([['passwd/plaintext', 'bob', 6]])
  })

  // Only C's isspace() blanks are trimmed (a NO-BREAK SPACE stays part of the name), so the
  // username starts in column 1 and the password right after the ':'.
  it('columns stay right when a field starts with a non-ASCII space', () => {
    const f = check('\u00A0bob:\u00A0plain\n')
    expect(f).toHaveLength(1)
    expect(f[0].rule).toBe('passwd/plaintext')
    expect(f[0].username).toBe('\u00A0bob')
    expect(f[0].column).toBe(6)
    const dup = check(`\u00A0bob:${ENC}\n\u00A0bob:${ENC}\n`).find((x) => x.rule === 'passwd/duplicate-username')!
    expect(dup.column).toBe(1)
  })
})

describe('checkPasswdFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mqctl-check-'))
  afterAll(() => rmSync(dir, {recursive: true, force: true}))

  it('counts entries and warns about a world-readable file', async () => {
    const file = join(dir, 'pw')
    writeFileSync(file, `a:${ENC}\n# c\nb:plain\n`)
    chmodSync(file, 0o644)
    const report = await checkPasswdFile(file, '2.0')
    expect(report.entries).toBe(2)
    expect(report.target).toBe('2.0')
    expect(report.findings.map((f) => f.rule)).toEqual(['passwd/plaintext', 'passwd/world-readable'])
    expect(report.findings.find((f) => f.rule === 'passwd/world-readable')!.severity).toBe('warning')
    chmodSync(file, 0o640)
    expect((await checkPasswdFile(file, '2.0')).findings.map((f) => f.rule)).toEqual(['passwd/plaintext'])
  })

  it('a missing file or a directory is a file error (exit 5)', async () => {
    for (const path of [join(dir, 'nope'), dir]) {
      const err = await checkPasswdFile(path, '2.0').catch((e: unknown) => e)
      expect(err).toBeInstanceOf(MqctlError)
      expect((err as MqctlError).code).toBe('FILE_PASSWD_OPEN')
      expect((err as MqctlError).exit).toBe(5)
    }
  })
})

describe('property: parse + check never throw', () => {
  const bytes = fc
    .array(
      fc.oneof(
        {
          weight: 3,
          arbitrary: fc.constantFrom(0x0a, 0x0d, 0x3a, 0x23, 0x24, 0x00, 0x20, 0x09, 0x37, 0x36, 0x3d, 0x2b, 0x2f),
        },
        {weight: 3, arbitrary: fc.integer({min: 0x30, max: 0x7a})},
        {weight: 1, arbitrary: fc.integer({min: 0, max: 255})},
      ),
      {maxLength: 300},
    )
    .map((a) => Buffer.from(a))
  const hashy = fc
    .tuple(
      fc.constantFrom('u', ' u ', ':u', 'ü', ''),
      fc.constantFrom(':', '::', ' : '),
      fc.constantFrom('$6$', '$7$', '$7$101$', '$7$0$', '$argon2id$', '$5$', '$', ''),
      fc.constantFrom(SALT12, SALT64, '', '$', 'AAA=', '!!'),
      fc.constantFrom('$', '$$', ''),
      fc.constantFrom(HASH64, '', 'abc', HASH64 + '$x'),
      fc.constantFrom('\n', '\r\n', ''),
    )
    .map((p) => Buffer.from(p.join(''), 'utf8'))
  const content = fc.oneof(
    bytes,
    fc.array(hashy, {maxLength: 20}).map((a) => Buffer.concat(a)),
  )

  it('random content gives findings with sane positions, on both targets', () => {
    fc.assert(
      fc.property(content, fc.constantFrom('2.0' as const, '2.1' as const), (c, target) => {
        const lines = parsePasswdFile(c)
        const findings = checkPasswdLines(lines, target)
        for (const f of findings) {
          expect(f.line).toBeGreaterThanOrEqual(1)
          expect(f.line).toBeLessThanOrEqual(lines.length)
          expect(f.column).toBeGreaterThanOrEqual(1)
          expect(f.rule).toMatch(/^passwd\/[a-z-]+$/)
          expect(['error', 'warning']).toContain(f.severity)
          expect(typeof f.message).toBe('string')
        }
      }),
      {numRuns: 3000},
    )
  })
})
