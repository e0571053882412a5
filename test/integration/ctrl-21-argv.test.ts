import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {freePort} from '../helpers/broker.js'
import {mqctl} from '../helpers/cli.js'

// Found by running mosquitto 2.1.2's test/apps/ctrl/ctrl-args.py and ctrl-broker.py against mqctl;
// the expected statuses and words are what mosquitto_ctrl 2.1.2 printed for the same argv.
describe('mosquitto_ctrl 2.1 argv forms of the broker module and of dangling command options', () => {
  it('broker with an unknown command: "Command \'x\' not recognised." and exit 13', async () => {
    const r = await mqctl(['broker', 'unknown'])
    expect([r.code, r.stderr, r.stdout]).toEqual([13, "Command 'unknown' not recognised.\n", ''])
    const led = await mqctl(['-p', '1', 'broker', 'nope'])
    expect([led.code, led.stderr]).toEqual([13, "Command 'nope' not recognised.\n"])
  })

  it('broker help (after connection options, as 2.1.2 test/apps run it) is the module help, exit 0', async () => {
    const r = await mqctl(['-u', 'admin', '-P', 'admin', '-V', '5', '-p', '1', '-q', '1', 'broker', 'help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('listPlugins')
    expect(r.stdout).toContain('listListeners')
  })

  it('a command option left without its value at the end says so, not "received: --file=…"', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mqctl-argv-'))
    const r = await mqctl(['-f', join(dir, 'f.json'), 'dynsec', 'setClientPassword', 'admin', 'pw', '-i'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--iterations expects a value/)
    expect(r.stderr).not.toMatch(/--file=/)
  })

  it('a missing --cafile is reported before connecting (2.1.2: "Problem setting TLS options"), not "refused"', async () => {
    const port = await freePort() // nothing listens there: the old order said "connection refused"
    const missing = join(mkdtempSync(join(tmpdir(), 'mqctl-argv-')), 'missing.crt')
    for (const module of [
      ['dynsec', 'listClients'],
      ['broker', 'listListeners'],
    ]) {
      const r = await mqctl(['--cafile', missing, '-h', '127.0.0.1', '-p', String(port), ...module])
      expect(r.code, module.join(' ')).toBe(5)
      expect(r.stderr).toMatch(/^mqctl: Problem setting TLS options: .*missing\.crt/)
      expect(r.stderr).not.toMatch(/refused/)
    }
  })

  it("options checked together keep mosquitto_ctrl 2.1.2's words when a command follows", async () => {
    const r = await mqctl(['--keyform', 'key', '--cafile', 'f', '--cert', 'f', '--key', 'f', 'broker', 'listListeners'])
    expect([r.code, r.stderr]).toEqual([2, "Error: Problem setting key form, it must be one of 'pem' or 'engine'.\n"])
  })
})
