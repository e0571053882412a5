import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {startBroker, type Broker} from '../helpers/broker.js'
import {mqctl, run} from '../helpers/cli.js'
import {findMosquittoTools} from '../helpers/mosquitto-install.js'

const tools = findMosquittoTools()
const brokers: Broker[] = []
afterAll(async () => Promise.all(brokers.map((b) => b.stop())))

describe('export --include-hashes, then apply -f to a new file (a file-to-file copy)', () => {
  it('carries every stored hash: the broker on the copy lets each client in with its password', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mqctl-hash-copy-'))
    const from = join(dir, 'from.json')
    const to = join(dir, 'to.json')
    expect((await mqctl(['dynsec', 'init', from, 'admin', '--password-stdin'], {input: 'admin-pw\n'})).code).toBe(0)
    for (const u of ['erin', 'frank']) {
      const r = await mqctl(['-f', from, 'dynsec', 'createClient', u, '--password-stdin'], {input: `pw-${u}\n`})
      expect(r.code).toBe(0)
    }

    const exported = await mqctl(['-f', from, 'dynsec', 'export', '--include-hashes', '-o', join(dir, 'policy.yaml')])
    expect(exported.code).toBe(0)
    const applied = await mqctl(['-f', to, 'dynsec', 'apply', join(dir, 'policy.yaml')])
    expect(applied.code).toBe(0)
    const stored = (f: string) =>
      Object.fromEntries(
        (JSON.parse(readFileSync(f, 'utf8')).clients as Array<Record<string, unknown>>).map((c) => [
          c.username,
          [c.password, c.salt, c.iterations],
        ]),
      )
    expect(stored(to)).toEqual(stored(from))

    const broker = await startBroker({dynsec: {configFile: to}})
    brokers.push(broker)
    const login = (user: string, pw: string) =>
      run(tools.pub, ['-h', '127.0.0.1', '-p', String(broker.port), '-u', user, '-P', pw, '-t', 't', '-m', '1'])
    for (const [user, pw] of [
      ['admin', 'admin-pw'],
      ['erin', 'pw-erin'],
      ['frank', 'pw-frank'],
    ]) {
      expect((await login(user, pw)).code, user).toBe(0)
    }

    expect((await login('erin', 'wrong')).code).not.toBe(0)
  })
})
