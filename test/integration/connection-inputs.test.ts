import {execFileSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {freePort, startBroker, type Broker} from '../helpers/broker.js'
import {isolatedHome, mqctl} from '../helpers/cli.js'
import {makeCa} from '../helpers/openssl-pki.js'

// What a user hands the connection layer before anything is sent: options before an offline
// command, TLS options that cannot apply, out-of-range values, empty names, and input files
// that are FIFOs or endless devices.
const ADMIN_PW = 'admin-secret'
let dir: string
let broker: Broker
const admin = () => ['-h', '127.0.0.1', '-p', String(broker.port), '-u', 'admin', '-P', ADMIN_PW]

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mqctl-conn-inputs-'))
  const dynsec = join(dir, 'dynsec.json')
  expect((await mqctl(['dynsec', 'init', dynsec, 'admin', ADMIN_PW])).code).toBe(0)
  broker = await startBroker({dynsec: {configFile: dynsec}})
})
afterAll(async () => {
  await broker?.stop()
  rmSync(dir, {recursive: true, force: true})
})

const timed = async (args: string[], options: Parameters<typeof mqctl>[1] = {}) => {
  const start = Date.now()
  const r = await mqctl(args, options)
  return {...r, seconds: (Date.now() - start) / 1000}
}

describe('connection inputs', () => {
  it("accepts and ignores connection options before 'dynsec init', as both mosquitto_ctrl versions do", async () => {
    const file = join(dir, 'init-with-options.json')
    const r = await mqctl(['-p', '1883', '-u', 'admin', '-P', 'x', 'dynsec', 'init', file, 'admin', 'pw'])
    expect([r.code, r.stderr]).toEqual([0, expect.not.stringContaining('Nonexistent flag')])
    expect(JSON.parse(readFileSync(file, 'utf8')).clients[0].username).toBe('admin')
    // still checked, as mosquitto_ctrl checks them
    const bad = await mqctl(['-p', '-1', 'dynsec', 'init', join(dir, 'never.json'), 'admin', 'pw'])
    expect([bad.code, bad.stderr, existsSync(join(dir, 'never.json'))]).toEqual([
      2,
      'Error: Invalid port given: -1\n',
      false,
    ])
  })

  it('checks option values when no command follows (mqctl -p -1)', async () => {
    const r = await mqctl(['-p', '-1'])
    expect([r.code, r.stderr]).toEqual([2, 'Error: Invalid port given: -1\n'])
  })

  it('warns that TLS-only options without TLS leave the connection plain text, even with --quiet', async () => {
    const r = await mqctl([...admin(), '--insecure', '--tls-alpn', 'mqtt', '--quiet', 'dynsec', 'listRoles'])
    expect([r.code, r.stdout.split('\n')[0]]).toEqual([0, 'admin'])
    expect(r.stderr).toBe(
      'Warning: --insecure, --tls-alpn have no effect: without --cafile, --capath, --tls-use-os-certs, --psk, port 8883 or an mqtts:// URL the connection is plain text.\n',
    )
    const certOnly = await mqctl([...admin(), '--cert', 'c.crt', '--key', 'c.key', 'dynsec', 'listRoles'])
    expect(certOnly.stderr).toMatch(/^Warning: --cert, --key have no effect: .*plain text\.\nWarning: You are running/)
    expect(certOnly.code).toBe(0)
  })

  it('refuses an unbounded --timeout and empty names before connecting (exit 2)', async () => {
    for (const t of ['1e9', '3601', '0', '-1', 'NaN']) {
      const r = await mqctl([...admin(), 'dynsec', 'listRoles', '--timeout', t])
      expect([r.code, r.stderr], t).toEqual([2, expect.stringMatching(/Invalid timeout given: .*at most 3600/)])
    }

    const port = String(await freePort()) // nothing listens: a refusal to connect would be exit 3
    for (const args of [
      ['createClient', '', '-p', 'pw'],
      ['createGroup', ''],
      ['createRole', ''],
      ['addGroupClient', 'g', ''],
      ['getClient', ''],
    ]) {
      const r = await mqctl(['-p', port, '-u', 'admin', '-P', 'x', '--quiet', 'dynsec', ...args])
      expect([r.code, r.stderr], args.join(' ')).toEqual([
        2,
        expect.stringMatching(/^mqctl: empty \w+name: give a name$/m),
      ])
    }
  })

  it('refuses a FIFO or a device as CA, certificate, options, profile or password file at once (exit 5)', async () => {
    const fifo = join(dir, 'fifo')
    execFileSync('mkfifo', [fifo])
    const home = isolatedHome()
    const cases: Array<{what: string; args: string[]; env?: Record<string, string>; file: string}> = [
      {what: 'CA file', args: ['--cafile', fifo], file: fifo},
      {what: 'CA file', args: ['--cafile', '/dev/zero'], file: '/dev/zero'},
      {what: 'certificate file', args: ['--cafile', makeCa(dir), '--cert', fifo, '--key', fifo], file: fifo},
      {what: 'options file', args: ['-o', fifo], file: fifo},
      {what: 'options file', args: [], env: {XDG_CONFIG_HOME: dir}, file: join(dir, 'mosquitto_ctrl')},
      {
        what: 'profile file',
        args: [],
        env: {MQCTL_CONFIG_DIR: join(dir, 'cfg')},
        file: join(dir, 'cfg', 'config.yaml'),
      },
      {what: 'password file', args: ['--profile', 'p'], env: {MQCTL_CONFIG_DIR: join(dir, 'pw')}, file: '/dev/zero'},
    ]
    // the default places, made FIFOs and devices
    execFileSync('mkfifo', [join(dir, 'mosquitto_ctrl')])
    execFileSync('mkdir', ['-p', join(dir, 'cfg'), join(dir, 'pw')])
    execFileSync('mkfifo', [join(dir, 'cfg', 'config.yaml')])
    writeFileSync(join(dir, 'pw', 'config.yaml'), 'profiles:\n  p:\n    password-file: /dev/zero\n')
    for (const c of cases) {
      const r = await timed(
        ['-h', '127.0.0.1', '-p', String(broker.port), '-u', 'admin', ...c.args, 'dynsec', 'listRoles'],
        {
          env: {HOME: home, ...c.env},
        },
      )
      expect([r.code, r.stderr.split('\n').find((l) => l.startsWith('mqctl:'))], c.what).toEqual([
        5,
        expect.stringContaining(`${c.what} ${c.file} is a`),
      ])
      expect(r.seconds, c.what).toBeLessThan(8) // a hang would last until the test times out
    }
  })
})
