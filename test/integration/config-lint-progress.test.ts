import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {BIN} from '../helpers/cli.js'

// Issue 13 section 5: a large config lint draws progress on stderr, on a terminal only, on the
// fast path and on oclif's; the include_dir files count toward the work.
const PTY = fileURLToPath(new URL('../helpers/run-in-pty.py', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'mqctl-conf-progress-'))
const conf = join(dir, 'mosquitto.conf')
const include = join(dir, 'conf.d')
// 2 entries in the main file, 600,000 in four include files: a second or more here, well over the
// 300 ms before progress is drawn even on a quiet machine (120,000 lines took under 300 ms).
const TOTAL = 2 + 600_000
beforeAll(() => {
  mkdirSync(include)
  writeFileSync(conf, `listener 1883\ninclude_dir ${include}\n`)
  for (const name of ['a.conf', 'b.conf', 'c.conf', 'd.conf'])
    writeFileSync(join(include, name), Array.from({length: 150_000}, (_, i) => `max_queued_messages ${i}`).join('\n'))
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

const PATHS: Array<{path: string; env: Record<string, string>}> = [
  {path: 'fast path', env: {}},
  {path: 'oclif', env: {MQCTL_FAST: '0'}},
]
const env = (extra: Record<string, string>) => ({...process.env, NO_COLOR: '1', ...extra})

/** Under a pseudo-terminal with stdout sent to a file: what the terminal showed (stderr) and stdout. */
function onTerminal(args: string[], extra: Record<string, string>) {
  const out = join(dir, 'stdout')
  const cmd = ['sh', '-c', 'out=$1; shift; exec "$@" >"$out"', 'sh', out, process.execPath, BIN, ...args]
  const r = spawnSync('python3', [PTY, '90', '--', ...cmd], {encoding: 'utf8', env: env(extra)})
  const {output, status} = JSON.parse(r.stdout) as {output: string; status: number}
  return {terminal: output, status, stdout: readFileSync(out, 'utf8')}
}

describe('config lint progress', () => {
  for (const {path, env: extra} of PATHS) {
    it(`${path}: on a terminal "checking options done/total" (include files counted), erased; piped none`, () => {
      const piped = spawnSync(process.execPath, [BIN, 'config', 'lint', conf], {encoding: 'utf8', env: env(extra)})
      expect(piped.status, piped.stderr).toBe(0)
      expect(piped.stderr).toBe('')
      const tty = onTerminal(['config', 'lint', conf], extra)
      expect(tty.status, tty.terminal).toBe(0)
      // Only progress redraws reach the terminal, and the last one erases the line.
      expect(tty.terminal).toMatch(new RegExp(`^(\\r\\u001B\\[2Kchecking options \\d+/${TOTAL})+\\r\\u001B\\[2K$`))
      expect(tty.stdout).toBe(piped.stdout)
      expect(tty.stdout).toContain('conf/plaintext-public')
    }, 120_000)
  }

  it('--json on a terminal: no progress, and the same document as piped', () => {
    const piped = spawnSync(process.execPath, [BIN, 'config', 'lint', conf, '--json'], {encoding: 'utf8', env: env({})})
    const tty = onTerminal(['config', 'lint', conf, '--json'], {})
    expect(tty.terminal).toBe('')
    expect(tty.stdout).toBe(piped.stdout)
    expect(JSON.parse(tty.stdout)).toMatchObject({errors: 0, warnings: 1, omitted: {}})
  }, 120_000)
})
