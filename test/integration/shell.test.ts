import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startBroker, type Broker} from '../helpers/broker.js'
import {BIN, isolatedHome, mqctl, run} from '../helpers/cli.js'
import {findMosquittoTools} from '../helpers/mosquitto-install.js'

const tools = findMosquittoTools()
const ADMIN_PW = 'admin-secret'
let dir: string
let broker: Broker

const conn = () => ['-h', '127.0.0.1', '-p', String(broker.port), '-u', 'admin', '-P', ADMIN_PW, '--quiet']
const shell = (input: string, extra: string[] = []) => mqctl(['shell', ...conn(), ...extra], {input})
const ctrl = (args: string[]) =>
  run(tools.ctrl, ['-h', '127.0.0.1', '-p', String(broker.port), '-u', 'admin', '-P', ADMIN_PW, 'dynsec', ...args])

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mqctl-shell-it-'))
  const file = join(dir, 'dynsec.json')
  expect((await mqctl(['dynsec', 'init', file, 'admin', '--password-stdin'], {input: `${ADMIN_PW}\n`})).code).toBe(0)
  broker = await startBroker({dynsec: {configFile: file}})
})
afterAll(async () => broker?.stop())

describe('mqctl shell, piped', () => {
  it('runs 300 commands over one connection, each printed in mosquitto_ctrl layout', async () => {
    const lines: string[] = []
    for (let i = 0; i < 150; i++) lines.push(`createClient sh${i} -p pw${i}`, `getClient sh${i}`)
    const r = await shell(lines.join('\n') + '\n')
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const expected = Array.from({length: 150}, (_, i) => `Username: sh${i}\nClientid:\n`).join('')
    expect(r.stdout).toBe(expected)
    // The broker (through mosquitto_ctrl) agrees on the result.
    const listed = (await ctrl(['listClients'])).stdout.split('\n')
    for (let i = 0; i < 150; i++) expect(listed).toContain(`sh${i}`)
    // One connection: the broker logged one "New client connected" for the whole shell.
    const connects = broker.readLog().match(/New client connected from 127\.0\.0\.1:\d+ as /g) ?? []
    expect(connects.length).toBeLessThan(10)
  }, 120_000)

  it("exits with the last failure's status, keeps going after errors, and reads passwords from the next lines", async () => {
    const r = await shell('createClient dup -p x\ncreateClient dup -p x\ngetClient dup\n')
    expect(r.stderr).toBe('createClient: Error: Client already exists\n')
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('Username: dup\nClientid:\n')
    const unknown = await shell('creatClient x\nlistRoles\n')
    expect(unknown.code).toBe(13)
    expect(unknown.stderr).toBe(`Command 'creatClient' not recognised.\nDid you mean "createClient"?\n`)
    expect(unknown.stdout).toBe('admin\n')
    const args = await shell('getClient\naddRoleACL admin nosuchtype a allow\n')
    expect(args.code).toBe(2)
    expect(await shell('listRoles\nexit\ncreatClient x\n')).toMatchObject({code: 0, stdout: 'admin\n'})
    // createClient without -p: the password and its confirmation are the next two lines.
    expect((await shell('createClient pwuser\nsecret1\nsecret1\n')).code).toBe(0)
    const ok = await run(tools.pub, [
      '-h',
      '127.0.0.1',
      '-p',
      String(broker.port),
      '-u',
      'pwuser',
      '-P',
      'secret1',
      '-t',
      't',
      '-m',
      'm',
    ])
    expect(ok.code).toBe(0)
    const bad = await run(tools.pub, [
      '-h',
      '127.0.0.1',
      '-p',
      String(broker.port),
      '-u',
      'pwuser',
      '-P',
      'nope',
      '-t',
      't',
      '-m',
      'm',
    ])
    expect(bad.code).not.toBe(0)
  }, 60_000)

  it('a line over 65535 bytes ends the shell with exit 2, naming a command line, after the lines before it', async () => {
    const r = await shell(`listRoles\ngetClient ${'a'.repeat(100_000)}\nlistRoles\n`)
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('admin\n')
    expect(r.stderr).toBe(
      'mqctl: standard input: the command line is longer than 65535 bytes (is this the right input?)\n',
    )
  }, 60_000)
})

describe('broker commands against mosquitto 2.0.11 (no control API)', () => {
  it('time out with exit 4 and a hint naming 2.1 and enable_control_api, or say the user lacks access', async () => {
    const denied = await mqctl([...conn(), 'broker', 'listPlugins', '--timeout', '2'])
    expect(denied.code).toBe(3)
    expect(denied.stderr).toContain('$CONTROL/broker/v1')
    for (const [type, topic] of [
      ['publishClientSend', '$CONTROL/broker/#'],
      ['publishClientReceive', '$CONTROL/broker/#'],
      ['subscribePattern', '$CONTROL/broker/#'],
    ])
      expect((await ctrl(['addRoleACL', 'admin', type, topic, 'allow'])).code).toBe(0)
    for (const command of ['listPlugins', 'listListeners']) {
      const started = Date.now()
      const r = await mqctl([...conn(), 'broker', command, '--timeout', '1'])
      expect(r.code).toBe(4)
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000)
      expect(r.stderr).toMatch(/no reply from the broker control API/)
      expect(r.stderr).toMatch(/mosquitto 2\.1 .*enable_control_api true/)
    }

    const viaShell = await shell('broker listListeners\n', ['--timeout', '1'])
    expect(viaShell.code).toBe(4)
  }, 60_000)
})

