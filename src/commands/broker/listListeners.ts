import {BrokerCommand} from '../../base/broker-command.js'

export default class ListListeners extends BrokerCommand {
  static override summary =
    "List the broker's listeners: port, protocol, socket path, bind address and TLS (mosquitto 2.1)."

  static override description = `mosquitto_ctrl 2.1 form: mosquitto_ctrl [connection options] broker listListeners

Sends {"command":"listListeners"} to $CONTROL/broker/v1 and prints the reply from $CONTROL/broker/v1/response in mosquitto_ctrl 2.1's layout (or the reply's data with --json). The broker must be mosquitto 2.1 or later with "enable_control_api true", and the user needs access to $CONTROL/broker/#. A 2.0 broker has no such API and never answers: mqctl gives up after --timeout with exit 4.`

  static override examples = [
    '<%= config.bin %> broker listListeners -h broker.example -u admin',
    '<%= config.bin %> broker listListeners --json',
  ]

  async run(): Promise<unknown> {
    const {flags} = await this.parse(ListListeners)
    return this.runBroker('listListeners', flags)
  }
}
