import {optionalArg, requiredArg} from '../../base/args.js'
import {DynsecCommand} from '../../base/dynsec-command.js'

export default class SetClientId extends DynsecCommand {
  static override summary = 'Bind a client to one MQTT client id, or remove the binding.'

  static override description =
    'mosquitto_ctrl form: mosquitto_ctrl [connection options] dynsec setClientId <username> [clientid]'

  static override examples = [
    '<%= config.bin %> dynsec setClientId alice alice-sensor',
    '<%= config.bin %> dynsec setClientId alice',
  ]

  static override args = {
    username: requiredArg('Client username.'),
    clientid: optionalArg('MQTT client id the client must use; omit to remove the binding.'),
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(SetClientId)
    return this.runDynsec('setClientId', [args.username, args.clientid], flags)
  }
}
