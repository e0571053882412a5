import {requiredArg} from '../../base/args.js'
import {DynsecCommand} from '../../base/dynsec-command.js'

export default class EnableClient extends DynsecCommand {
  static override summary = 'Allow a disabled client to log in again.'

  static override description =
    'mosquitto_ctrl form: mosquitto_ctrl [connection options] dynsec enableClient <username>'

  static override examples = ['<%= config.bin %> dynsec enableClient alice']

  static override args = {
    username: requiredArg('Client username.'),
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(EnableClient)
    return this.runDynsec('enableClient', [args.username], flags)
  }
}
