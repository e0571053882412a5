import {spawnSync} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {describe, expect, it} from 'vitest'

import {tempDirs} from '../../helpers/temp-dirs.js'

import {MqctlError} from '../../../src/lib/errors.js'
import {parsePasswdArgs} from '../../../src/lib/passwd/args.js'
import {verifyPassword} from '../../../src/lib/passwd/hash.js'
import {runPasswd, type PasswdIO} from '../../../src/lib/passwd/run.js'
import {verifyUserPassword} from '../../../src/lib/passwd/verify.js'

const BIN = fileURLToPath(new URL('../../../bin/run.js', import.meta.url))
const REAL = '/usr/bin/mosquitto_passwd'
const {root, fresh: freshDir} = tempDirs('run')

function io(password = 'typed'): PasswdIO & {warnings: string[]; stdout: string[]; prompts: number} {
  const state = {
    warnings: [] as string[],
    stdout: [] as string[],
    prompts: 0,
    async readPassword() {
      state.prompts++
      return Buffer.from(password)
    },
    warn(m: string) {
      state.warnings.push(m)
    },
    writeStdout(t: string) {
      state.stdout.push(t)
    },
  }
  return state
}

const run = (argv: string[], i = io()) => runPasswd(parsePasswdArgs(argv), i)

describe('runPasswd on files', () => {
  it('-c -b creates a 0600 file with one line that verifies', async () => {
    const f = join(freshDir(), 'pw')
    expect(await run(['-c', '-b', f, 'alice', 'secret'])).toEqual({action: 'created', file: f, username: 'alice'})
    const content = readFileSync(f, 'utf8')
    expect(content).toMatch(/^alice:\$7\$1000\$[A-Za-z0-9+/]{16}\$[A-Za-z0-9+/]{86}==\n$/)
    expect(statSync(f).mode & 0o777).toBe(0o600)
    expect(await verifyPassword(content.slice(6), Buffer.from('secret'))).toBe(true)
  })

  it('--target 2.0 writes what 2.0.11 writes: 101 iterations, 12-byte salt', async () => {
    const f = join(freshDir(), 'pw')
    await run(['--target', '2.0', '-c', '-b', f, 'alice', 'secret'])
    expect(readFileSync(f, 'utf8')).toMatch(/^alice:\$7\$101\$[A-Za-z0-9+/]{16}\$[A-Za-z0-9+/]{86}==\n$/)
    // same length as the 2.0.11 file of spec 1.4 (119 bytes)
    expect(readFileSync(f)).toHaveLength(119)
  })

  it('--target 2.1 writes 64-byte salts and warns that 2.0 brokers reject them', async () => {
    const f = join(freshDir(), 'pw')
    const i = io()
    await run(['--target', '2.1', '-c', '-b', f, 'alice', 'secret'], i)
    expect(readFileSync(f, 'utf8')).toMatch(/^alice:\$7\$1000\$[A-Za-z0-9+/]{86}==\$[A-Za-z0-9+/]{86}==\n$/)
    expect(i.warnings.join('\n')).toMatch(/2\.0/)
  })

  it('-c - writes the line to stdout and no file', async () => {
    const dir = freshDir()
    const i = io('pw')
    expect(await run(['-c', '-', 'bob'], i)).toMatchObject({action: 'created', file: '-'})
    expect(i.stdout).toHaveLength(1)
    expect(i.stdout[0]).toMatch(/^bob:\$7\$.*\n$/)
    expect(await verifyPassword(i.stdout[0].slice(4), Buffer.from('pw'))).toBe(true)
    expect(existsSync(join(dir, '-'))).toBe(false)
  })

  it('add / update keep every other line byte for byte and the file mode', async () => {
    const f = join(freshDir(), 'pw')
    const before = '# managed by hand: keep\r\nalice:$7$101$x$y  \r\n\r\n  odd line without colon\r\nbob:plain'
    writeFileSync(f, before)
    chmodSync(f, 0o640)
    expect(await run(['-b', f, 'carol', 'c'])).toMatchObject({action: 'added'})
    const after = readFileSync(f, 'utf8')
    expect(after.startsWith(before + '\r\n')).toBe(true)
    expect(after.slice(before.length + 2)).toMatch(/^carol:\$7\$[^\r\n]+\r\n$/)
    expect(statSync(f).mode & 0o777).toBe(0o640)

    expect(await run(['-b', f, 'alice', 'new'])).toMatchObject({action: 'updated'})
    const lines = readFileSync(f, 'utf8').split('\r\n')
    expect(lines[0]).toBe('# managed by hand: keep')
    expect(lines[1]).toMatch(/^alice:\$7\$1000\$/)
    expect(lines.slice(2, 5)).toEqual(['', '  odd line without colon', 'bob:plain'])
    expect((await verifyUserPassword(f, 'alice', Buffer.from('new'))).outcome).toBe('match')
  })

  it('without -b the password comes from io.readPassword, once', async () => {
    const f = join(freshDir(), 'pw')
    writeFileSync(f, '')
    const i = io('fromprompt')
    await run([f, 'dave'], i)
    expect(i.prompts).toBe(1)
    expect((await verifyUserPassword(f, 'dave', Buffer.from('fromprompt'))).outcome).toBe('match')
  })

  // spec 1.8: mosquitto_passwd silently drops everything after a "corrupt" line when adding a
  // user; "a faithful replacement should NOT reproduce the data loss".
  it('adding after a blank line loses nothing', async () => {
    const f = join(freshDir(), 'pw')
    writeFileSync(f, 'alice:x\n\nbob:y\n')
    await run(['-b', f, 'carol', 'c'])
    const content = readFileSync(f, 'utf8')
    expect(content.startsWith('alice:x\n\nbob:y\ncarol:$7$')).toBe(true)
  })

  it('-D removes the user; an absent user is the mosquitto warning, exit 1, file unchanged', async () => {
    const f = join(freshDir(), 'pw')
    writeFileSync(f, 'a:1\nbob:2\nc:3\n')
    expect(await run(['-D', f, 'bob'])).toMatchObject({action: 'deleted', removed: 1})
    expect(readFileSync(f, 'utf8')).toBe('a:1\nc:3\n')
    const err = await run(['-D', f, 'nobody']).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(MqctlError)
    expect((err as MqctlError).verbatim).toBe('Warning: User nobody not found in password file.')
    expect((err as MqctlError).exit).toBe(1)
    expect(readFileSync(f, 'utf8')).toBe('a:1\nc:3\n')
  })

  it('-U hashes plain-text passwords only (second field, trimmed)', async () => {
    const f = join(freshDir(), 'pw')
    const hashed = readFileSync(
      await (async () => {
        const g = join(freshDir(), 'g')
        await run(['-c', '-b', g, 'keep', 'kept'])
        return g
      })(),
      'utf8',
    ).trim()
    writeFileSync(f, `u:pa:ss\r\nplain : secret \n${hashed}\n# note\n`)
    expect(await run(['-U', f])).toMatchObject({action: 'upgraded', converted: 2, skipped: 1})
    const content = readFileSync(f, 'utf8')
    expect(content).toContain(`${hashed}\n# note\n`)
    expect((await verifyUserPassword(f, 'u', Buffer.from('pa'))).outcome).toBe('match')
    expect((await verifyUserPassword(f, 'plain', Buffer.from('secret'))).outcome).toBe('match')
    expect((await verifyUserPassword(f, 'keep', Buffer.from('kept'))).outcome).toBe('match')
    expect(content.split('\n')[0].endsWith('\r')).toBe(true)
  })

  it('a symlinked password file stays a link; its target is rewritten', async () => {
    const dir = freshDir()
    writeFileSync(join(dir, 'real'), 'a:1\n')
    symlinkSync('real', join(dir, 'link'))
    await run(['-b', join(dir, 'link'), 'b', 'pw'])
    expect(readFileSync(join(dir, 'real'), 'utf8')).toMatch(/^a:1\nb:\$7\$/)
    expect(statSync(join(dir, 'link'), {throwIfNoEntry: true}).isFile()).toBe(true)
    expect(spawnSync('readlink', [join(dir, 'link')], {encoding: 'utf8'}).stdout.trim()).toBe('real')
  })
})

