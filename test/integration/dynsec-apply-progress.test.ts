/* eslint-disable no-control-regex -- the terminal escapes are what these tests look for */
import {spawnSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startBroker, type Broker} from '../helpers/broker.js'
import {BIN, isolatedHome, mqctl} from '../helpers/cli.js'

// Issue 13 section 5: dynsec apply draws progress on stderr only when stderr is a terminal.
const PTY = fileURLToPath(new URL('../helpers/run-in-pty.py', import.meta.url))
const ADMIN_PW = 'admin-secret'
let broker: Broker
let dir: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mqctl-apply-progress-'))
  const file = join(dir, 'dynsec.json')
  expect((await mqctl(['dynsec', 'init', file, 'admin', '--password-stdin'], {input: `${ADMIN_PW}\n`})).code).toBe(0)
  broker = await startBroker({dynsec: {configFile: file}})
})
afterAll(async () => broker?.stop())

/** A policy of n new roles: n commands, several chunks of the request. */
const policy = (prefix: string, n: number) =>
  `version: 1\nroles:\n${Array.from({length: n}, (_, i) => `  - rolename: ${prefix}${i}\n`).join('')}`
const conn = () => ['-h', '127.0.0.1', '-p', String(broker.port), '-u', 'admin', '-P', ADMIN_PW, '--quiet']

describe('dynsec apply progress', () => {
  it('stderr a pipe: no progress bytes', async () => {
    writeFileSync(join(dir, 'piped.yaml'), policy('piped', 250))
    const r = await mqctl([...conn(), 'dynsec', 'apply', join(dir, 'piped.yaml')])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).not.toMatch(/\r|\u001B|commands/)
  }, 60_000)

  it('under a pseudo-terminal: "done/total commands" redrawn in place, erased at the end', () => {
    writeFileSync(join(dir, 'tty.yaml'), policy('tty', 250))
    const args = [process.execPath, BIN, ...conn(), 'dynsec', 'apply', join(dir, 'tty.yaml')]
    const r = spawnSync('python3', [PTY, '60', '--', ...args], {
      encoding: 'utf8',
      env: {...process.env, HOME: isolatedHome(), NO_COLOR: '1'},
    })
    const {output, status} = JSON.parse(r.stdout) as {output: string; status: number}
    expect(status, output).toBe(0)
    expect(output).toMatch(/\r\u001B\[2K100\/250 commands/)
    // progress(undefined): an erase with no count after it, once the work is done.
    expect(output).toMatch(/\r\u001B\[2K(?!\d+\/250)/)
  }, 60_000)
})
