import {copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {connect} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {freePort, startRawBroker, type Broker} from '../helpers/broker.js'
import {mqctl, run} from '../helpers/cli.js'
import {findMosquittoTools} from '../helpers/mosquitto-install.js'

/*
 * Every preset and a matrix of flag combinations: "mqctl config gen" writes the config, the real
 * mosquitto (2.0.11 here) starts with it unchanged, and the real clients connect and authenticate
 * with certificates from "mqctl cert", a password file from "mqctl passwd" and a dynamic-security
 * file from "mqctl dynsec init". Listeners bind 127.0.0.1 on ephemeral ports.
 */
const tools = findMosquittoTools()
const root = process.getuid?.() === 0
let D: string
let CA: string
const brokers: Broker[] = []

beforeAll(async () => {
  D = mkdtempSync(join(tmpdir(), 'mqctl-config-gen-it-'))
  CA = join(D, 'ca', 'ca.crt')
  const ok = async (args: string[], input?: string) => {
    const r = await mqctl(args, {input})
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0)
  }

  await ok(['cert', 'ca', '--out', join(D, 'ca')])
  await ok([
    'cert',
    'server',
    '--ca',
    join(D, 'ca'),
    '--ip',
    '127.0.0.1',
    '--host',
    'localhost',
    '--out',
    join(D, 'server'),
  ])
  await ok(['cert', 'client', '--ca', join(D, 'ca'), '--cn', 'alice', '--out', join(D, 'client')])
  await ok(['passwd', '-c', '--password-stdin', join(D, 'passwd'), 'alice'], 'alicepw\n')
  await ok(['dynsec', 'init', join(D, 'dynsec.json'), 'admin', '--password-stdin'], 'adminpw\n')
  writeFileSync(join(D, 'acl'), 'user alice\ntopic readwrite alice/#\n')
})

afterEach(async () => {
  await Promise.all(brokers.splice(0).map((b) => b.stop()))
})

afterAll(async () => {
  await Promise.all(brokers.splice(0).map((b) => b.stop()))
  if (D) rmSync(D, {recursive: true, force: true})
})