describe('verifyUserPassword', () => {
  it('match / mismatch / no-user / invalid-entry, the last duplicate wins', async () => {
    const f = join(freshDir(), 'pw')
    writeFileSync(f, '')
    await run(['-b', f, 'a', 'one'])
    const first = readFileSync(f, 'utf8')
    writeFileSync(f, first + 'x:plain\n' + first.replace('a:', 'a :'))
    expect(await verifyUserPassword(f, 'a', Buffer.from('one'))).toEqual({username: 'a', outcome: 'match', line: 3})
    expect((await verifyUserPassword(f, 'a', Buffer.from('two'))).outcome).toBe('mismatch')
    expect(await verifyUserPassword(f, 'zz', Buffer.from('one'))).toEqual({username: 'zz', outcome: 'no-user'})
    // A plain-text entry is a refused verdict (the broker refuses every password for it), not an error.
    expect(await verifyUserPassword(f, 'x', Buffer.from('plain'))).toEqual({
      username: 'x',
      outcome: 'invalid-entry',
      line: 2,
      problem: 'not a hash',
    })
  })

  it('an unreadable file is a file error (exit 5)', async () => {
    const err = await verifyUserPassword(join(root, 'missing'), 'a', Buffer.from('x')).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(MqctlError)
    expect((err as MqctlError).exit).toBe(5)
  })
})

