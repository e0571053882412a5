import {readFileSync, readdirSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import {describe, expect, it} from 'vitest'

import {BrokerCommand, brokerCommand} from '../../src/base/broker-command.js'
import {BROKER_COMMANDS} from '../../src/lib/broker/control.js'

const dir = fileURLToPath(new URL('../../src/commands/broker/', import.meta.url))

describe('brokerCommand', () => {
  it('makes each class from lib/broker/control.ts: summary, description and examples by name', () => {
    const cls = brokerCommand('listListeners')
    expect(cls.prototype).toBeInstanceOf(BrokerCommand)
    expect(cls.name).toBe('ListListeners')
    expect(cls.summary).toBe(
      "List the broker's listeners: port, protocol, socket path, bind address and TLS (mosquitto 2.1).",
    )
    expect(cls.description).toMatch(
      /^mosquitto_ctrl 2\.1 form: mosquitto_ctrl \[connection options\] broker listListeners\n/,
    )
    expect(cls.description).toContain('Sends {"command":"listListeners"} to $CONTROL/broker/v1')
    expect(cls.examples).toEqual([
      '<%= config.bin %> broker listListeners -h broker.example -u admin',
      '<%= config.bin %> broker listListeners --json',
    ])
    expect(Object.keys(cls.baseFlags)).toContain('host')
  })

  it('refuses a name that is not a broker command', () => {
    expect(() => brokerCommand('listNothing' as 'listPlugins')).toThrow('not a broker command')
  })

  it('every broker command has a one-line leaf file, and every leaf is a broker command', () => {
    const leaves = readdirSync(dir).map((f) => f.replace(/\.ts$/, ''))
    expect(leaves.sort()).toEqual(BROKER_COMMANDS.map((c) => c.name).sort())
    for (const name of leaves) {
      expect(readFileSync(`${dir}${name}.ts`, 'utf8')).toContain(`export default brokerCommand('${name}')`)
    }
  })
})
