import {chmodSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startBroker, type Broker} from '../helpers/broker.js'
import {isolatedHome, mqctl} from '../helpers/cli.js'

const ADMIN_PW = 'admin-secret'
let broker: Broker

beforeAll(async () => {
  const dir = isolatedHome()
  const file = join(dir, 'dynsec.json')
  expect((await mqctl(['dynsec', 'init', file, 'admin', '--password-stdin'], {input: `${ADMIN_PW}\n`})).code).toBe(0)
  broker = await startBroker({dynsec: {configFile: file}})
})
afterAll(async () => broker?.stop())

describe('profile add | set | use | remove', () => {
  it('writes profiles a command then uses, marks the current one, keeps comments, 0600', async () => {
    const cfg = isolatedHome()
    const file = join(cfg, 'config.yaml')
    const env = {MQCTL_CONFIG_DIR: cfg, ADMIN_PW}
    const p = (...args: string[]) => mqctl(['profile', ...args], {env})
    const port = String(broker.port)
    const add = await p(
      'add',
      'lab',
      '--host',
      '127.0.0.1',
      '--port',
      port,
      '--username',
      'admin',
      '--password-env',
      'ADMIN_PW',
    )
    expect([add.code, add.stderr]).toEqual([0, ''])
    expect(statSync(file).mode & 0o777).toBe(0o600)
    // Not the default yet: a command without --profile does not use it.
    expect((await mqctl(['dynsec', 'listRoles', '--profile', 'lab', '--quiet'], {env})).stdout).toBe('admin\n')
    expect((await p('list')).stdout).toBe('lab\n')

    expect((await p('add', 'other', '--host', '127.0.0.1', '--port', '1', '--use')).code).toBe(0)
    expect((await p('list')).stdout).toBe('  lab\n* other (default)\n')
    expect(JSON.parse((await mqctl(['profile', 'list', '--json'], {env})).stdout)).toMatchObject({current: 'other'})
    expect((await mqctl(['profile', 'list'], {env: {...env, MQCTL_PROFILE: 'lab'}})).stdout).toBe(
      '* lab\n  other (default)\n',
    )

    expect((await p('use', 'lab')).code).toBe(0)
    expect((await mqctl(['dynsec', 'listRoles', '--quiet'], {env})).stdout).toBe('admin\n')

    // Comments and layout survive an edit; a looser mode is tightened to 0600.
    writeFileSync(file, `# my brokers\n${readFileSync(file, 'utf8')}`)
    chmodSync(file, 0o644)
    expect((await p('set', 'lab', '--timeout', '3', '--unset', 'host')).code).toBe(0)
    const text = readFileSync(file, 'utf8')
    expect(text.startsWith('# my brokers\n')).toBe(true)
    expect(text).toContain('timeout: 3')
    expect(text).not.toContain('host: 127.0.0.1\n    port: ' + port)
    expect(statSync(file).mode & 0o777).toBe(0o600)

    // Refusals leave the file as it was.
    for (const bad of [
      ['add', 'lab', '--host', 'x'],
      ['set', 'lab', '--port', 'abc'],
      ['set', 'nope', '--port', '1'],
      ['set', 'lab', '--unset', 'cafile'],
      ['use', 'nope'],
      ['remove', 'nope'],
    ]) {
      const r = await p(...bad)
      expect([bad, r.code]).toEqual([bad, 2])
      expect(r.stderr).toMatch(/^mqctl: /)
      expect(readFileSync(file, 'utf8')).toBe(text)
    }

    expect((await p('remove', 'lab')).code).toBe(0)
    expect(readFileSync(file, 'utf8')).not.toMatch(/lab|default/)
    expect((await p('list')).stdout).toBe('other\n')
    const warned = await p('set', 'other', '--pw', 'plain')
    expect(warned.stderr).toContain('plain text')
  }, 120_000)
})
