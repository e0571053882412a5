import {requiredArg} from '../../base/args.js'
import {DynsecCommand, layoutFlags} from '../../base/dynsec-command.js'

export default class GetClient extends DynsecCommand {
  static override summary = 'Show a client.'

  static override description = 'mosquitto_ctrl form: mosquitto_ctrl [connection options] dynsec getClient <username>'

  static override examples = [
    '<%= config.bin %> dynsec getClient alice',
    '<%= config.bin %> dynsec getClient alice --layout auto',
  ]

  static override flags = layoutFlags

  static override args = {
    username: requiredArg('Client username.'),
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(GetClient)
    return this.runDynsec('getClient', [args.username], flags)
  }
}
