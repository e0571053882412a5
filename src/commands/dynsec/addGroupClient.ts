import {optionalArg, requiredArg} from '../../base/args.js'
import {DynsecCommand} from '../../base/dynsec-command.js'

export default class AddGroupClient extends DynsecCommand {
  static override summary = 'Add a client to a group.'

  static override description =
    'mosquitto_ctrl form: mosquitto_ctrl [connection options] dynsec addGroupClient <groupname> <username> [priority]'

  static override examples = ['<%= config.bin %> dynsec addGroupClient devices alice 3']

  static override args = {
    groupname: requiredArg('Group name.'),
    username: requiredArg('Client username.'),
    priority: optionalArg('Priority: higher is checked first (default -1).'),
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(AddGroupClient)
    return this.runDynsec('addGroupClient', [args.groupname, args.username, args.priority], flags)
  }
}
