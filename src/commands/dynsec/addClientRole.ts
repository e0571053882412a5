import {optionalArg, requiredArg} from '../../base/args.js'
import {DynsecCommand} from '../../base/dynsec-command.js'

export default class AddClientRole extends DynsecCommand {
  static override summary = 'Give a client a role.'

  static override description =
    'mosquitto_ctrl form: mosquitto_ctrl [connection options] dynsec addClientRole <username> <rolename> [priority]'

  static override examples = ['<%= config.bin %> dynsec addClientRole alice sensors 5']

  static override args = {
    username: requiredArg('Client username.'),
    rolename: requiredArg('Role name.'),
    priority: optionalArg('Priority: higher is checked first (default -1).'),
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(AddClientRole)
    return this.runDynsec('addClientRole', [args.username, args.rolename, args.priority], flags)
  }
}
