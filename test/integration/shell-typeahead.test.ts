import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startBroker, type Broker} from '../helpers/broker.js'
import {BIN, isolatedHome, mqctl} from '../helpers/cli.js'

const ADMIN_PW = 'admin-secret'
const PTY = fileURLToPath(new URL('../helpers/run-in-pty.py', import.meta.url))
let broker: Broker

beforeAll(async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'mqctl-typeahead-')), 'dynsec.json')
  expect((await mqctl(['dynsec', 'init', file, 'admin', '--password-stdin'], {input: `${ADMIN_PW}\n`})).code).toBe(0)
  broker = await startBroker({dynsec: {configFile: file}})
})
afterAll(async () => broker?.stop())

describe('mqctl shell on a terminal, typed ahead', () => {
  it('a password typed ahead of its prompt is not brought back by arrow-up, nor kept in the history', () => {
    const home = isolatedHome()
    const conn = ['-h', '127.0.0.1', '-p', String(broker.port), '-u', 'admin', '-P', ADMIN_PW, '--quiet']
    // One paste: the command, its two password lines, and a command after them; then two arrow-ups.
    const paste = 'createClient typed\rtyped-ahead-pw\rtyped-ahead-pw\rlistClients'
    const up = '\x1b[A\x1b[A\x03'
    const r = spawnSync(
      'python3',
      [
        PTY,
        '60',
        'mqctl> ',
        paste,
        'typed\r\n',
        '',
        'mqctl> ',
        up,
        'mqctl> ',
        'exit',
        '--',
        process.execPath,
        BIN,
        'shell',
        ...conn,
      ],
      {env: {...process.env, HOME: home, NO_COLOR: '1'}, encoding: 'utf8'},
    )
    const {output, status} = JSON.parse(r.stdout) as {output: string; status: number}
    expect(status, output).toBe(0)
    // The paste itself is echoed as typed (the terminal shows keystrokes); a recall redraws the prompt with it.
    expect(output).toContain('mqctl> listClients')
    expect(output).not.toContain('mqctl> typed-ahead-pw')
    const history = readFileSync(join(home, '.local', 'state', 'mqctl', 'history'), 'utf8')
    expect(history).toBe('createClient typed\nlistClients\nexit\n')
  }, 90_000)
})
