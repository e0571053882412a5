import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {findMosquittoTools} from '../helpers/mosquitto-install.js'
import {freePort} from '../helpers/broker.js'
import {isolatedHome, mqctl, run} from '../helpers/cli.js'

// mosquitto_ctrl's argument errors, word for word: the expected texts are those of Mosquitto
// 2.1.2's own test (test/apps/ctrl/ctrl-args.py), and every case is also run through the real
// mosquitto_ctrl 2.0.11 installed here. mqctl exits 2 (usage) where mosquitto_ctrl exits 1 or 10.
const CASES: Array<{args: string[]; text: string; /** why 2.0.11 prints something else */ differs20?: string}> = [
  {args: ['-A'], text: 'Error: -A argument given but no address specified.\n\n'},
  {args: ['--cafile'], text: 'Error: --cafile argument given but no file specified.\n\n'},
  {args: ['--capath'], text: 'Error: --capath argument given but no directory specified.\n\n'},
  {args: ['--cert'], text: 'Error: --cert argument given but no file specified.\n\n'},
  {
    args: ['--cert', 'client.crt'],
    text: 'Error: Both certfile and keyfile must be provided if one of them is set.\n',
  },
  {args: ['--key'], text: 'Error: --key argument given but no file specified.\n\n'},
  {args: ['--ciphers'], text: 'Error: --ciphers argument given but no ciphers specified.\n\n'},
  {args: ['--host'], text: 'Error: -h argument given but no host specified.\n\n'},
  {args: ['-i'], text: 'Error: -i argument given but no id specified.\n\n'},
  {args: ['--keyform'], text: 'Error: --keyform argument given but no keyform specified.\n\n'},
  {
    args: ['--keyform', 'key'],
    text: 'Error: If keyform is set, keyfile must be also specified.\n',
  },
  {args: ['-L'], text: 'Error: -L argument given but no URL specified.\n\n'},
  {args: ['-L', 'invalid://'], text: 'Error: Unsupported URL scheme.\n\n', differs20: '2.0.11 writes "unsupported"'},
  ...['mqtt://localhost', 'mqtts://localhost', 'mqtt://localhost:1883', 'mqtts://u:p@localhost:8883'].map((url) => ({
    args: ['-L', url],
    text: 'Error: Invalid URL for -L argument specified - topic missing.\n',
  })),
  {args: ['-L', 'mqtts://:@localhost/topic'], text: 'Error: Empty username in URL.\n', differs20: 'new in 2.1'},
  {args: ['-L', 'mqtts://localhost:/topic'], text: 'Error: Empty port in URL.\n', differs20: 'new in 2.1'},
  {args: ['-o'], text: 'Error: -o argument given but no options file specified.\n\n'},
  {args: ['-p'], text: 'Error: -p argument given but no port specified.\n\n'},
  {args: ['-p', '-1'], text: 'Error: Invalid port given: -1\n'},
  {args: ['-p', '65536'], text: 'Error: Invalid port given: 65536\n'},
  {args: ['-P'], text: 'Error: -P argument given but no password specified.\n\n'},
  {args: ['--proxy'], text: 'Error: --proxy argument given but no proxy url specified.\n\n'},
  {args: ['--proxy', 'mqtt://localhost'], text: 'Error: Unsupported proxy protocol: mqtt://localhost\n'},
  {args: ['--proxy', 'socks5h://'], text: 'Error: Invalid proxy.\n'},
  {args: ['--proxy', 'socks5h://localhost:0'], text: 'Error: Invalid proxy port 0\n'},
  {args: ['--proxy', 'socks5h://localhost:65536'], text: 'Error: Invalid proxy port 65536\n'},
  // not in 2.1.2's test: the port is read with atoi
  {args: ['--proxy', 'socks5h://localhost:abc'], text: 'Error: Invalid proxy port 0\n'},
  ...['username%@localhost', 'username%41@localhost'].map((url) => ({
    args: ['--proxy', `socks5h://${url}`],
    text: 'Error: Invalid URL encoding in username.\n',
    differs20: '2.0.11 refuses without saying why',
  })),
  ...['username:password%@localhost', 'username:password%41@localhost'].map((url) => ({
    args: ['--proxy', `socks5h://${url}`],
    text: 'Error: Invalid URL encoding in password.\n',
    differs20: '2.0.11 refuses without saying why',
  })),
  {args: ['--psk'], text: 'Error: --psk argument given but no key specified.\n\n'},
  {
    args: ['--psk', 'missing.psk'],
    text: 'Error: --psk-identity required if --psk used.\n',
  },
  {args: ['--psk-identity'], text: 'Error: --psk-identity argument given but no identity specified.\n\n'},
  {
    args: ['--cafile', 'ca.crt', '--psk', 'missing.psk', '--psk-identity', 'identity'],
    text: 'Error: Only one of --psk or --cafile/--capath may be used at once.\n',
  },
  {args: ['-q'], text: 'Error: -q argument given but no QoS specified.\n\n'},
  {args: ['-q', '-1'], text: 'Error: Invalid QoS given: -1\n'},
  {args: ['-q', '3'], text: 'Error: Invalid QoS given: 3\n'},
  {args: ['--tls-alpn'], text: 'Error: --tls-alpn argument given but no protocol specified.\n\n'},
  {args: ['--tls-engine'], text: 'Error: --tls-engine argument given but no engine_id specified.\n\n'},
  {
    args: ['--tls-engine-kpass-sha1'],
    text: 'Error: --tls-engine-kpass-sha1 argument given but no kpass sha1 specified.\n\n',
  },
  {args: ['--tls-version'], text: 'Error: --tls-version argument given but no version specified.\n\n'},
  {args: ['--username'], text: 'Error: -u argument given but no username specified.\n\n'},
  {args: ['--unix'], text: 'Error: --unix argument given but no socket path specified.\n\n'},
  {args: ['-V'], text: 'Error: --protocol-version argument given but no version specified.\n\n'},
  {args: ['-V', '2'], text: 'Error: Invalid protocol version argument given.\n\n'},
  {args: ['-V', '6'], text: 'Error: Invalid protocol version argument given.\n\n'},
  {args: ['--unknown'], text: "Error: Unknown option '--unknown'.\n"},
]