let confCount = 0
/** Runs "mqctl config gen" into a file (as the broker is started as root here, with --user root). */
async function generate(args: string[]): Promise<{file: string; text: string; stderr: string}> {
  const file = join(D, `gen-${++confCount}.conf`)
  const r = await mqctl([
    'config',
    'gen',
    ...args,
    '--log-dest',
    'stderr',
    '-o',
    file,
    ...(root ? ['--user', 'root'] : []),
  ])
  expect(r.code, r.stderr).toBe(0)
  return {file, text: readFileSync(file, 'utf8'), stderr: r.stderr}
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({host: '127.0.0.1', port})
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/**
 * Generates a config for fresh ports and starts the broker with it, unchanged; a port taken
 * between choosing and binding gets new ports.
 */
async function startGenerated(
  portCount: number,
  args: (ports: number[]) => string[],
  waitFor?: string,
): Promise<{broker: Broker; ports: number[]; text: string}> {
  for (let attempt = 0; attempt < 4; attempt++) {
    const ports: number[] = []
    while (ports.length < portCount) {
      const p = await freePort()
      if (!ports.includes(p)) ports.push(p)
    }

    const {text} = await generate(args(ports))
    const started = await startRawBroker(text.split('\n'), ports[0])
    if (!started.broker) {
      if (/address already in use/i.test(started.log)) continue
      throw new Error(
        `mosquitto refused the generated config (exit ${started.exitCode}):\n${started.log}\n--- config:\n${text}`,
      )
    }

    brokers.push(started.broker)
    const until = Date.now() + 5000
    for (const p of ports.slice(1))
      while (Date.now() < until && !(await canConnect(p))) await new Promise((r) => setTimeout(r, 50))
    if (waitFor) while (Date.now() < until && !existsSync(waitFor)) await new Promise((r) => setTimeout(r, 50))
    expect(started.broker.readLog()).toMatch(/mosquitto version [\d.]+ running|Opening/)
    return {broker: started.broker, ports, text}
  }

  throw new Error('no free ports')
}

interface Client {
  port?: number
  unix?: string
  user?: string
  pw?: string
  tls?: boolean
  cert?: boolean
}

function clientArgs(c: Client): string[] {
  const args = c.unix ? ['--unix', c.unix] : ['-h', '127.0.0.1', '-p', String(c.port)]
  if (c.tls || c.cert) args.push('--cafile', CA)
  if (c.cert) args.push('--cert', join(D, 'client', 'client.crt'), '--key', join(D, 'client', 'client.key'))
  if (c.user !== undefined) args.push('-u', c.user)
  if (c.pw !== undefined) args.push('-P', c.pw)
  return args
}

/** True when the broker accepts the connection (QoS 1 publish answered). */
async function accepts(c: Client, topic = 'test/gen', message = 'hi', retain = false): Promise<boolean> {
  const r = await run(tools.pub, [...clientArgs(c), '-t', topic, '-m', message, '-q', '1', ...(retain ? ['-r'] : [])])
  return r.code === 0
}

/** The first message on a topic within a few seconds, or undefined. */
async function receive(c: Client, topic: string): Promise<string | undefined> {
  const r = await run(tools.sub, [...clientArgs(c), '-t', topic, '-C', '1', '-W', '2'])
  return r.code === 0 ? r.stdout.trim() : undefined
}

function copyDynsec(): string {
  const dir = mkdtempSync(join(D, 'dynsec-'))
  copyFileSync(join(D, 'dynsec.json'), join(dir, 'dynamic-security.json'))
  return join(dir, 'dynamic-security.json')
}

async function ctrl(c: Client, ...words: string[]) {
  return run(tools.ctrl, [...clientArgs(c), 'dynsec', ...words])
}

describe('presets start the real broker', () => {
  it('local-dev: anonymous clients on a local plain listener', async () => {
    const {ports, text} = await startGenerated(1, ([p]) => ['--preset', 'local-dev', '--listener', `${p}:127.0.0.1`])
    expect(text).toMatch(/^allow_anonymous true$/m)
    expect(await accepts({port: ports[0]})).toBe(true)
  })

  it('production: TLS only, dynamic security admin from "mqctl dynsec init", no anonymous clients', async () => {
    const dynsec = copyDynsec()
    const data = mkdtempSync(join(D, 'data-'))
    const {ports} = await startGenerated(1, ([p]) => [
      '--preset',
      'production',
      '--tls-listener',
      `${p}:127.0.0.1`,
      '--cert-dir',
      join(D, 'server'),
      '--dynsec',
      dynsec,
      '--persistence',
      data,
    ])
    const admin = {port: ports[0], tls: true, user: 'admin', pw: 'adminpw'}
    const list = await ctrl(admin, 'listClients')
    expect(list.code, list.stderr).toBe(0)
    expect(list.stdout.trim()).toBe('admin')
    expect(await accepts({port: ports[0], tls: true})).toBe(false)
    expect(await accepts({...admin, pw: 'wrong'})).toBe(false)
    expect(await accepts({port: ports[0], user: 'admin', pw: 'adminpw'}), 'no plain MQTT on the TLS port').toBe(false)
  })

  it('central: open local listener for local services, TLS listener with the password file', async () => {
    const {ports, text} = await startGenerated(2, ([p1, p2]) => [
      '--preset',
      'central',
      '--listener',
      `${p1}:127.0.0.1`,
      '--tls-listener',
      `${p2}:127.0.0.1`,
      '--cert-dir',
      join(D, 'server'),
      '--password-file',
      join(D, 'passwd'),
      '--persistence',
      'none',
    ])
    expect(text.split('\n').find((l) => l && !l.startsWith('#'))).toBe('per_listener_settings true')
    expect(await accepts({port: ports[0]}), 'anonymous on the local listener').toBe(true)
    expect(await accepts({port: ports[1], tls: true, user: 'alice', pw: 'alicepw'}), 'alice over TLS').toBe(true)
    expect(await accepts({port: ports[1], tls: true}), 'anonymous over TLS').toBe(false)
    expect(await accepts({port: ports[1], tls: true, user: 'alice', pw: 'nope'}), 'wrong password').toBe(false)
  })
})

describe('flag combinations start the real broker', () => {
  it('plain listener, password file and ACL file', async () => {
    const {ports} = await startGenerated(1, ([p]) => [
      '--listener',
      `${p}:127.0.0.1`,
      '--password-file',
      join(D, 'passwd'),
      '--acl-file',
      join(D, 'acl'),
    ])
    const alice = {port: ports[0], user: 'alice', pw: 'alicepw'}
    expect(await accepts(alice, 'alice/t', 'kept', true)).toBe(true)
    expect(await receive(alice, 'alice/t')).toBe('kept')
    expect(await accepts({...alice, pw: 'x'})).toBe(false)
    expect(await accepts({port: ports[0]})).toBe(false)
  })

  it('mixed listeners with the two-word --auth: per_listener_settings, ACL only where authenticated', async () => {
    const {ports, text} = await startGenerated(2, ([p1, p2]) => [
      '--listener',
      `${p1}:127.0.0.1,anonymous`,
      '--listener',
      `${p2}:127.0.0.1`,
      '--auth',
      'password-file',
      join(D, 'passwd'),
      '--acl-file',
      join(D, 'acl'),
    ])
    expect(text).toMatch(/^per_listener_settings true$/m)
    const [open, secured] = ports
    expect(await accepts({port: open})).toBe(true)
    expect(await accepts({port: secured})).toBe(false)
    const alice = {port: secured, user: 'alice', pw: 'alicepw'}
    expect(await accepts(alice, 'other/t', 'denied', true)).toBe(true) // QoS 1 is acknowledged, the message dropped
    expect(await receive({port: open}, 'other/t')).toBeUndefined()
    expect(await accepts(alice, 'alice/t', 'allowed', true)).toBe(true)
    expect(await receive({port: open}, 'alice/t')).toBe('allowed')
  })

  it('client certificates: --use-identity-as-username takes the CN as the username', async () => {
    const {ports} = await startGenerated(1, ([p]) => [
      '--tls-listener',
      `${p}:127.0.0.1`,
      '--cert-dir',
      join(D, 'server'),
      '--use-identity-as-username',
      '--acl-file',
      join(D, 'acl'),
    ])
    const withCert = {port: ports[0], cert: true}
    expect(await accepts(withCert, 'alice/c', 'by-cert', true)).toBe(true)
    expect(await receive(withCert, 'alice/c')).toBe('by-cert')
    expect(await accepts({port: ports[0], tls: true, user: 'alice', pw: 'alicepw'}), 'no certificate').toBe(false)
  })

  it('WebSockets, a Unix socket and a plain listener with --allow-anonymous', async () => {
    const socket = join(mkdtempSync(join(D, 'sock-')), 'mqtt.sock')
    const {ports, text} = await startGenerated(
      2,
      ([p1, p2]) => [
        '--listener',
        `${p1}:127.0.0.1`,
        '--websockets-listener',
        `${p2}:127.0.0.1`,
        '--unix-socket',
        socket,
        '--allow-anonymous',
      ],
      socket,
    )
    expect(text).toMatch(new RegExp(`^listener 0 ${socket}$`, 'm'))
    expect(await accepts({port: ports[0]})).toBe(true)
    expect(await accepts({unix: socket}, 'ws/t', 'via-unix', true)).toBe(true)
    const {connectAsync} = await import('mqtt')
    const client = await connectAsync(`ws://127.0.0.1:${ports[1]}`, {reconnectPeriod: 0, connectTimeout: 5000})
    try {
      const got = new Promise<string>((resolve) => client.on('message', (_t, payload) => resolve(payload.toString())))
      await client.subscribeAsync('ws/t')
      expect(await got).toBe('via-unix')
    } finally {
      await client.endAsync()
    }
  })

  it('secure WebSockets with the password file (next to a Unix socket: 2.0 does not start with WebSockets listeners only)', async () => {
    const socket = join(mkdtempSync(join(D, 'sock-')), 'mqtt.sock')
    const {ports} = await startGenerated(1, ([p]) => [
      '--websockets-listener',
      `${p}:127.0.0.1,tls`,
      '--unix-socket',
      socket,
      '--cert-dir',
      join(D, 'server'),
      '--password-file',
      join(D, 'passwd'),
    ])
    const {connectAsync} = await import('mqtt')
    const options = {reconnectPeriod: 0, connectTimeout: 5000, ca: readFileSync(CA), username: 'alice'}
    const client = await connectAsync(`wss://127.0.0.1:${ports[0]}`, {...options, password: 'alicepw'})
    await client.endAsync()
    await expect(connectAsync(`wss://127.0.0.1:${ports[0]}`, {...options, password: 'wrong'})).rejects.toThrow(
      /Not authorized|Bad User Name or Password|refused/i,
    )
  })

  it('mixed listeners with dynamic security: the admin manages clients over TLS, local services connect openly', async () => {
    const dynsec = copyDynsec()
    const {ports} = await startGenerated(2, ([p1, p2]) => [
      '--listener',
      `${p1}:127.0.0.1,anonymous`,
      '--tls-listener',
      `${p2}:127.0.0.1`,
      '--cert-dir',
      join(D, 'server'),
      '--auth',
      `dynsec:${dynsec}`,
    ])
    const admin = {port: ports[1], tls: true, user: 'admin', pw: 'adminpw'}
    const created = await ctrl(admin, 'createClient', 'bob', '-p', 'bobpw')
    expect(created.code, created.stderr).toBe(0)
    expect(await accepts({port: ports[1], tls: true, user: 'bob', pw: 'bobpw'})).toBe(true)
    expect(await accepts({port: ports[1], tls: true})).toBe(false)
    expect(await accepts({port: ports[0]})).toBe(true)
    expect(
      JSON.parse(readFileSync(dynsec, 'utf8'))
        .clients.map((c: {username: string}) => c.username)
        .sort(),
    ).toEqual(['admin', 'bob'])
  })

  it('single TLS files, TLS 1.3, --plugin, a required certificate next to passwords, persistence and a log file', async () => {
    const dynsec = copyDynsec()
    const data = mkdtempSync(join(D, 'data-'))
    const logDir = mkdtempSync(join(D, 'log-'))
    const args = (p: number) => [
      '--tls-listener',
      `${p}:127.0.0.1`,
      '--cafile',
      CA,
      '--certfile',
      join(D, 'server', 'server.crt'),
      '--keyfile',
      join(D, 'server', 'server.key'),
      '--tls-version',
      'tlsv1.3',
      '--require-certificate',
      '--dynsec',
      dynsec,
      '--plugin',
      tools.dynsecPlugin,
      '--persistence',
      data,
      '--log-type',
      'all',
    ]
    // --log-dest is given twice: stderr (from generate) and the file.
    const {broker, ports} = await startGenerated(1, ([p]) => [
      ...args(p),
      '--log-dest',
      `file:${join(logDir, 'mosquitto.log')}`,
    ])
    expect(await accepts({port: ports[0], cert: true, user: 'admin', pw: 'adminpw'}, 'x/y', 'kept', true)).toBe(true)
    expect(
      await accepts({port: ports[0], tls: true, user: 'admin', pw: 'adminpw'}),
      'password without a certificate',
    ).toBe(false)
    await broker.stop()
    expect(readFileSync(join(logDir, 'mosquitto.log'), 'utf8')).toMatch(/u'admin'/)
    expect(existsSync(join(data, 'mosquitto.db'))).toBe(true)
  })
})

describe('the command', () => {
  it('prints to stdout, and writes -o atomically with mode 0644, refusing to replace without --force', async () => {
    const out = await mqctl(['config', 'gen', '--preset', 'local-dev'])
    expect(out.code).toBe(0)
    expect(out.stdout).toMatch(/^# mosquitto\.conf for mosquitto 2\.0, generated by mqctl \S+ \(preset local-dev\)\.\n/)
    expect(out.stderr).toBe('')
    const file = join(mkdtempSync(join(D, 'out-')), 'mosquitto.conf')
    expect((await mqctl(['config', 'gen', '--preset', 'local-dev', '-o', file])).code).toBe(0)
    expect(statSync(file).mode & 0o777).toBe(0o644)
    expect(readFileSync(file, 'utf8')).toBe(out.stdout)
    const again = await mqctl(['config', 'gen', '--preset', 'central', '-o', file])
    expect(again.code).toBe(5)
    expect(again.stderr).toMatch(/already exists; give --force/)
    expect((await mqctl(['config', 'gen', '--preset', 'central', '-o', file, '--force'])).code).toBe(0)
    expect(readFileSync(file, 'utf8')).toMatch(/preset central/)
  })

  it('--interactive without a terminal is a usage error', async () => {
    const r = await mqctl(['config', 'gen', '--interactive'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--interactive needs a terminal/)
  })

  it('warns on stderr about files that are missing, and still writes the config', async () => {
    const d = mkdtempSync(join(D, 'missing-'))
    const r = await mqctl(['config', 'gen', '--listener', '1883:127.0.0.1', '--password-file', join(d, 'passwd')])
    expect(r.code).toBe(0)
    expect(r.stderr).toContain(
      `mqctl: warning: ${join(d, 'passwd')} (password file): No such file or directory; create it with "mqctl passwd -c ${join(d, 'passwd')} USER"`,
    )
    expect(r.stdout).toMatch(new RegExp(`^password_file ${join(d, 'passwd')}$`, 'm'))
    const plugin = await mqctl([
      'config',
      'gen',
      '--listener',
      '1883:127.0.0.1',
      '--dynsec',
      join(D, 'dynsec.json'),
      '--plugin-dir',
      d,
    ])
    expect(plugin.code).toBe(0)
    expect(plugin.stderr).toContain(
      `${join(d, 'mosquitto_dynamic_security.so')} (dynamic-security plugin): No such file or directory`,
    )
  })

  it('reports usage errors with exit 2', async () => {
    for (const args of [
      [],
      ['--tls-listener', '8883'],
      ['--websockets-listener', '9001', '--allow-anonymous'],
      ['--listener', '99999'],
      ['--listener', '1883', '--password-file', 'a', '--dynsec', 'b'],
      ['--preset', 'nope'],
    ]) {
      const r = await mqctl(['config', 'gen', ...args])
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2)
      expect(r.stdout).toBe('')
    }
  })

  it('--json carries the config and the warnings', async () => {
    const r = await mqctl([
      'config',
      'gen',
      '--preset',
      'central',
      '--cert-dir',
      join(D, 'server'),
      '--password-file',
      join(D, 'passwd'),
      '--persistence',
      'none',
      '--json',
    ])
    expect(r.code).toBe(0)
    const json = JSON.parse(r.stdout)
    expect(json).toMatchObject({file: null, target: '2.0', preset: 'central'})
    expect(json.config).toMatch(/^per_listener_settings true$/m)
    expect(Array.isArray(json.warnings)).toBe(true)
  })

  it('--help shows one example per preset', async () => {
    const r = await mqctl(['config', 'gen', '--help'])
    expect(r.code).toBe(0)
    for (const preset of ['local-dev', 'production', 'central'])
      expect(r.stdout).toContain(`config gen --preset ${preset}`)
  })

  it('a broker started as root reads the files as user mosquitto: the warnings say which it cannot read', async () => {
    if (!root || !readFileSync('/etc/passwd', 'utf8').includes('\nmosquitto:')) return
    const d = mkdtempSync(join(D, 'perm-'))
    copyFileSync(join(D, 'passwd'), join(d, 'passwd'))
    const r = await mqctl(['config', 'gen', '--listener', '1883:127.0.0.1', '--password-file', join(d, 'passwd')])
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(/switches to user "mosquitto" before opening it, and user "mosquitto" cannot enter/)
  })
})
