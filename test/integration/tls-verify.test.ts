import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {freePorts, mqttConnectCheck, startRawBroker, type Broker} from '../helpers/broker.js'
import {mqctl} from '../helpers/cli.js'
import {makeCa, makeLeaf, opensslVerifies, type LeafSpec} from '../helpers/openssl-pki.js'
import {resolveConnection} from '../../src/lib/connection/resolve.js'
import {openTransport} from '../../src/lib/connection/transport.js'
import type {MqctlError} from '../../src/lib/errors.js'

// The broker's certificate against the host given with -h: a matrix of certificates (made by
// openssl, not by mqctl) × hosts, judged by the real mosquitto_sub 2.0.11 and by `openssl
// verify -verify_ip/-verify_hostname` (the OpenSSL checks libmosquitto 2.1 hands the host to).
const HOSTS = ['localhost', '127.0.0.1', '127.0.0.2', '::1']
const MATRIX: LeafSpec[] = [
  {name: 'dns-localhost', san: 'DNS:localhost', cn: 'broker'},
  {name: 'ip-127-0-0-2', san: 'IP:127.0.0.2', cn: 'broker'},
  {name: 'both', san: 'DNS:localhost,IP:127.0.0.1,IP:::1', cn: 'broker'},
  {name: 'ipv6-only', san: 'IP:::1', cn: 'broker'},
  {name: 'upper-dns', san: 'DNS:LOCALHOST', cn: 'broker'},
  {name: 'wildcard-one-label', san: 'DNS:*.localhost', cn: 'broker'},
  {name: 'wildcard-ip-text', san: 'DNS:*.0.0.2', cn: 'broker'},
  {name: 'partial-wildcard', san: 'DNS:local*', cn: 'broker'},
  {name: 'cn-localhost', cn: 'localhost'},
  {name: 'cn-ip', cn: '127.0.0.2'},
  {name: 'ip-san-cn-localhost', san: 'IP:127.0.0.2', cn: 'localhost'},
  {name: 'dns-ip-literal', san: 'DNS:127.0.0.2', cn: 'broker'},
  {name: 'wrong', san: 'DNS:example.com,IP:10.0.0.1', cn: 'localhost'},
]

/**
 * Where mosquitto 2.0.11's hand-written check (lib/tls_mosq.c, mosquitto__verify_certificate_hostname)
 * accepts and mqctl, like 2.1's OpenSSL check, refuses: IP literals compared as text with DNS
 * SANs and the CN, and a `*.` wildcard that strips the first label of any host.
 */
const LAXER_IN_2_0 = new Set([
  'wildcard-one-label@localhost',
  'wildcard-ip-text@127.0.0.2',
  'cn-ip@127.0.0.2',
  'dns-ip-literal@127.0.0.2',
])

let dir: string
let broker: Broker
const ports = new Map<string, number>()

const listenerLines = (port: number, crt: string, key: string, cafile: string) =>
  ['127.0.0.1', '127.0.0.2', '::1'].flatMap((address) => [
    `listener ${port} ${address}`,
    `cafile ${cafile}`,
    `certfile ${crt}`,
    `keyfile ${key}`,
  ])

const UNTRUSTED: LeafSpec[] = [
  {name: 'other-ca', san: 'DNS:localhost,IP:127.0.0.1', cn: 'localhost', signer: 'other'},
  {name: 'self-signed', san: 'DNS:localhost,IP:127.0.0.1', cn: 'localhost', signer: 'self'},
  {name: 'expired', san: 'DNS:localhost,IP:127.0.0.1', cn: 'localhost', days: -1},
]

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mqctl-tls-verify-'))
  makeCa(dir)
  makeCa(dir, 'other')
  const specs = [...MATRIX, ...UNTRUSTED]
  const free = await freePorts(specs.length)
  const lines = ['allow_anonymous true', 'persistence false']
  if (process.getuid?.() === 0) lines.push('user root')
  for (const [i, spec] of specs.entries()) {
    // A self-signed leaf goes out with its own certificate as the listener's CA file.
    const leaf = makeLeaf(dir, spec)
    ports.set(spec.name, free[i])
    lines.push(...listenerLines(free[i], leaf.crt, leaf.key, join(dir, 'ca.crt')))
  }

  const started = await startRawBroker(lines)
  if (!started.broker) throw new Error(`broker did not start:\n${started.log}`)
  broker = started.broker
}, 60_000)
afterAll(async () => {
  await broker?.stop()
  rmSync(dir, {recursive: true, force: true})
})

const mqctlAccepts = async (host: string, port: number, extra: string[] = []) => {
  const r = await mqctl(['probe', '-h', host, '-p', String(port), '--cafile', join(dir, 'ca.crt'), ...extra, '--json'])
  if (r.code !== 0 && r.code !== 3) throw new Error(`mqctl probe -h ${host}: exit ${r.code}\n${r.stdout}${r.stderr}`)
  return {accepted: r.code === 0, result: r}
}

/**
 * mqctl's verdict in-process, through the code every command uses (resolveConnection, then
 * openTransport: TCP and the TLS handshake with its checks); the CLI end to end is in the
 * other tests here. Starting node 100 times would take minutes on a loaded machine.
 */
