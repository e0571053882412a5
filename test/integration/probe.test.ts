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
})
