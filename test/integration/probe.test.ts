import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startBroker, type Broker} from '../helpers/broker.js'
import {mqctl} from '../helpers/cli.js'

let broker: Broker
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mqctl-probe-it-'))
  const passwd = join(dir, 'passwd')
  await mqctl(['passwd', '-c', '-b', passwd, 'alice', 'alicepw'])
  const acl = join(dir, 'acl')
  writeFileSync(acl, 'user alice\ntopic readwrite alice/#\ntopic write drop/#\n')
  broker = await startBroker({passwordFile: passwd, aclFile: acl})
})
afterAll(async () => broker?.stop())

const as = (user: string, pw: string, args: string[]) =>
  mqctl(['-p', String(broker.port), '-h', '127.0.0.1', '-u', user, '-P', pw, '--quiet', 'probe', ...args, '--json'])

describe('probe against a real broker', () => {
  it('reports PUBACK codes and loopback delivery', async () => {
    const r = await as('alice', 'alicepw', [
      '--sub',
      'alice/#',
      '--pub',
      'alice/x',
      '--pub',
      'other/x',
      '--pub',
      'drop/x',
      '--loopback',
    ])
    expect(r.code).toBe(0)
    const checks = JSON.parse(r.stdout).checks as Array<{
      kind: string
      target: string
      allowed?: boolean
      reasonCode?: number
    }>
    const find = (kind: string, target: string) => checks.find((c) => c.kind === kind && c.target === target)
    expect(find('connect', `127.0.0.1:${broker.port}`)?.allowed).toBe(true)
    expect(find('subscribe', 'alice/#')?.allowed).toBe(true)
    expect(find('publish', 'alice/x')?.allowed).toBe(true)
    expect(find('receive', 'alice/x')?.allowed).toBe(true)
    expect(find('publish', 'other/x')).toMatchObject({allowed: false, reasonCode: 0x87})
    // acl_file grants SUBSCRIBE but not delivery: the message is silently not delivered.
    expect(find('publish', 'drop/x')?.allowed).toBe(true)
    expect(find('receive', 'drop/x')?.allowed).toBe(false)
  })

  it('fails --expect and reports a refused CONNACK', async () => {
    const denied = await as('alice', 'alicepw', ['--pub', 'other/x', '--expect', 'allow'])
    expect(denied.code).toBe(1)
    const wrong = await as('alice', 'wrong', ['--pub', 'alice/x'])
    expect(JSON.parse(wrong.stdout).checks[0]).toMatchObject({kind: 'connect', allowed: false, reasonCode: 0x87})
    const text = await mqctl([
      '-p',
      String(broker.port),
      '-u',
      'alice',
      '-P',
      'alicepw',
      '--quiet',
      'probe',
      '--pub',
      'other/x',
    ])
    expect(text.stdout).toContain('an MQTT 3.1.1 client would get no answer at all')
    // mosquitto_ctrl's short letters also after the command word
    const after = await mqctl([
      'probe',
      '-h',
      '127.0.0.1',
      '-p',
      String(broker.port),
      '-u',
      'alice',
      '-P',
      'alicepw',
      '--quiet',
      '--pub',
      'alice/x',
      '--expect',
      'allow',
      '--json',
    ])
    expect([after.code, JSON.parse(after.stdout).failed]).toEqual([0, 0])
  })

  it('speaks MQTT 3.1.1 with -V 311 and 3.1 with -V 31 (the broker log says which)', async () => {
    for (const [version, p] of [
      ['311', 'p2'],
      ['mqttv31', 'p1'],
      ['5', 'p5'],
    ] as const) {
      const id = `probe-v-${version}`
      const r = await as('alice', 'alicepw', ['-V', version, '-i', id, '--sub', 'alice/#', '--pub', 'alice/x'])
      expect(r.code, r.stderr).toBe(0)
      const line = broker
        .readLog()
        .split('\n')
        .find((l) => l.includes(` as ${id} (`))
      expect(line, version).toContain(`(${p}, `)
      const checks = JSON.parse(r.stdout).checks as Array<{kind: string; allowed?: boolean}>
      expect(checks.find((c) => c.kind === 'subscribe')?.allowed).toBe(true)
      // MQTT 3.x acknowledges every publish: without --loopback its result is unknown.
      expect(checks.find((c) => c.kind === 'publish')?.allowed).toBe(version === '5' ? true : undefined)
    }

    const denied = await as('alice', 'wrong', ['-V', '311'])
    expect(JSON.parse(denied.stdout).checks[0]).toMatchObject({kind: 'connect', allowed: false, reasonCode: 5})
    // Under 3.1.1 the loopback tells an allowed publish.
    const loop = await as('alice', 'alicepw', ['-V', '311', '--pub', 'alice/y', '--loopback'])
    const checks = JSON.parse(loop.stdout).checks as Array<{kind: string; allowed?: boolean}>
    expect(checks.filter((c) => c.kind !== 'subscribe').map((c) => [c.kind, c.allowed])).toEqual([
      ['connect', true],
      ['publish', true],
      ['receive', true],
    ])
  })

  it('--expect deny judges the checks, not the login (the README example exits 0)', async () => {
    const readme = await mqctl(
      [
        'probe',
        '-h',
        '127.0.0.1',
        '-p',
        String(broker.port),
        '-u',
        'alice',
        '--admin-password-stdin',
        '--quiet',
      ].concat(['--pub', 'other/x', '--expect', 'deny', '--json']),
      {input: 'alicepw\n'},
    )
    expect([readme.code, JSON.parse(readme.stdout)]).toEqual([
      0,
      expect.objectContaining({verdict: 'deny', expect: 'deny', failed: 0}),
    ])
    const allowedPub = await as('alice', 'alicepw', ['--pub', 'alice/x', '--expect', 'deny'])
    expect([allowedPub.code, JSON.parse(allowedPub.stdout).failed]).toEqual([1, 1])
    // nothing but the login asked: the login is the verdict
    const login = await as('alice', 'wrong', ['--expect', 'deny'])
    expect([login.code, JSON.parse(login.stdout).verdict]).toEqual([0, 'deny'])
    expect((await as('alice', 'alicepw', ['--expect', 'deny'])).code).toBe(1)
    // the loopback's helper subscription is not judged
    const loop = await as('alice', 'alicepw', ['--pub', 'other/x', '--loopback', '--expect', 'deny'])
    expect([loop.code, JSON.parse(loop.stdout).verdict]).toEqual([0, 'deny'])
    const allow = await as('alice', 'alicepw', ['--sub', 'alice/#', '--pub', 'alice/x', '--expect', 'allow'])
    expect([allow.code, JSON.parse(allow.stdout).verdict]).toEqual([0, 'allow'])
  })
})