/** 2.0.11 follows a bad option with `Error: Module '<option>' not supported.`; that line is its quirk. */
const without20Quirk = (stderr: string) => stderr.replace(/Error: Module '[^']*' not supported\.\n$/, '')

describe('argument errors in mosquitto_ctrl words', () => {
  it(`prints ${CASES.length} errors as mosquitto_ctrl 2.1.2's tests expect, and as 2.0.11 does`, async () => {
    const tools = findMosquittoTools()
    const home = mkdtempSync(join(tmpdir(), 'mqctl-ctrl-args-'))
    const env = {HOME: home, XDG_CONFIG_HOME: home}
    const results = []
    for (const c of CASES) {
      const [ours, theirs] = await Promise.all([mqctl(c.args, {env}), run(tools.ctrl, c.args, {env})])
      results.push({
        args: c.args.join(' '),
        code: ours.code,
        stderr: ours.stderr,
        ctrl20: without20Quirk(theirs.stderr),
      })
    }

    expect(results.map((r) => [r.args, r.code, r.stderr])).toEqual(CASES.map((c) => [c.args.join(' '), 2, c.text]))
    const vs20 = results.filter((r, i) => !CASES[i].differs20 && r.stderr !== r.ctrl20)
    expect(vs20).toEqual([])
    // the exceptions stay honest: 2.0.11 really prints something else there
    for (const [i, c] of CASES.entries()) if (c.differs20) expect(results[i].ctrl20, c.args.join(' ')).not.toBe(c.text)
  }, 120_000)

  it('never echoes a password given to -p, and names a numeric bad port', async () => {
    const r = await mqctl(['-p', 'adminpw', 'dynsec', 'listRoles'])
    expect([r.code, r.stderr]).toEqual([
      2,
      'Error: Invalid port given: the value is not a number (not shown, in case it is a password)\n',
    ])
    const json = await mqctl(['-p', 's3cret', 'dynsec', 'listRoles', '--json'])
    expect(json.stdout).not.toContain('s3cret')
    expect(JSON.parse(json.stdout).error).toMatchObject({code: 'USAGE_CONNECTION_OPTION', exit: 2})
    const after = await mqctl(['dynsec', 'listRoles', '--port', 'hunter2'])
    expect([after.code, after.stderr]).toEqual([2, expect.not.stringContaining('hunter2')])
  })

  it('reads a URL as mosquitto_ctrl does: the scheme in any case, the topic part required (also as --url)', async () => {
    const home = isolatedHome()
    const port = String(await freePort()) // nothing listens there: accepted options end in exit 3
    for (const url of [`MQTT://127.0.0.1:${port}/t`, `mqtt://127.0.0.1:${port}/`]) {
      const [ours, theirs] = await Promise.all([
        mqctl(['-L', url, '--quiet', 'dynsec', 'listRoles'], {env: {HOME: home}}),
        run(findMosquittoTools().ctrl, ['-L', url, 'dynsec', 'listRoles'], {env: {HOME: home}}),
      ])
      expect([ours.code, theirs.stderr], url).toEqual([3, expect.stringContaining('Connection refused')])
    }

    const r = await mqctl(['dynsec', 'listRoles', '--url', `mqtt://127.0.0.1:${port}`], {env: {HOME: home}})
    expect([r.code, r.stderr]).toEqual([
      2,
      'mqctl: Error: Invalid URL for -L argument specified - topic missing. (from --url)\n',
    ])
  })

  it('refuses the OpenSSL engine options clearly, wherever they come from (exit 2, never ignored)', async () => {
    const home = isolatedHome()
    const why = 'is not supported: OpenSSL engines are not available in Node.'
    const before = await mqctl(['--tls-engine', 'pkcs11', 'dynsec', 'listRoles'], {env: {HOME: home}})
    expect([before.code, before.stderr]).toEqual([2, `Error: --tls-engine ${why}\n`])
    const after = await mqctl(['dynsec', 'listRoles', '--tls-engine-kpass-sha1', 'ab'], {env: {HOME: home}})
    expect([after.code, after.stderr]).toEqual([
      2,
      `mqctl: Error: --tls-engine-kpass-sha1 ${why} (from --tls-engine-kpass-sha1)\n`,
    ])
    const keyform = await mqctl(['dynsec', 'listRoles', '--keyform', 'engine', '--cert', 'c', '--key', 'k'], {
      env: {HOME: home},
    })
    expect([keyform.code, keyform.stderr]).toEqual([2, `mqctl: Error: --keyform engine ${why} (from --keyform)\n`])
    const optionsFile = join(home, 'ctrl-options')
    writeFileSync(optionsFile, '--tls-engine pkcs11\n')
    const fromFile = await mqctl(['-o', optionsFile, 'dynsec', 'listRoles'], {env: {HOME: home}})
    expect([fromFile.code, fromFile.stderr]).toEqual([
      2,
      expect.stringContaining(`ctrl-options:1:1: --tls-engine ${why.slice(0, -1)}`),
    ])
    expect(fromFile.stderr.trim().split('\n')).toHaveLength(1)
  })
})
