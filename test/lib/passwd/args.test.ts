import {spawnSync} from 'node:child_process'
import {mkdtempSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {passwdExit} from '../../../src/cli/exit-policy.js'
import {MqctlError} from '../../../src/lib/errors.js'
import {PASSWD_USAGE, parsePasswdArgs, type PasswdInvocation} from '../../../src/lib/passwd/args.js'

/** The error parsePasswdArgs throws for argv (fails the test if it does not throw one). */
function refusal(argv: string[]): MqctlError {
  let thrown: unknown
  try {
    parsePasswdArgs(argv)
  } catch (error) {
    thrown = error
  }

  expect(thrown, `expected ${JSON.stringify(argv).slice(0, 80)} to be refused`).toBeInstanceOf(MqctlError)
  const e = thrown as MqctlError
  // The status is the front end's (mosquitto_passwd's 1 for every refusal), decided at the edge.
  expect(passwdExit(e)).toBe(1)
  return e
}

const verbatimOf = (argv: string[]) => refusal(argv).verbatim
const ok = (argv: string[]): PasswdInvocation => parsePasswdArgs(argv)
const LONG_65536 = 'a'.repeat(65_536)

describe('usage (spec 1.1): printed, exit 1', () => {
  it.each([
    ['no arguments', []],
    ['plain with one word', ['f']],
    ['plain with three words', ['f', 'u', 'v']],
    ['-b with two words', ['-b', 'f', 'u']],
    ['-b with four words', ['-b', 'f', 'u', 'p', 'x']],
    ['-cb is a file name, so three words and no flag', ['-cb', 'f', 'u']],
    ['an unknown -x ends option parsing (then three words)', ['-x', 'f', 'u']],
    ['-H value only', ['-H', 'sha512']],
  ])('%s', (_name, argv) => {
    const e = refusal(argv)
    expect(e.verbatim).toBe(PASSWD_USAGE)
    expect(e.code).toBe('USAGE_PASSWD')
  })
})

describe('error messages of spec 1.1 / 1.2, verbatim', () => {
  it.each([
    ['-H without value', ['-H'], 'Error: -H argument given but not enough other arguments.'],
    ['-H nohash (no full stop)', ['-H', 'nohash', 'f', 'u'], "Error: Unknown hash type 'nohash'"],
    [
      '-H checked while scanning, before conflicts',
      ['-c', '-D', '-H', 'md5', 'f', 'u'],
      "Error: Unknown hash type 'md5'",
    ],
    ['-I without value', ['-I'], 'Error: -I argument given but not enough other arguments.'],
    ['-I 0', ['-I', '0', '-b', 'f', 'u', 'p'], 'Error: Number of iterations must be > 0.'],
    ['-I abc (atoi → 0)', ['-I', 'abc', '-b', 'f', 'u', 'p'], 'Error: Number of iterations must be > 0.'],
    ['-I -5', ['-I', '-5', 'f', 'u'], 'Error: Number of iterations must be > 0.'],
    ['-c -D', ['-c', '-D', 'f', 'u'], 'Error: -c and -D cannot be used together.'],
    ['-c -U', ['-c', '-U', 'f'], 'Error: -c and -U cannot be used together.'],
    ['-U -D reports "-D and -U"', ['-U', '-D', 'f'], 'Error: -D and -U cannot be used together.'],
    ['-D -U', ['-D', '-U', 'f'], 'Error: -D and -U cannot be used together.'],
    ['-b -D', ['-b', '-D', 'f', 'u'], 'Error: -b and -D cannot be used together.'],
    ['-D -b', ['-D', '-b', 'f', 'u'], 'Error: -b and -D cannot be used together.'],
    ['-c -D -U: -c/-D first', ['-c', '-D', '-U', 'f', 'u'], 'Error: -c and -D cannot be used together.'],
    ['-c -U -b -D: -c/-D first', ['-U', '-b', '-D', '-c', 'f'], 'Error: -c and -D cannot be used together.'],
    ['-U -b -D: -D/-U before -b/-D', ['-U', '-b', '-D', 'f'], 'Error: -D and -U cannot be used together.'],
    [
      '-c -b with two words',
      ['-c', '-b', 'f', 'u'],
      'Error: -c argument given but password file, username, or password missing.',
    ],
    ['-b -c with no words', ['-b', '-c'], 'Error: -c argument given but password file, username, or password missing.'],
    ['-c with one word', ['-c', 'f'], 'Error: -c argument given but password file or username missing.'],
    ['-c alone', ['-c'], 'Error: -c argument given but password file or username missing.'],
    ['-D with one word', ['-D', 'f'], 'Error: -D argument given but password file or username missing.'],
    ['-U alone', ['-U'], 'Error: -U argument given but password file missing.'],
    ['-U with two words', ['-U', 'f', 'g'], 'Error: -U argument given but password file missing.'],
    ['username with ":"', ['-c', '-b', 'f', 'a:b', 'p'], "Error: Username must not contain the ':' character."],
    ['username with a newline', ['-b', 'f', 'a\nb', 'p'], 'Error: Username must not contain control characters.'],
    ['username with DEL', ['f', 'a\u007F'], 'Error: Username must not contain control characters.'],
    ['control check before ":" check', ['-D', 'f', 'a:\tb'], 'Error: Username must not contain control characters.'],
    [
      '65536-char username',
      ['-c', '-b', 'f', LONG_65536, 'p'],
      'Error: Username must be less than 65536 characters long.',
    ],
    [
      'length check before ":" check',
      ['-D', 'f', LONG_65536 + ':'],
      'Error: Username must be less than 65536 characters long.',
    ],
    [
      '65536-byte -b password',
      ['-c', '-b', 'f', 'u', LONG_65536],
      'Error: Password must be less than 65536 characters long.',
    ],
    [
      'username checked before password',
      ['-c', '-b', 'f', 'a:b', LONG_65536],
      "Error: Username must not contain the ':' character.",
    ],
    [
      '65536 bytes of two-byte characters',
      ['-b', 'f', 'u', 'é'.repeat(32_768)],
      'Error: Password must be less than 65536 characters long.',
    ],
    [
      'username of 65536 bytes in two-byte characters',
      ['f', 'é'.repeat(32_768)],
      'Error: Username must be less than 65536 characters long.',
    ],
  ])('%s', (_name, argv, message) => {
    const e = refusal(argv)
    expect(e.verbatim).toBe(message)
    expect(e.message).toBe(message.replace(/^Error: /, ''))
  })

  it('65535-byte username and password are accepted', () => {
    const inv = ok(['-c', '-b', 'f', 'a'.repeat(65_535), 'é'.repeat(32_767) + 'x'])
    expect(inv.username).toHaveLength(65_535)
    expect(inv.password!.length).toBe(65_535)
  })
})

describe('accepted invocations', () => {
  it('plain: file and user, interactive password', () => {
    expect(ok(['pwfile', 'alice'])).toMatchObject({
      mode: 'set',
      create: false,
      batch: false,
      file: 'pwfile',
      username: 'alice',
      password: undefined,
      json: false,
    })
  })

  it('-c -b with extra words ignored', () => {
    const inv = ok(['-c', '-b', 'f', 'u', 'p', 'extra', 'more'])
    expect(inv).toMatchObject({mode: 'set', create: true, batch: true, file: 'f', username: 'u'})
    expect(inv.password!.toString()).toBe('p')
  })

  it('-c with extra words (still prompts)', () => {
    expect(ok(['-c', 'f', 'u', 'x'])).toMatchObject({
      create: true,
      batch: false,
      file: 'f',
      username: 'u',
      password: undefined,
    })
  })

  it('-D with extra words', () => {
    expect(ok(['-D', 'f', 'u', 'x'])).toMatchObject({mode: 'delete', file: 'f', username: 'u'})
  })

  it('-U: one file, no user', () => {
    expect(ok(['-U', 'f'])).toMatchObject({mode: 'upgrade', file: 'f', username: undefined})
  })

  it('-b password bytes are kept as given (":", "$", blanks, empty)', () => {
    expect(ok(['-b', 'f', 'u', 'c:p w$ ']).password!.toString()).toBe('c:p w$ ')
    expect(ok(['-b', 'f', 'u', '']).password!.length).toBe(0)
  })

  it('-H and -I in any order before the file', () => {
    expect(ok(['-H', 'sha512', '-I', '5000', '-b', 'f', 'u', 'p'])).toMatchObject({
      hashType: 'sha512',
      iterations: 5000,
    })
    expect(ok(['-I', '5x', 'f', 'u'])).toMatchObject({iterations: 5, hashType: undefined})
    expect(ok(['-H', 'sha512-pbkdf2', 'f', 'u'])).toMatchObject({hashType: 'sha512-pbkdf2'})
    expect(ok(['-H', 'sha512', '-H', 'sha512-pbkdf2', 'f', 'u'])).toMatchObject({hashType: 'sha512-pbkdf2'})
  })

  it('options stop at the first non-option word', () => {
    // "-c" after the file name is the username, not an option
    expect(ok(['f', '-c'])).toMatchObject({create: false, file: 'f', username: '-c'})
    // -cb is the password file
    expect(ok(['-cb', 'f'])).toMatchObject({create: false, batch: false, file: '-cb', username: 'f'})
    // an unknown -x is a file name and ends option parsing: -b afterwards is the username
    expect(ok(['-x', '-b'])).toMatchObject({batch: false, file: '-x', username: '-b'})
  })

  it('a non-ASCII username is accepted verbatim', () => {
    expect(ok(['-b', 'f', 'jürgen€', 'p']).username).toBe('jürgen€')
  })

  // mosquitto_passwd accepts these (spec 1.2) but writes lines no broker can use; mqctl refuses.
  it('empty username and padded usernames are refused (mqctl deviation, exit 1)', () => {
    expect(verbatimOf(['-b', 'f', '', 'p'])).toMatch(/^Error: Username must not be empty/)
    expect(verbatimOf(['-b', 'f', ' bob ', 'p'])).toMatch(/^Error: Username must not begin or end with spaces/)
  })

  // mosquitto_passwd: -b with -U is no conflict (no rule in spec 1.1), -U needs exactly one word.
  it('-b -U f is a valid -U invocation', () => {
    expect(ok(['-b', '-U', 'f'])).toMatchObject({mode: 'upgrade', file: 'f', username: undefined})
    expect(ok(['-U', '-b', 'f'])).toMatchObject({mode: 'upgrade', file: 'f'})
  })
})

describe('mqctl long options, anywhere before "--"', () => {
  it('--target 2.0 / --target=2.1', () => {
    expect(ok(['--target', '2.0', '-b', 'f', 'u', 'p']).target).toBe('2.0')
    expect(ok(['-b', 'f', '--target=2.1', 'u', 'p']).target).toBe('2.1')
    expect(ok(['-b', 'f', 'u', 'p']).target).toBeUndefined()
  })

  it('--target with another value or none is refused', () => {
    expect(verbatimOf(['--target', '3.0', 'f', 'u'])).toMatch(/^Error: Unknown target '3.0'/)
    expect(verbatimOf(['f', 'u', '--target'])).toMatch(/^Error: --target argument given but no value/)
    expect(verbatimOf(['f', 'u', '--target='])).toMatch(/^Error: --target argument given but no value/)
  })

  it('--json at the start, middle or end', () => {
    for (const argv of [
      ['--json', 'f', 'u'],
      ['f', '--json', 'u'],
      ['f', 'u', '--json'],
      ['-c', '--json', '-b', 'f', 'u', 'p'],
    ]) {
      const inv = ok(argv)
      expect(inv.json).toBe(true)
      expect(inv.file).toBe('f')
      expect(inv.username).toBe('u')
    }
  })

  it('--password-stdin anywhere', () => {
    for (const argv of [
      ['--password-stdin', '-c', 'f', 'u'],
      ['-c', 'f', '--password-stdin', 'u'],
      ['-c', 'f', 'u', '--password-stdin'],
    ]) {
      const inv = ok(argv)
      expect(inv.sources.stdin).toBe(true)
      expect(inv).toMatchObject({create: true, file: 'f', username: 'u', batch: false})
    }
  })

  it('--password-file / --password-env take a value', () => {
    expect(ok(['--password-file', '/run/pw', 'f', 'u']).sources.file).toBe('/run/pw')
    expect(ok(['f', 'u', '--password-env=PW']).sources.env).toBe('PW')
  })

  it('password sources exclude each other, -b, -D and -U', () => {
    expect(refusal(['--password-stdin', '--password-env', 'X', 'f', 'u']).verbatim).toMatch(/cannot be used together/)
    expect(refusal(['--password-stdin', '-b', 'f', 'u', 'p']).verbatim).toMatch(
      /^Error: -b and --password-stdin cannot be used together/,
    )
    expect(refusal(['--password-stdin', '-D', 'f', 'u']).verbatim).toMatch(/-D/)
    expect(refusal(['--password-stdin', '-U', 'f']).verbatim).toMatch(/-U/)
  })

  it('after "--" everything is positional', () => {
    const inv = ok(['-b', '--', '--json', 'u', 'p'])
    expect(inv.json).toBe(false)
    expect(inv.file).toBe('--json')
    expect(inv.username).toBe('u')
    const dash = ok(['-b', 'f', '--', '-D', 'p'])
    expect(dash).toMatchObject({mode: 'set', file: 'f', username: '-D'})
    expect(dash.password!.toString()).toBe('p')
  })
})

describe('same text as the real mosquitto_passwd 2.0.11', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mqctl-args-'))
  afterAll(() => rmSync(dir, {recursive: true, force: true}))

  const real = (argv: string[]) => {
    const r = spawnSync('/usr/bin/mosquitto_passwd', argv, {cwd: dir, encoding: 'utf8', input: ''})
    expect(r.error).toBeUndefined()
    return r
  }

  it.each([
    [['-H']],
    [['-H', 'nohash', 'f', 'u']],
    [['-H', 'sha512', '-H', 'foo', 'f', 'u']],
    [['-I']],
    [['-I', '0', '-b', 'f', 'u', 'p']],
    [['-I', 'abc', '-b', 'f', 'u', 'p']],
    [['-c', '-D', 'f', 'u']],
    [['-c', '-U', 'f']],
    [['-U', '-D', 'f']],
    [['-b', '-D', 'f', 'u']],
    [['-c', '-D', '-U', 'f', 'u']],
    [['-U', '-b', '-D', 'f']],
    [['-c', '-b', 'f', 'u']],
    [['-c', 'f']],
    [['-D', 'f']],
    [['-U']],
    [['-U', 'f', 'g']],
    [['-c', '-b', 'f', 'a:b', 'p']],
    [['-c', '-b', 'f', 'a\nb', 'p']],
    [['-c', '-b', 'f', 'a\u007F', 'p']],
    [['-c', '-b', 'f', LONG_65536, 'p']],
    [['-c', '-b', 'f', 'u', LONG_65536]],
    [['-c', '-b', 'f', LONG_65536, LONG_65536]],
    [['-b', 'f', 'u', 'é'.repeat(32_768)]],
  ])('%j', (argv) => {
    const r = real(argv)
    expect(r.status).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr.startsWith('Error: ')).toBe(true)
    expect(refusal(argv).verbatim + '\n').toBe(r.stderr)
    expect(readdirSync(dir)).toEqual([])
  })

  it.each([[[]], [['f']], [['f', 'u', 'v']], [['-b', 'f', 'u']], [['-cb', 'f', 'u']], [['-x', 'f', 'u']]])(
    'usage for %j',
    (argv) => {
      const r = real(argv)
      expect(r.status).toBe(1)
      expect(r.stderr).toBe('')
      expect(r.stdout).toMatch(/^mosquitto_passwd is a tool for managing password files for mosquitto\.\n\nUsage: /)
      expect(refusal(argv).verbatim).toBe(PASSWD_USAGE)
    },
  )
})