describe('the CLI next to the real mosquitto_passwd (same cwd, same arguments)', () => {
  const both = (argv: string[], setup: (dir: string) => void = () => {}) => {
    const realDir = freshDir()
    const ourDir = freshDir()
    setup(realDir)
    setup(ourDir)
    const real = spawnSync(REAL, argv, {cwd: realDir, encoding: 'utf8', input: ''})
    const ours = spawnSync(process.execPath, [BIN, 'passwd', ...argv], {
      cwd: ourDir,
      encoding: 'utf8',
      input: '',
      env: {...process.env, NO_COLOR: '1'},
    })
    // mqctl adds one warning line for -b; everything else must be the same
    const ourErr = ours.stderr
      .split('\n')
      .filter((l) => !l.startsWith('mqctl: warning:'))
      .join('\n')
    return {real, ours, ourErr, realDir, ourDir}
  }

  it('-D of an absent user', () => {
    const r = both(['-D', 'pw', 'nobody'], (d) => writeFileSync(join(d, 'pw'), 'a:1\n'))
    expect(r.real.stderr).toBe('Warning: User nobody not found in password file.\n')
    expect(r.ours.status).toBe(r.real.status)
    expect(r.ourErr).toBe(r.real.stderr)
    expect(readFileSync(join(r.ourDir, 'pw'), 'utf8')).toBe('a:1\n')
  })

  it('a directory as password file', () => {
    const r = both(['-b', 'd', 'u', 'p'], (d) => mkdirSync(join(d, 'd')))
    expect(r.ours.status).toBe(1)
    expect(r.real.status).toBe(1)
    expect(r.ourErr).toBe(r.real.stderr.replace(r.realDir, r.ourDir))
  })

  // spec 1.6 step 1 and the transcript of 1.10: realpath falls back to the path as given when
  // the file does not exist: "Error: Unable to open password file nofile. No such file or directory."
  it('a missing password file is named as given', () => {
    for (const argv of [
      ['-b', 'nofile', 'user', 'pw'],
      ['-D', 'nofile', 'user'],
      ['-U', 'nofile'],
    ]) {
      const r = both(argv)
      expect(r.real.stderr).toBe('Error: Unable to open password file nofile. No such file or directory.\n')
      expect(r.ours.status).toBe(1)
      expect(r.ourErr).toBe(r.real.stderr)
    }
  })

  it('an update keeps the other lines exactly as mosquitto_passwd does', () => {
    const before = '# hand edit: yes\r\nalice:old \r\nbob:$6$x$y\n'
    const r = both(['-b', 'pw', 'alice', 'new'], (d) => writeFileSync(join(d, 'pw'), before))
    expect(r.real.status).toBe(0)
    expect(r.ours.status).toBe(0)
    const strip = (s: string) => s.replace(/^alice:[^\r\n]*\r?$/m, 'alice:HASH')
    expect(strip(readFileSync(join(r.ourDir, 'pw'), 'utf8'))).toBe(strip(readFileSync(join(r.realDir, 'pw'), 'utf8')))
  })
})
