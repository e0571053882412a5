import {MqctlCommand} from './command.js'
import {connectionFlags, connectionManual} from './connection-flags.js'
import {connectFromFlags} from './connect.js'
import type {BrokerCommand as BrokerCommandName} from '../lib/broker/control.js'

/** The base of `broker listPlugins|listListeners`: connection flags, one request, mosquitto_ctrl 2.1's text. */
export abstract class BrokerCommand extends MqctlCommand {
  static override baseFlags = {...MqctlCommand.baseFlags, ...connectionFlags}

  static manual = connectionManual

  protected async runBroker(name: BrokerCommandName, flags: Record<string, unknown>): Promise<unknown> {
    const {BROKER_ENDPOINT, runBrokerCommand} = await import('../lib/broker/control.js')
    const {openDynsecSession} = await import('../lib/dynsec/client.js')
    const connection = await connectFromFlags(flags)
    const log = connection.debug ? (line: string) => process.stderr.write(`mqctl: debug: ${line}\n`) : undefined
    const session = await openDynsecSession(connection, {log, endpoint: BROKER_ENDPOINT})
    try {
      const outcome = await runBrokerCommand(session, name)
      if (this.jsonEnabled()) return outcome.data
      for (const line of outcome.lines) this.out(line)
      return undefined
    } finally {
      await session.close()
    }
  }
}
