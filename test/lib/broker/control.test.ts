import {describe, expect, it} from 'vitest'

import {formatListeners, formatPlugins, runBrokerCommand} from '../../../src/lib/broker/control.js'

// Replies as mosquitto 2.1.2's src/broker_control.c builds them (key names and types), and the
// text its own test expects (test/apps/ctrl/ctrl-broker.py). No 2.1 broker is packaged here, so
// the happy path is tested against these recorded shapes; the 2.0 behaviour is in
// test/integration/shell.test.ts against the real 2.0.11 broker.
const listeners = {
  listeners: [
    {port: 1883, protocol: 'mqtt', tls: false},
    {port: 8883, protocol: 'mqtt', tls: true},
  ],
}
const plugins = {plugins: [{name: 'dynamic-security', 'control-endpoints': ['$CONTROL/dynamic-security/v1']}]}

// Captured on 2026-12-01 from a real mosquitto 2.1.2 broker built by hand (enable_control_api
// true, two listeners with a bind address, the dynamic-security plugin): the reply payload read
// with mosquitto_rr, and the text mosquitto_ctrl 2.1.2 printed for it.
const CAPTURED_2_1_2 = {
  reply:
    '{"responses":[{"command":"listListeners","data":{"listeners":[{"port":27891,"protocol":"mqtt","bind-address":"127.0.0.1","tls":false},{"port":27892,"protocol":"mqtt","bind-address":"127.0.0.1","tls":false}]}},{"command":"listPlugins","data":{"plugins":[{"name":"dynamic-security","control-endpoints":["$CONTROL/dynamic-security/v1"]}]}}]}',
  listListeners:
    'Listener 1:\n  Port:              27891\n  Protocol:          mqtt\n  Bind address:      127.0.0.1\n  TLS:               false\n\nListener 2:\n  Port:              27892\n  Protocol:          mqtt\n  Bind address:      127.0.0.1\n  TLS:               false\n\n',
  listPlugins: 'Plugin:            dynamic-security\nControl endpoints: $CONTROL/dynamic-security/v1\n',
}

describe('broker listListeners / listPlugins text', () => {
  it("is what mosquitto_ctrl 2.1.2 printed for a real 2.1.2 broker's reply", () => {
    const [listenersReply, pluginsReply] = (JSON.parse(CAPTURED_2_1_2.reply) as {responses: Array<{data: object}>})
      .responses
    expect(formatListeners(listenersReply.data).join('\n') + '\n').toBe(CAPTURED_2_1_2.listListeners)
    expect(formatPlugins(pluginsReply.data).join('\n') + '\n').toBe(CAPTURED_2_1_2.listPlugins)
  })

  it("is mosquitto_ctrl 2.1's", () => {
    expect(formatListeners(listeners).join('\n') + '\n').toBe(
      'Listener 1:\n  Port:              1883\n  Protocol:          mqtt\n  TLS:               false\n\nListener 2:\n  Port:              8883\n  Protocol:          mqtt\n  TLS:               true\n\n',
    )
    expect(formatPlugins(plugins).join('\n') + '\n').toBe(
      'Plugin:            dynamic-security\nControl endpoints: $CONTROL/dynamic-security/v1\n',
    )
  })

  it('prints the optional lines and continuation endpoints', () => {
    expect(
      formatListeners({
        listeners: [{port: 0, protocol: 'mqtt', 'socket-path': '/run/m.sock', 'bind-address': '127.0.0.1', tls: false}],
      }),
    ).toEqual([
      'Listener 1:',
      '  Port:              0',
      '  Protocol:          mqtt',
      '  Socket path:       /run/m.sock',
      '  Bind address:      127.0.0.1',
      '  TLS:               false',
      '',
    ])
    expect(formatPlugins({plugins: [{name: 'p', version: '1.2', 'control-endpoints': ['a', 7, 'b']}]})).toEqual([
      'Plugin:            p',
      'Version:           1.2',
      'Control endpoints: a',
      '                   b',
    ])
  })

  it('refuses malformed replies as mosquitto_ctrl does', () => {
    expect(() => formatListeners({})).toThrow('Error: Invalid response from server.')
    expect(() => formatPlugins({plugins: [{version: '1'}]})).toThrow('Error: Invalid response from server.')
  })

  it('sends one command and reports an error reply with 2.1 wording', async () => {
    const sent: unknown[] = []
    const session = {
      send: async (commands: readonly unknown[]) => {
        sent.push(...commands)
        return [{command: 'listPlugins', data: plugins}]
      },
    }
    expect((await runBrokerCommand(session, 'listPlugins')).lines[0]).toBe('Plugin:            dynamic-security')
    expect(sent).toEqual([{command: 'listPlugins'}])
    const failing = {send: async () => [{command: 'listListeners', error: 'Internal error'}]}
    await expect(runBrokerCommand(failing, 'listListeners')).rejects.toMatchObject({
      verbatim: 'listListeners: Error: Internal error.',
      exit: 1,
    })
  })
})
