import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {mqctl, run} from '../helpers/cli.js'
import {findMosquittoTools} from '../helpers/mosquitto-install.js'

// What the mosquitto_passwd form echoes from argv (user names, file names, -H values): byte for
// byte what mosquitto_passwd 2.0.11 prints while the text is printable, escaped (\x9b, \x1b) where
// it is not, so an argument cannot move the cursor, recolour or retitle the terminal.
let dir: string
let file: string
const OLD =
  'alice:$7$101$VnuVQktcDUV3QEwL$WLYYlPmzFtc80xm3BIuWZhdmhtjYJVWXnu7LC3zeme9TfdO8QgQk76q5SAoDVItkMDvC/wa5C1djQysff5GEzA==\n'

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mqctl-passwd-echo-'))
  file = join(dir, 'pw')
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

const both = async (args: string[]) => {
  writeFileSync(file, OLD)
  const theirs = await run(findMosquittoTools().passwd, args)
  writeFileSync(file, OLD)
  const r = await mqctl(['passwd', ...args])
  expect(readFileSync(file, 'utf8')).toBe(OLD)
  // mqctl's own warning about a -b password in argv is no echo of anything
  const ours = {...r, stderr: r.stderr.replace(/^mqctl: warning: a password on the command line .*\n/, '')}
  return {ours, theirs}
}

// Any C0 or C1 control, DEL included, in what mqctl printed.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/

describe('argv echoed by the mosquitto_passwd form', () => {
  const printable = [
    'bob',
    'a b',
    'ünïcødé',
    '%s%n%x',
    "o'brien",
    'back\\slash',
    '日本語',
    'x"y',
    '$7$',
    '🙂',
    '\\x1b[31m',
  ]
  it.each(printable)('printable user name %j: the same bytes and status as mosquitto_passwd', async (name) => {
    const {ours, theirs} = await both(['-D', file, name])
    expect([ours.code, ours.stdout, ours.stderr]).toEqual([theirs.code, theirs.stdout, theirs.stderr])
    expect(ours.stderr).toBe(`Warning: User ${name} not found in password file.\n`)
  })

  it('a printable -H value and file name: the same bytes', async () => {
    for (const args of [
      ['-H', 'md5', '-b', file, 'u', 'p'],
      ['-b', join(dir, 'no such ünï file'), 'u', 'p'],
    ]) {
      const {ours, theirs} = await both(args)
      expect([ours.code, ours.stderr], args.join(' ')).toEqual([theirs.code, theirs.stderr])
    }
  })

  it.each([
    {what: 'a C1 CSI in a user name', args: (f: string) => ['-D', f, 'x\u009B31mred'], shown: 'x\\x9b31mred'},
    {what: 'ESC in a -H value', args: (f: string) => ['-H', '\u001B[2J', '-b', f, 'u', 'p'], shown: "'\\x1b[2J'"},
    {
      what: 'an OSC title sequence in a file name',
      args: () => ['-b', join(dir, '\u001B]0;pwned\u0007'), 'u', 'p'],
      shown: '\\x1b]0;pwned\\x07',
    },
    {
      what: 'a newline in a file name',
      args: () => ['-b', join(dir, 'a\nError: fake'), 'u', 'p'],
      shown: 'a\\nError: fake',
    },
  ])('$what: mosquitto_passwd prints it raw, mqctl escaped', async (c) => {
    const {ours, theirs} = await both(c.args(file))
    expect(theirs.code).toBe(1)
    expect(ours.code).toBe(1)
    const raw = theirs.stderr.trim()
    expect(CONTROL.test(raw) || raw.includes('\n'), raw).toBe(true)
    expect(ours.stderr).not.toMatch(CONTROL)
    expect(ours.stderr.trim().split('\n')).toHaveLength(1)
    expect(ours.stderr).toContain(c.shown)
  })
})
