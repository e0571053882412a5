import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {afterAll, describe, expect, it} from 'vitest'

import {BIN} from '../helpers/cli.js'
import {verifyPassword} from '../../src/lib/passwd/hash.js'

const PTY = fileURLToPath(new URL('../helpers/run-in-pty.py', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'mqctl-prompt-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

/** Runs mqctl under a pseudo-terminal, typing each answer after its prompt. */
function underPty(args: string[], answers: string[]): {output: string; status: number} {
  const r = spawnSync('python3', [PTY, '20', ...answers, '--', process.execPath, BIN, ...args], {
    encoding: 'utf8',
    env: {...process.env, NO_COLOR: '1'},
  })
  expect(r.status, r.stderr).toBe(0)
  return JSON.parse(r.stdout)
}

describe('the password prompt echoes nothing, like mosquitto_passwd (under a pseudo-terminal)', () => {
  it('passwd asks twice; the terminal shows the prompts and no character of the password, not even *', async () => {
    const file = join(dir, 'pw')
    const r = underPty(['passwd', '-c', file, 'alice'], ['Password:', 'tops3cret', 'Reenter password:', 'tops3cret'])
    expect(r.status, r.output).toBe(0)
    expect(r.output).toContain('Password:')
    expect(r.output).toContain('Reenter password:')
    expect(r.output).not.toContain('tops3cret')
    expect(r.output).not.toContain('*')
    expect(r.output).not.toMatch(/ctrl\+t|reveal/i)
    const line = readFileSync(file, 'utf8').trim()
    expect(await verifyPassword(line.slice('alice:'.length), Buffer.from('tops3cret'))).toBe(true)
  })

  it('two different entries: "Passwords do not match." and exit 2', () => {
    const r = underPty(['passwd', '-c', join(dir, 'pw2'), 'bob'], ['Password:', 'one', 'Reenter password:', 'two'])
    expect(r.status).toBe(2)
    expect(r.output).toContain('Passwords do not match.')
    expect(r.output).not.toMatch(/one|two/)
  })

  it('hash --verify prompts once, silently', () => {
    const hash = spawnSync(process.execPath, [BIN, 'hash', '--password-stdin'], {input: 'pw1\n', encoding: 'utf8'})
    const r = underPty(['hash', '--verify', hash.stdout.trim()], ['Password:', 'pw1'])
    expect(r.status, r.output).toBe(0)
    expect(r.output).toContain('password matches')
    expect(r.output).not.toMatch(/pw1|\*/)
  })
})
