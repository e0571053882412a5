import {execFileSync} from 'node:child_process'
import {chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startBroker, type Broker} from '../helpers/broker.js'
import {BIN, isolatedHome, mqctl, run} from '../helpers/cli.js'
import {findMosquittoTools} from '../helpers/mosquitto-install.js'
import {makeCa, makeLeaf} from '../helpers/openssl-pki.js'

// Wrong files given to --cafile, --cert and --key, against a real TLS listener: mqctl reports
// each as the file problem it is (exit 5, one line naming the flag and the file) before it
// connects, where it used to blame the handshake (exit 3). mosquitto_ctrl 2.0.11 refuses every
// one of them too, as "Unable to connect (A TLS error occurred.)" or "File not found".
let dir: string
let broker: Broker
let home: string
const f = (name: string) => join(dir, name)

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mqctl-tls-files-'))
  chmodSync(dir, 0o755)
  makeCa(dir)
  makeCa(dir, 'other')
  makeLeaf(dir, {name: 'server', cn: 'localhost', san: 'IP:127.0.0.1'})
  makeLeaf(dir, {name: 'client', cn: 'client'})
  writeFileSync(f('junk.pem'), 'not a certificate\n')
  writeFileSync(f('broken.pem'), '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n')
  execFileSync('openssl', ['pkey', '-in', f('client.key'), '-aes128', '-passout', 'pass:x', '-out', f('enc.key')])
  copyFileSync(f('client.key'), f('unreadable.key'))
  chmodSync(f('unreadable.key'), 0o000)
  home = isolatedHome()
  broker = await startBroker({
    allowAnonymous: true,
    tls: {cafile: f('ca.crt'), certfile: f('server.crt'), keyfile: f('server.key')},
  })
})
afterAll(async () => {
  await broker?.stop()
  rmSync(dir, {recursive: true, force: true})
})

const abs = (args: string[]) => args.map((a) => (/\.(pem|key|crt)$/.test(a) ? f(a) : a))
const target = () => ['-h', '127.0.0.1', '-p', String(broker.tlsPort)]
const CASES: Array<{what: string; args: string[]; line: RegExp}> = [
  {what: 'a private key as CA', args: ['--cafile', 'ca.key'], line: /ca\.key: not usable as --cafile: no certificate/},
  {what: 'junk as CA', args: ['--cafile', 'junk.pem'], line: /junk\.pem: not usable as --cafile: no certificate/},
  {
    what: 'a broken certificate as CA',
    args: ['--cafile', 'broken.pem'],
    line: /broken\.pem: not usable as --cafile: certificate 1 cannot be parsed/,
  },
  {
    what: 'a key as --cert',
    args: ['--cafile', 'ca.crt', '--cert', 'client.key', '--key', 'client.key'],
    line: /client\.key: not usable as --cert: no certificate/,
  },
  {
    what: 'a certificate as --key',
    args: ['--cafile', 'ca.crt', '--cert', 'client.crt', '--key', 'client.crt'],
    line: /client\.crt: not usable as --key: no private key/,
  },
  {
    what: 'a key of another certificate',
    args: ['--cafile', 'ca.crt', '--cert', 'client.crt', '--key', 'server.key'],
    line: /--cert \S*client\.crt and --key \S*server\.key do not belong together/,
  },
  {
    what: 'an encrypted key',
    args: ['--cafile', 'ca.crt', '--cert', 'client.crt', '--key', 'enc.key'],
    line: /enc\.key: not usable as --key: the key is encrypted/,
  },
]

describe('TLS files that are not what their flag says (exit 5, before connecting)', () => {
  it.each(CASES)('$what', async (c) => {
    const r = await mqctl([...target(), ...abs(c.args), 'dynsec', 'listRoles'], {env: {HOME: home}})
    const lines = r.stderr.trim().split('\n')
    expect([r.code, lines[0]], r.stderr).toEqual([5, expect.stringMatching(c.line)])
    expect(lines[0]).toMatch(/^mqctl: /)
    expect(lines.filter((l) => l.startsWith('mqctl:'))).toHaveLength(1)
    const theirs = await run(findMosquittoTools().ctrl, [...target(), ...abs(c.args), 'dynsec', 'listRoles'], {
      env: {HOME: home},
    })
    expect(theirs.code, `mosquitto_ctrl accepted ${c.what}`).not.toBe(0)
    expect(theirs.stderr).toMatch(/A TLS error occurred|File not found/)
  })

  it('the same files in the mqctl form; a missing file and a broker that is down still exit 5', async () => {
    const flags = ['--host', '127.0.0.1', '--port', String(broker.tlsPort), '--cafile', 'ca.key']
    const r = await mqctl(['dynsec', 'listRoles', ...flags], {cwd: dir, env: {HOME: home}})
    expect([r.code, r.stderr.split('\n')[0]]).toEqual([5, expect.stringMatching(/not usable as --cafile/)])
    const missing = await mqctl(['--cafile', 'nope.crt', '-p', '1', 'dynsec', 'listRoles'], {
      cwd: dir,
      env: {HOME: home},
    })
    expect([missing.code, missing.stderr.split('\n')[0]]).toEqual([5, expect.stringMatching(/--cafile: .*nope\.crt/)])
  })

  it.runIf(process.geteuid?.() === 0)('an unreadable key names --key and the file (as nobody)', async () => {
    const args = [...target(), '--cafile', f('ca.crt'), '--cert', f('client.crt'), '--key', f('unreadable.key')]
    const r = await run(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, ...args, 'dynsec', 'listRoles'],
      {env: {HOME: dir}},
    )
    expect([r.code, r.stderr.trim()]).toEqual([5, expect.stringMatching(/--key: .*unreadable\.key.*Permission denied/)])
  })

  it('good files still connect (the listener answers; no dynsec plugin there, so exit 4)', async () => {
    const args = [...target(), '--cafile', 'ca.crt', '--cert', 'client.crt', '--key', 'client.key', '--timeout', '1']
    const r = await mqctl([...args, 'dynsec', 'listRoles'], {cwd: dir, env: {HOME: home}})
    expect([r.code, r.stderr]).toEqual([4, expect.stringContaining('no reply from the dynamic-security plugin')])
  })
})
