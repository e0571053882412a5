import {requiredArg} from '../../base/args.js'
import {DynsecCommand} from '../../base/dynsec-command.js'

export default class DisableClient extends DynsecCommand {
  static override summary = 'Stop a client from logging in (and disconnect it).'

  static override description =
    'mosquitto_ctrl form: mosquitto_ctrl [connection options] dynsec disableClient <username>'

  static override examples = ['<%= config.bin %> dynsec disableClient alice']

  static override args = {
    username: requiredArg('Client username.'),
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(DisableClient)
    return this.runDynsec('disableClient', [args.username], flags)
  }
}