// python3's pty drives the terminal (.ci/run installs python3 when missing): no skipped stand-in.
describe('mqctl shell on a terminal (pseudo-terminal)', () => {
  it('prompts, completes commands and broker names with TAB, hides passwords, keeps a 0600 history without them', async () => {
    for (const args of [
      ['createGroup', 'opsgroup'],
      ['createRole', 'opsrole'],
    ])
      expect((await ctrl(args)).code).toBe(0)
    const home = isolatedHome()
    const script = join(dir, 'drive-tty.py')
    // Drives the shell like a person: waits for each prompt, types, records everything the terminal shows.
    writeFileSync(
      script,
      String.raw`
import os, pty, sys, time, select
argv = sys.argv[1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
seen = b''
mark = 0
def wait_for(text, timeout=20):
    global seen, mark
    end = time.time() + timeout
    while text.encode() not in seen[mark:]:
        if time.time() > end:
            sys.stdout.write(seen.decode(errors='replace'))
            sys.exit('timed out waiting for ' + repr(text))
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try: seen += os.read(fd, 4096)
            except OSError: break
def send(text):
    global mark
    mark = len(seen)
    os.write(fd, text.encode())
wait_for('mqctl> ')
send('getCl\t'); wait_for('getClient')
send(' adm\t'); wait_for('admin')
send('\r'); wait_for('Username: admin'); wait_for('mqctl> ')
send('addRoleACL admin subscribeL\t'); wait_for('subscribeLiteral')
send('\x15')
send('createClient ptyuser\r'); wait_for('New password for ptyuser:')
send('hunter22\r'); wait_for('Reenter password for ptyuser:')
send('hunter22\r'); wait_for('mqctl> ')
send('getClient pty\t'); wait_for('ptyuser')
send('\r'); wait_for('Username: ptyuser')
send('addGroupRole opsg\t'); wait_for('opsgroup')
send(' opsr\t'); wait_for('opsrole')
send('\r'); wait_for('mqctl> ')
send('getGroup opsg\t'); wait_for('opsgroup')
send('\r'); wait_for('Roles:     opsrole'); wait_for('mqctl> ')
send('creatClient x\r'); wait_for('Did you mean "createClient"?'); wait_for('mqctl> ')
send('createClient other -p sekrit99\r'); wait_for('mqctl> ')
send('exit\r')
end = time.time() + 10
while time.time() < end:
    r, _, _ = select.select([fd], [], [], 0.2)
    if r:
        try:
            chunk = os.read(fd, 4096)
            if not chunk: break
            seen += chunk
        except OSError: break
_, status = os.waitpid(pid, 0)
sys.stdout.write(seen.decode(errors='replace'))
sys.exit(os.WEXITSTATUS(status))
`,
    )
    const env: NodeJS.ProcessEnv = {...process.env, HOME: home, XDG_STATE_HOME: join(home, 'state'), NO_COLOR: '1'}
    delete env.XDG_CONFIG_HOME
    const r = spawnSync('python3', [script, process.execPath, BIN, 'shell', ...conn()], {
      env,
      encoding: 'utf8',
      timeout: 90_000,
    })
    expect(r.stderr).toBe('')
    // The last failed command was the mistyped one: exit 13.
    expect(r.status).toBe(13)
    expect(r.stdout).toContain('mqctl> ')
    expect(r.stdout).toContain('Username: ptyuser')
    expect(r.stdout).not.toContain('hunter22')
    const historyFile = join(home, 'state', 'mqctl', 'history')
    expect(statSync(historyFile).mode & 0o777).toBe(0o600)
    const history = readFileSync(historyFile, 'utf8')
    expect(history).toContain('getClient admin\n')
    expect(history).toContain('getClient ptyuser\n')
    expect(history).not.toMatch(/hunter22|sekrit99|createClient other/)
  }, 120_000)
})

describe('mqctl shell on a terminal, kicked by the broker', () => {
  it('reports the closed connection once, with exit 3', () => {
    const PTY = fileURLToPath(new URL('../helpers/run-in-pty.py', import.meta.url))
    const line = 'addRoleACL admin subscribeLiteral kick/tty allow'
    const r = spawnSync('python3', [PTY, '60', 'mqctl> ', line, '--', process.execPath, BIN, 'shell', ...conn()], {
      env: {...process.env, HOME: isolatedHome(), NO_COLOR: '1'},
      encoding: 'utf8',
    })
    const {output, status} = JSON.parse(r.stdout) as {output: string; status: number}
    expect(status, output).toBe(3)
    expect(output.match(/connection closed by the broker/g)).toHaveLength(1)
  }, 90_000)
})
