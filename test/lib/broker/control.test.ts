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

describe('broker listListeners / listPlugins text', () => {
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
