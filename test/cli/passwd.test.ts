/* eslint-disable no-control-regex -- the terminal escapes are what these tests look for */
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {afterAll, describe, expect, it} from 'vitest'

import {BIN} from '../helpers/cli.js'

const PTY = fileURLToPath(new URL('../helpers/run-in-pty.py', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'mqctl-cli-passwd-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

const plain = (n: number) => Array.from({length: n}, (_, i) => `user${i}:pw${i}\n`).join('')

describe('passwd -U progress (issue 13 section 5)', () => {
  // Enough work to last well over the 100 ms between progress updates.
  const ARGS = ['passwd', '-I', '5000', '-U']

  it('stderr a pipe: no progress bytes at all', () => {
    const file = join(dir, 'piped')
    writeFileSync(file, plain(300))
    const r = spawnSync(process.execPath, [BIN, ...ARGS, file], {encoding: 'utf8'})
    expect(r.status, r.stderr).toBe(0)
    expect(r.stderr).toBe('')
    expect(r.stdout).toBe(`${file}: hashed 300 plain-text password(s); 0 already hashed entries left unchanged\n`)
    expect(readFileSync(file, 'utf8')).toMatch(/^user299:\$7\$5000\$/m)
  })

  it('under a pseudo-terminal: a progress line on stderr, erased at the end', () => {
    const file = join(dir, 'tty')
    writeFileSync(file, plain(300))
    const r = spawnSync('python3', [PTY, '60', '--', process.execPath, BIN, ...ARGS, file], {encoding: 'utf8'})
    const {output, status} = JSON.parse(r.stdout) as {output: string; status: number}
    expect(status, output).toBe(0)
    // The commands' one progress line (ProcessIO.progress): redrawn in place, then erased.
    expect(output).toMatch(/\r\u001B\[2Khashing \d+\/300/)
    expect(output).toMatch(/hashing \d+\/300\r\u001B\[2K[^\r]*hashed 300 plain-text/)
    expect(output).toContain('hashed 300 plain-text password(s)')
  })
})
