import {execFileSync} from 'node:child_process'
import {copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {createServer, type AddressInfo, type Server, type Socket} from 'node:net'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {freePort, startBroker, type Broker} from '../helpers/broker.js'
import {mqctl, type CliResult} from '../helpers/cli.js'
import {startSocks5Proxy} from '../helpers/socks5.js'

// Every mosquitto_ctrl connection option, end to end through a dynsec command against one
// broker with a plain, a certificate TLS and a PSK listener.
const ADMIN_PW = 'admin-secret'
const PSK_IDENTITY = 'admin'
const PSK_KEY = '00112233445566778899aabbccddeeff'
let dir: string
let pki: string
let broker: Broker
let pskPort: number

const admin = ['-u', 'admin', '-P', ADMIN_PW]
const listRoles = ['dynsec', 'listRoles']
const ok = (r: CliResult) => [r.code, r.stdout.split('\n')[0], r.stderr]

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mqctl-connopts-it-'))
  pki = join(dir, 'pki')
  const dynsec = join(dir, 'dynsec.json')
  expect((await mqctl(['dynsec', 'init', dynsec, 'admin', '--password-stdin'], {input: `${ADMIN_PW}\n`})).code).toBe(0)
  expect((await mqctl(['cert', 'ca', '--out', pki])).code).toBe(0)
  expect(
    (
      await mqctl([
        'cert',
        'server',
        '--ca',
        pki,
        '--host',
        'localhost',
        '--ip',
        '127.0.0.1',
        '--out',
        join(pki, 'server'),
      ])
    ).code,
  ).toBe(0)
  const pskFile = join(dir, 'psk')
  writeFileSync(pskFile, `${PSK_IDENTITY}:${PSK_KEY}\n`)
  pskPort = await freePort()
  broker = await startBroker({
    dynsec: {configFile: dynsec},
    tls: {
      cafile: join(pki, 'ca.crt'),
      certfile: join(pki, 'server', 'server.crt'),
      keyfile: join(pki, 'server', 'server.key'),
    },
    config: [`listener ${pskPort} 127.0.0.1`, 'psk_hint mqctl-test', `psk_file ${pskFile}`],
  })
})
afterAll(async () => {
  await broker?.stop()
  rmSync(dir, {recursive: true, force: true})
})