const transportAccepts = async (host: string, port: number, extra: Record<string, string | true> = {}) => {
  const connection = await resolveConnection({
    flags: new Map<string, string | true>([
      ['host', host],
      ['port', String(port)],
      ['cafile', join(dir, 'ca.crt')],
      ...Object.entries(extra),
    ]),
    env: {HOME: dir},
  })
  try {
    const socket = await openTransport(connection)
    socket.destroy()
    return true
  } catch (error) {
    if ((error as MqctlError).code === 'CONNECTION_TLS') return false
    throw error
  }
}

const subAccepts = async (host: string, port: number, extra: string[] = []) =>
  (await mqttConnectCheck({host, port, cafile: join(dir, 'ca.crt'), extraArgs: extra, timeoutSeconds: 3})).accepted

/** Runs fn over items a few at a time (two shared cores). */
async function pool<T, R>(items: T[], fn: (item: T) => Promise<R>, width = 4): Promise<R[]> {
  const out: R[] = []
  for (let i = 0; i < items.length; i += width) out.push(...(await Promise.all(items.slice(i, i + width).map(fn))))
  return out
}

describe('TLS host verification, compared with mosquitto_sub and OpenSSL', () => {
  it('refuses a DNS:localhost certificate at -h 127.0.0.2 and accepts an IP:127.0.0.2 one', async () => {
    const wrong = await mqctlAccepts('127.0.0.2', ports.get('dns-localhost')!)
    expect(wrong.accepted).toBe(false)
    expect(wrong.result.stdout).toContain('does not match the IP address \\"127.0.0.2\\" (it names DNS:localhost)')
    expect(JSON.parse(wrong.result.stdout).error).toMatchObject({code: 'CONNECTION_TLS', exit: 3})
    expect((await mqctlAccepts('127.0.0.2', ports.get('ip-127-0-0-2')!)).accepted).toBe(true)
  })

  it(`agrees on every cell of ${MATRIX.length} certificates × ${HOSTS.length} hosts`, async () => {
    const cells = MATRIX.flatMap((spec) => HOSTS.map((host) => ({spec, host, key: `${spec.name}@${host}`})))
    const verdicts = await pool(cells, async ({spec, host, key}) => {
      const port = ports.get(spec.name)!
      const [ours, sub] = await Promise.all([transportAccepts(host, port), subAccepts(host, port)])
      const ossl = opensslVerifies(dir, join(dir, 'ca.crt'), join(dir, `${spec.name}.crt`), host)
      return {key, mqctl: ours, sub, openssl: ossl}
    })
    const vsOpenssl = verdicts.filter((v) => v.mqctl !== v.openssl)
    const vsSub = verdicts.filter((v) => v.mqctl !== v.sub).map((v) => v.key)
    const summary = {
      cells: verdicts.length,
      accepted: verdicts.filter((v) => v.mqctl).length,
      disagreeWithOpenssl: vsOpenssl.length,
      disagreeWithMosquittoSub: vsSub.length,
    }
    console.log('tls host matrix:', JSON.stringify(summary))
    expect(vsOpenssl).toEqual([])
    // The only cells where 2.0.11 differs are its laxer rules, where it accepts and mqctl refuses.
    expect(vsSub.sort()).toEqual([...LAXER_IN_2_0].sort())
    for (const key of LAXER_IN_2_0) expect(verdicts.find((v) => v.key === key)).toMatchObject({sub: true, mqctl: false})
  }, 300_000)

  it('--insecure skips only the host check, like mosquitto_sub --insecure', async () => {
    const cells = [...MATRIX.filter((s) => s.name !== 'both'), ...UNTRUSTED].map((spec) => ({spec, host: '127.0.0.2'}))
    const verdicts = await pool(cells, async ({spec, host}) => {
      const port = ports.get(spec.name)!
      const [ours, sub] = await Promise.all([
        transportAccepts(host, port, {insecure: true}),
        subAccepts(host, port, ['--insecure']),
      ])
      return {name: spec.name, mqctl: ours, sub}
    })
    expect(verdicts.filter((v) => v.mqctl !== v.sub)).toEqual([])
    for (const v of verdicts) expect(v.mqctl, v.name).toBe(!UNTRUSTED.some((u) => u.name === v.name))
  }, 120_000)

  it('refuses an untrusted, self-signed or expired certificate with exit 3, with or without --insecure', async () => {
    for (const spec of UNTRUSTED) {
      for (const extra of [[], ['--insecure']]) {
        const r = await mqctl([
          '-h',
          'localhost',
          '-p',
          String(ports.get(spec.name)),
          '--cafile',
          join(dir, 'ca.crt'),
          ...extra,
          'probe',
        ])
        expect([r.code, r.stderr.split('\n')[0]], `${spec.name} ${extra.join(' ')}`).toEqual([
          3,
          expect.stringMatching(/^mqctl: TLS handshake with localhost:\d+ failed: /),
        ])
        expect(r.stderr).toMatch(/--insecure does not skip this/)
        expect(await subAccepts('localhost', ports.get(spec.name)!, extra)).toBe(false)
      }
    }
  }, 60_000)
})
