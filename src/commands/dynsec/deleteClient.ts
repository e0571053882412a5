import {requiredArg} from '../../base/args.js'
import {DynsecCommand} from '../../base/dynsec-command.js'

export default class DeleteClient extends DynsecCommand {
  static override summary = 'Delete a client.'

  static override description =
    'mosquitto_ctrl form: mosquitto_ctrl [connection options] dynsec deleteClient <username>'

  static override examples = ['<%= config.bin %> dynsec deleteClient alice']

  static override args = {
    username: requiredArg('Client username.'),
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(DeleteClient)
    return this.runDynsec('deleteClient', [args.username], flags)
  }
}
