import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {atoi} from '../../../src/lib/conf/check.js'
import {lintConf} from '../../../src/lib/conf/lint.js'
import type {Version} from '../../../src/lib/conf/options.js'
import {tempDirs} from '../../helpers/temp-dirs.js'

const {fresh} = tempDirs('conf-check')
const errors = async (text: string, target: Version = '2.0') => {
  const file = join(fresh(), 'mosquitto.conf')
  writeFileSync(file, text)
  return (await lintConf(file, {fileChecks: false, target}))
    .filter((f) => f.severity === 'error')
    .map((f) => `${f.line}:${f.rule}`)
}

const L = 'listener 1884 127.0.0.1\n'

// The 2.0 verdicts below were each observed on the real 2.0.11 broker (test/integration/
// config-lint-agreement.test.ts replays them); the 2.1 ones come from v2.1.2's src/conf.c.
describe('the option table, as the broker reads it', () => {
  it('accepts what 2.0.11 accepts and the old table called unknown (issue 9 §2)', async () => {
    expect(await errors(`${L}retained_persistence true\n`)).toEqual([])
    expect(await errors(`${L}retry_interval 20\n`)).toEqual([])
    expect(await errors(`${L}maximum_qos 1\n`)).toEqual([])
    const bridge = 'connection b\naddress 127.0.0.1:1885\ntopic a/# both 0\n'
    expect(await errors(`${L}${bridge}username u\npassword p\nbridge_alpn mqtt\n`)).toEqual([])
  })

  it('warns as the broker does for retry_interval', async () => {
    const file = join(fresh(), 'mosquitto.conf')
    writeFileSync(file, `${L}retry_interval 20\n`)
    const f = await lintConf(file, {fileChecks: false})
    expect(f.map((x) => x.message)).toContain('Warning: The retry_interval option is no longer available.')
  })

  it('accepts the 2.1.2 options, and 2.0 calls them unknown', async () => {
    const globals = ['packet_buffer_size 4096', 'retain_expiry_interval 10']
    const listener = [
      'max_topic_alias_broker 10',
      'enable_proxy_protocol 1',
      'proxy_protocol_v2_require_tls true',
      'websockets_origin example.com',
      'disable_client_cert_date_checks true',
    ]
    const bridge = [
      'bridge_max_topic_alias 5',
      'bridge_receive_maximum 10',
      'bridge_reload_type immediate',
      'bridge_session_expiry_interval 60',
      'bridge_tcp_keepalive 10 5 3',
      'bridge_tcp_user_timeout 1000',
      'bridge_tls_use_os_certs true',
    ]
    const text = [
      ...globals,
      'listener 1884 127.0.0.1',
      ...listener,
      'connection b',
      'address 127.0.0.1:1885',
      'topic a/# both 0',
      ...bridge,
    ].join('\n')
    expect(await errors(text + '\n', '2.1')).toEqual([])
    const on20 = await errors(text + '\n', '2.0')
    expect(on20.filter((f) => f.endsWith('conf/unknown-option'))).toHaveLength(14)
  })

  it('refuses accept_protocol_versions before any listener in 2.1', async () => {
    expect(await errors('accept_protocol_versions 4,5\nlistener 1884\n', '2.1')).toEqual(['1:conf/needs-listener'])
    expect(await errors('listener 1884\naccept_protocol_versions 4,5\n', '2.1')).toEqual([])
    expect(await errors('port 1884\naccept_protocol_versions 5\n', '2.1')).toEqual(['2:conf/needs-listener'])
  })

  it('refuses out-of-range values and bogus words as 2.0.11 does', async () => {
    expect(await errors(`${L}max_keepalive 5\n`)).toEqual(['2:conf/invalid-value'])
    expect(await errors(`${L}max_keepalive 5\n`, '2.1')).toEqual([])
    expect(await errors(`${L}max_keepalive 65536\n`)).toEqual(['2:conf/invalid-value'])
    expect(await errors(`${L}max_packet_size 19\n`)).toEqual(['2:conf/invalid-value'])
    expect(await errors(`${L}max_packet_size 20\n`)).toEqual([])
    expect(await errors(`${L}max_qos 3\n`)).toEqual(['2:conf/invalid-value'])
    expect(await errors(`${L}message_size_limit 268435456\n`)).toEqual(['2:conf/invalid-value'])
    expect(await errors(`${L}message_size_limit -1\n`)).toEqual(['2:conf/invalid-value'])
    expect(await errors(`${L}log_type bogus\n`)).toEqual(['2:conf/invalid-value'])
    // 2.0 reports an empty log_type and starts anyway; 2.1 stops.
    expect(await errors(`${L}log_type\n`)).toEqual([])
    expect(await errors(`${L}log_type\n`, '2.1')).toEqual(['2:conf/empty-value'])
  })

  it('reads words split on spaces only: a tab after a boolean makes it invalid', async () => {
    expect(await errors(`${L}allow_anonymous true\t\n`)).toEqual(['2:conf/invalid-value'])
    expect(await errors(`${L}allow_anonymous true # comment\n`)).toEqual([])
    // string values are trimmed, but a tab inside is a control character: Malformed UTF-8
    expect(await errors(`${L}auto_id_prefix a\tb\n`)).toEqual(['2:conf/invalid-value'])
    expect(await errors(`${L}auto_id_prefix ab\t\n`)).toEqual([])
  })

  it('refuses broken bridge sections', async () => {
    expect(await errors(`${L}topic a/# both 0\n`)).toEqual(['2:conf/bridge'])
    expect(await errors(`${L}connection b\ntopic a/# both 0\n`)).toEqual(['2:conf/bridge'])
    expect(await errors(`${L}connection b\naddress 127.0.0.1\n`)).toEqual(['2:conf/bridge'])
    expect(await errors(`${L}connection b\naddress h:70000\ntopic a\n`)).toContain('3:conf/invalid-value')
    expect(await errors(`${L}connection b\naddress h\ntopic a sideways\n`)).toContain('4:conf/invalid-value')
    expect(await errors(`${L}connection b\naddress h\ntopic a in 3\n`)).toContain('4:conf/invalid-value')
    expect(await errors(`${L}connection b\naddress h\ntopic a in 256\n`)).toEqual([])
    expect(await errors(`${L}connection b\naddress h\ntopic a\nconnection b\n`)).toContain('5:conf/invalid-value')
    expect(await errors(`${L}connection b\naddress h\ntopic a\nbridge_psk 00\n`)).toEqual(['2:conf/bridge'])
  })

  it('judges duplicates per version: 2.0 refuses a second acl_file, 2.1 takes the last', async () => {
    expect(await errors(`${L}acl_file /a\nacl_file /b\n`)).toEqual(['3:conf/duplicate'])
    expect(await errors(`${L}acl_file /a\nacl_file /b\n`, '2.1')).toEqual([])
    expect(await errors(`${L}connection b\naddress h\ntopic a\nclientid x\nremote_clientid y\n`)).toEqual([
      '6:conf/duplicate',
    ])
  })

  it('keeps per_listener_settings first, counting check_retain_source in 2.0 only', async () => {
    expect(await errors('allow_anonymous true\nper_listener_settings true\n')).toEqual(['2:conf/per-listener-order'])
    expect(await errors('allow_anonymous true\nper_listener_settings false\n')).toEqual([])
    expect(await errors('check_retain_source true\nper_listener_settings true\n')).toEqual([
      '2:conf/per-listener-order',
    ])
    expect(await errors('check_retain_source true\nper_listener_settings true\n', '2.1')).toEqual([])
  })

  it('attaches plugin options to a plugin of the same file and wants 3-character keys', async () => {
    expect(await errors(`${L}plugin_opt_abc x\n`)).toEqual(['2:conf/plugin-option-without-plugin'])
    expect(await errors(`${L}plugin /p.so\nplugin_opt_ab x\n`)).toEqual(['3:conf/invalid-value'])
    expect(await errors(`${L}plugin /p.so\nplugin_opt_abc\n`)).toEqual(['3:conf/empty-value'])
    expect(await errors(`${L}plugin /p.so\nplugin_opt_abc x\n`)).toEqual([])
  })

  it('needs an MQTT listener in 2.0 (websockets-only configs do not start)', async () => {
    expect(await errors('listener 1884\nprotocol websockets\n')).toEqual(['1:conf/listener'])
    expect(await errors('listener 1884\nlistener 1885\nprotocol websockets\n')).toEqual([])
  })

  it('reads ints as atoi does, with strtol saturation', () => {
    expect(atoi('12abc')).toBe(12)
    expect(atoi('abc')).toBe(0)
    expect(atoi('-7')).toBe(-7)
    // strtol's long, then the low 32 bits of an int
    expect(atoi('99999999999')).toBe(1_215_752_191)
    expect(atoi('99999999999999999999')).toBe(-1)
    expect(atoi('4294967296')).toBe(0)
  })
})
