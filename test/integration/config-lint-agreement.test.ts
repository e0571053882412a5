import {execFileSync} from 'node:child_process'
import {chmodSync, mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {lintConf} from '../../src/lib/conf/lint.js'
import {freePort, startRawBroker} from '../helpers/broker.js'
import {mqctl} from '../helpers/cli.js'
import {findMosquittoTools} from '../helpers/mosquitto-install.js'

/**
 * Configs, valid and broken, each started with the real broker: `config lint` must report an
 * error exactly when mosquitto refuses to start. `P` is a free port, `Q` a second one, `D` a
 * directory with good and bad files, `PLUGIN` the dynsec plugin.
 */
const CASES: string[] = [
  'listener P 127.0.0.1\nallow_anonymous true',
  'listener P 127.0.0.1\n# comment\n\nallow_anonymous false',
  'listener P 127.0.0.1\nallow_anonymous true # trailing words are ignored',
  'listener P 127.0.0.1\npersistence false\nlog_type all\nlog_dest stdout',
  'listener P 127.0.0.1\nlog_dest file D/broker.log',
  'listener P 127.0.0.1\nlog_dest syslog\nlog_timestamp true',
  'listener P 127.0.0.1\nmax_connections abc',
  'listener P 127.0.0.1\nmax_inflight_messages 10\nmax_queued_messages 100',
  'per_listener_settings true\nlistener P 127.0.0.1\nallow_anonymous true',
  'listener P 127.0.0.1\nlistener Q 127.0.0.1\nallow_anonymous true',
  'listener P 127.0.0.1\npassword_file D/passwd',
  'listener P 127.0.0.1\nacl_file D/acl-good',
  'listener P 127.0.0.1\nacl_file D/acl-warn',
  'listener P 127.0.0.1\nplugin PLUGIN\nplugin_opt_config_file D/dynsec.json',
  'listener P 127.0.0.1\ncafile D/ca.crt\ncertfile D/server.crt\nkeyfile D/server.key',
  'listener P 127.0.0.1\ncafile D/ca.crt\ncertfile D/server.crt\nkeyfile D/server.key\ntls_version tlsv1.2',
  'listener P 127.0.0.1\ninclude_dir D/conf.d-good',
  'listener P 127.0.0.1\nprotocol mqtt',
  'listener P 127.0.0.1\nsys_interval 10\nmessage_size_limit 0',
  'listener P 127.0.0.1\nconnection_messages true\nallow_zero_length_clientid true',
  'listener 0 D/mqtt.sock\nlistener P 127.0.0.1',
  'listener P 127.0.0.1\npassword_file D/passwd\nacl_file D/acl-good\nallow_anonymous false',
  'listener P 127.0.0.1\nauto_id_prefix abc-',
  'listener P 127.0.0.1\nset_tcp_nodelay true\nupgrade_outgoing_qos false',
  'listener P 127.0.0.1\nmax_keepalive 60',
  // Broken: mosquitto refuses each one.
  'listener P 127.0.0.1\nbogus_option 1',
  'listener P 127.0.0.1\n\tallow_anonymous true',
  'listener P 127.0.0.1\n  # indented comment',
  'listener P 127.0.0.1\nallow_anonymous maybe',
  'listener P 127.0.0.1\nallow_anonymous',
  'listener P 127.0.0.1\npersistence yes',
  'listener 70000 127.0.0.1',
  'listener -1',
  'listener 0',
  'listener P 127.0.0.1\nallow_anonymous true\nper_listener_settings true',
  'listener P 127.0.0.1\npassword_file D/passwd\npassword_file D/passwd',
  'listener P 127.0.0.1\npassword_file D/missing',
  'listener P 127.0.0.1\nacl_file D/missing',
  'listener P 127.0.0.1\nacl_file D/acl-bad',
  'listener P 127.0.0.1\nplugin D/missing.so',
  'listener P 127.0.0.1\nplugin D/not-a-library.so',
  'listener P 127.0.0.1\nplugin D/plugin-dir',
  // 2.0.11 waits on the FIFO at "Loading plugin" and never listens; lint must answer at once.
  'listener P 127.0.0.1\nplugin D/plugin-fifo',
  'listener P 127.0.0.1\nplugin_opt_config_file x',
  'listener P 127.0.0.1\nauth_opt_x y',
  'listener P 127.0.0.1\nprotocol carrier-pigeon',
  'listener P 127.0.0.1\nlog_dest bogus',
  'listener P 127.0.0.1\ncafile D/ca.crt\ncertfile D/missing.crt\nkeyfile D/server.key',
  'listener P 127.0.0.1\ncafile D/ca.crt\ncertfile D/server.crt\nkeyfile D/other.key',
  'listener P 127.0.0.1\ncafile D/not-pem.crt\ncertfile D/server.crt\nkeyfile D/server.key',
  'listener P 127.0.0.1\ncertfile D/not-pem.crt\nkeyfile D/server.key',
  'listener P 127.0.0.1\ncafile D/ca.crt\ncertfile D/server.crt\nkeyfile D/server.key\npsk_hint hint',
  'listener P 127.0.0.1\npsk_hint hint\ncafile D/ca.crt\ncertfile D/server.crt\nkeyfile D/server.key',
  'listener P 127.0.0.1\ncertfile D/server.crt\npsk_hint hint\nkeyfile D/server.key',
  'listener P 127.0.0.1\nkeyfile D/server.key\npsk_hint hint\ncertfile D/server.crt',
  'listener P:junk 127.0.0.1',
  'port 0',
  'port abc',
  // NOROOT: without the "user root" line, so a broker started as root switches to user mosquitto
  'NOROOT\nlistener P 127.0.0.1\ncafile D/ca.crt\ncertfile D/server.crt\nkeyfile D/server.key',
  'NOROOT\nlistener P 127.0.0.1\npassword_file D/passwd',
  'NOROOT\nlistener P 127.0.0.1\nacl_file D/acl-good',
  'NOROOT\nuser no-such-user-here\nlistener P 127.0.0.1',
  'listener -1 127.0.0.1',
  'listener P 127.0.0.1\ninclude_dir D/missing-dir',
  'listener P 127.0.0.1\ninclude_dir D/conf.d-bad',
  'listener P 127.0.0.1\nlistener P 127.0.0.1',
  'listener P 127.0.0.1\npid_file D/a.pid\npid_file D/b.pid',
  // issue 9: options the old table called unknown, which 2.0.11 accepts
  'listener P 127.0.0.1\nretained_persistence false',
  'listener P 127.0.0.1\nretry_interval 20',
  'listener P 127.0.0.1\nmaximum_qos 1',
  'listener P 127.0.0.1\nconnection b\naddress 127.0.0.1:Q\ntopic a/# both 0\nusername u\npassword p\nbridge_alpn mqtt',
  // issue 9: values the old table accepted, which 2.0.11 refuses
  'listener P 127.0.0.1\nmax_keepalive 5',
  'listener P 127.0.0.1\nmax_keepalive 65536',
  'listener P 127.0.0.1\nmax_packet_size 19',
  'listener P 127.0.0.1\nmax_qos 3',
  'listener P 127.0.0.1\nmessage_size_limit 268435456',
  'listener P 127.0.0.1\nlog_type bogus',
  'listener P 127.0.0.1\ntopic a/# both 0',
  'listener P 127.0.0.1\nconnection b\ntopic a/# both 0',
  'listener P 127.0.0.1\nconnection b\naddress 127.0.0.1:Q',
  'listener P 127.0.0.1\nconnection b\naddress 127.0.0.1:Q\ntopic a/# sideways 0',
  'listener P 127.0.0.1\nallow_anonymous true\t',
  'listener P 127.0.0.1\nbridge_ciphers HIGH',
  'listener P 127.0.0.1\nprotocol websockets',
  'listener P 127.0.0.1\nlistener Q 127.0.0.1\nprotocol websockets',
]

describe('config lint agrees with the broker', () => {
  it(`on ${CASES.length} configs`, async () => {
    expect(CASES.length).toBeGreaterThanOrEqual(50)
    const tools = findMosquittoTools()
    const d = mkdtempSync(join(tmpdir(), 'mqctl-conf-it-'))
    chmodSync(d, 0o755)
    await mqctl(['passwd', '-c', '-b', join(d, 'passwd'), 'alice', 'pw'])
    writeFileSync(join(d, 'acl-good'), 'user alice\ntopic readwrite alice/#\n')
    writeFileSync(join(d, 'acl-warn'), 'topic read\n')
    writeFileSync(join(d, 'acl-bad'), 'topic read a/#/b\n')
    writeFileSync(join(d, 'not-a-library.so'), 'hello')
    mkdirSync(join(d, 'plugin-dir'))
    execFileSync('mkfifo', [join(d, 'plugin-fifo')])
    writeFileSync(join(d, 'not-pem.crt'), 'not a certificate\n')
    await mqctl(['dynsec', 'init', join(d, 'dynsec.json'), 'admin', 'pw'])
    await mqctl(['cert', 'ca', '--out', d])
    await mqctl(['cert', 'server', '--ca', d, '--host', 'localhost', '--ip', '127.0.0.1', '--out', d])
    await mqctl(['cert', 'client', '--ca', d, '--cn', 'x', '--out', join(d, 'other')])
    writeFileSync(join(d, 'other.key'), (await import('node:fs')).readFileSync(join(d, 'other', 'client.key')))
    mkdirSync(join(d, 'conf.d-good'))
    writeFileSync(join(d, 'conf.d-good', 'a.conf'), 'allow_anonymous true\n')
    mkdirSync(join(d, 'conf.d-bad'))
    writeFileSync(join(d, 'conf.d-bad', 'a.conf'), 'no_such_option 1\n')

    const disagreements: string[] = []
    for (const [i, template] of CASES.entries()) {
      const port = await freePort()
      const q = await freePort()
      const noRoot = template.startsWith('NOROOT\n')
      const body = template
        .replace(/^NOROOT\n/, '')
        .replaceAll(/\bP\b/g, String(port))
        .replaceAll(/\bQ\b/g, String(q))
        .replaceAll('D/', `${d}/`)
        .replaceAll('PLUGIN', tools.dynsecPlugin)
      const dir = mkdtempSync(join(tmpdir(), 'mqctl-conf-case-'))
      const confPath = join(dir, 'mosquitto.conf')
      // As root the broker would drop to user mosquitto before opening the files (NOROOT cases test that).
      const lines = [...(process.getuid?.() === 0 && !noRoot ? ['user root'] : []), ...body.split('\n')]
      writeFileSync(confPath, lines.join('\n') + '\n')
      const started = await startRawBroker(lines, {port, dir})
      const refused = started.broker === undefined
      const errors = (await lintConf(confPath)).filter((f) => f.severity === 'error')
      await started.broker?.stop()
      if (refused !== errors.length > 0) {
        disagreements.push(
          `#${i} ${JSON.stringify(template)}: broker ${refused ? `refused (${started.log.trim().split('\n').slice(-2).join(' | ')})` : 'started'}; lint: ${errors.map((e) => e.message).join('; ') || 'no errors'}`,
        )
      }
    }

    expect(disagreements).toEqual([])
  })
})
