import {MqctlCommand} from './command.js'
import {connectionFlags, connectionManual} from './connection-flags.js'
import {connectFromFlags} from './connect.js'
import {BROKER_COMMANDS, type BrokerCommand as BrokerCommandName} from '../lib/broker/control.js'

/** The base of `broker listPlugins|listListeners`: connection flags, one request, mosquitto_ctrl 2.1's text. */
export abstract class BrokerCommand extends MqctlCommand {
  static override baseFlags = {...MqctlCommand.baseFlags, ...connectionFlags}

  static manual = connectionManual

  protected async runBroker(name: BrokerCommandName, flags: Record<string, unknown>): Promise<unknown> {
    const {BROKER_ENDPOINT, runBrokerCommand} = await import('../lib/broker/control.js')
    const {openDynsecSession} = await import('../lib/dynsec/client.js')
    const connection = await connectFromFlags(flags, this.io)
    const log = connection.debug ? (line: string) => this.io.debug(line) : undefined
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

/**
 * Makes the oclif command class of one broker command (the files in src/commands/broker are
 * `export default brokerCommand('listPlugins')`): its summary from lib/broker/control.ts, the
 * description and examples from its name.
 */
export function brokerCommand(name: BrokerCommandName): typeof BrokerCommand {
  const found = BROKER_COMMANDS.find((c) => c.name === name)
  if (!found) throw new Error(`brokerCommand: "${name}" is not a broker command`)
  const spec = found
  const command = class extends BrokerCommand {
    static override summary = spec.commandSummary

    static override description = `mosquitto_ctrl 2.1 form: mosquitto_ctrl [connection options] broker ${name}

Sends {"command":"${name}"} to $CONTROL/broker/v1 and prints the reply from $CONTROL/broker/v1/response in mosquitto_ctrl 2.1's layout (or the reply's data with --json). The broker must be mosquitto 2.1 or later with "enable_control_api true", and the user needs access to $CONTROL/broker/#. A 2.0 broker has no such API and never answers: mqctl gives up after --timeout with exit 4.`

    static override examples = [
      `<%= config.bin %> broker ${name} -h broker.example -u admin`,
      `<%= config.bin %> broker ${name} --json`,
    ]

    async run(): Promise<unknown> {
      const {flags} = await this.parse(command)
      return this.runBroker(name, flags)
    }
  }
  Object.defineProperty(command, 'name', {value: name[0].toUpperCase() + name.slice(1)})
  return command
}