describe('connection options against a real broker', () => {
  it('speaks MQTT 5, 3.1.1 and 3.1 (-V)', async () => {
    for (const version of ['5', 'mqttv5', '311', 'mqttv311', '31', 'mqttv31']) {
      const r = await mqctl([
        '-V',
        version,
        '-p',
        String(broker.port),
        ...admin,
        '--quiet',
        'dynsec',
        'getDefaultACLAccess',
      ])
      expect(ok(r), version).toEqual([0, 'publishClientSend    : deny', ''])
    }
  })

  it('takes -A, -L, -i and the MQCTL_* variables, flags before variables', async () => {
    expect(
      ok(
        await mqctl([
          '-A',
          '127.0.0.1',
          '-i',
          'mqctl-fixed-id',
          '-p',
          String(broker.port),
          ...admin,
          '--quiet',
          ...listRoles,
        ]),
      ),
    ).toEqual([0, 'admin', ''])
    expect(
      ok(await mqctl(['-L', `mqtt://admin:${ADMIN_PW}@127.0.0.1:${broker.port}/t`, '--quiet', ...listRoles])),
    ).toEqual([0, 'admin', ''])
    const env = {
      MQCTL_HOST: '127.0.0.1',
      MQCTL_PORT: String(broker.port),
      MQCTL_USERNAME: 'admin',
      MQCTL_PASSWORD: ADMIN_PW,
    }
    expect(ok(await mqctl(['--quiet', ...listRoles], {env}))).toEqual([0, 'admin', ''])
    const closed = String(await freePort())
    expect(
      ok(await mqctl(['-p', String(broker.port), '--quiet', ...listRoles], {env: {...env, MQCTL_PORT: closed}})),
    ).toEqual([0, 'admin', ''])
    const refused = await mqctl(['--quiet', ...listRoles], {env: {...env, MQCTL_PORT: closed}})
    expect([refused.code, refused.stderr]).toEqual([
      3,
      expect.stringContaining(`connection refused by 127.0.0.1:${closed}`),
    ])
  })

  it('verifies TLS with --capath, --tls-use-os-certs, --tls-version and --ciphers', async () => {
    const tls = ['-h', 'localhost', '-p', String(broker.tlsPort), ...admin]
    const capath = join(dir, 'capath')
    mkdirSync(capath)
    copyFileSync(join(pki, 'ca.crt'), join(capath, 'ca.pem'))
    // OpenSSL (and so mosquitto) opens only <subject hash>.N files in a CA directory
    const unhashed = await mqctl([...tls, '--capath', capath, ...listRoles])
    expect([unhashed.code, unhashed.stderr]).toEqual([3, expect.stringContaining(`openssl rehash ${capath}`)])
    execFileSync('openssl', ['rehash', capath])
    expect(ok(await mqctl([...tls, '--capath', capath, ...listRoles]))).toEqual([0, 'admin', ''])
    expect(
      ok(
        await mqctl([
          ...tls,
          '--cafile',
          join(pki, 'ca.crt'),
          '--tls-version',
          'tlsv1.2',
          '--ciphers',
          'ECDHE-ECDSA-AES128-GCM-SHA256',
          ...listRoles,
        ]),
      ),
    ).toEqual([0, 'admin', ''])
    // the system's CAs alone do not know the test CA; with --cafile added they are both trusted
    const osOnly = await mqctl([...tls, '--tls-use-os-certs', ...listRoles])
    expect([osOnly.code, osOnly.stderr]).toEqual([3, expect.stringContaining('TLS handshake')])
    expect(ok(await mqctl([...tls, '--tls-use-os-certs', '--cafile', join(pki, 'ca.crt'), ...listRoles]))).toEqual([
      0,
      'admin',
      '',
    ])
  })

  it('connects with TLS-PSK, and fails cleanly with the wrong key', async () => {
    const psk = ['-h', '127.0.0.1', '-p', String(pskPort), '--psk-identity', PSK_IDENTITY, ...admin]
    expect(ok(await mqctl([...psk, '--psk', PSK_KEY, ...listRoles]))).toEqual([0, 'admin', ''])
    const wrong = await mqctl([...psk, '--psk', 'ffeeddccbbaa99887766554433221100', ...listRoles])
    expect(wrong.code).toBe(3)
    expect(wrong.stderr.trim().split('\n')[0]).toMatch(/^mqctl: TLS handshake with 127\.0\.0\.1:\d+ failed: .*\S$/)
  })

  it('goes through a SOCKS5 proxy (--proxy), and names the proxy when it is down', async () => {
    const proxy = await startSocks5Proxy()
    try {
      const r = await mqctl([
        '--proxy',
        `socks5h://127.0.0.1:${proxy.port}`,
        '-h',
        'localhost',
        '-p',
        String(broker.port),
        ...admin,
        '--quiet',
        ...listRoles,
      ])
      expect(ok(r)).toEqual([0, 'admin', ''])
      expect(proxy.requests).toEqual([`localhost:${broker.port}`])
    } finally {
      await proxy.close()
    }

    // a proxy that hangs up during the handshake, and one that never answers, are named as such
    const sockets = new Set<Socket>()
    const rude = createServer((s) => s.once('data', () => s.resetAndDestroy()))
    const silent = createServer((s) => sockets.add(s))
    await Promise.all(
      [rude, silent].map((server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))),
    )
    try {
      const via = (server: Server, extra: string[] = []) =>
        mqctl([
          '--proxy',
          `socks5h://127.0.0.1:${(server.address() as AddressInfo).port}`,
          '-p',
          String(broker.port),
          ...admin,
          '--quiet',
          ...extra,
          ...listRoles,
        ])
      const reset = await via(rude)
      expect([reset.code, reset.stderr.split('\n')[0]]).toEqual([
        3,
        expect.stringMatching(/^mqctl: the SOCKS proxy 127\.0\.0\.1:\d+ failed during the handshake: ECONNRESET$/),
      ])
      const hang = await via(silent, ['--timeout', '1'])
      expect([hang.code, hang.stderr.split('\n')[0]]).toEqual([
        4,
        expect.stringMatching(/through the SOCKS proxy 127\.0\.0\.1:\d+ \(no answer within 1 s\)$/),
      ])
    } finally {
      for (const s of sockets) s.destroy()
      await Promise.all([rude, silent].map((server) => new Promise((resolve) => server.close(resolve))))
    }

    const down = await freePort()
    const r = await mqctl([
      '--proxy',
      `socks5h://127.0.0.1:${down}`,
      '-p',
      String(broker.port),
      ...admin,
      '--quiet',
      ...listRoles,
    ])
    expect([r.code, r.stderr.split('\n')[0]]).toEqual([
      3,
      `mqctl: cannot reach the SOCKS proxy 127.0.0.1:${down}: ECONNREFUSED`,
    ])
  })

  it('matches replies by correlationData when several admins ask at once', async () => {
    const names = Array.from({length: 6}, (_, i) => `parallel-${i}`)
    for (const name of names)
      expect(
        (await mqctl(['-p', String(broker.port), ...admin, '--quiet', 'dynsec', 'createClient', name, '-p', 'pw']))
          .code,
      ).toBe(0)
    const answers = await Promise.all(
      names.map((name) => mqctl(['-p', String(broker.port), ...admin, '--quiet', 'dynsec', 'getClient', name])),
    )
    expect(answers.map((r) => ok(r))).toEqual(names.map((name) => [0, `Username: ${name}`, '']))
  })
})
