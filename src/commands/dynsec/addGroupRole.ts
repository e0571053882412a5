import {optionalArg, requiredArg} from '../../base/args.js'
import {DynsecCommand} from '../../base/dynsec-command.js'

export default class AddGroupRole extends DynsecCommand {
  static override summary = 'Give a group a role.'

  static override description =
    'mosquitto_ctrl form: mosquitto_ctrl [connection options] dynsec addGroupRole <groupname> <rolename> [priority]'

  static override examples = ['<%= config.bin %> dynsec addGroupRole devices sensors']

  static override args = {
    groupname: requiredArg('Group name.'),
    rolename: requiredArg('Role name.'),
    priority: optionalArg('Priority: higher is checked first (default -1).'),
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(AddGroupRole)
    return this.runDynsec('addGroupRole', [args.groupname, args.rolename, args.priority], flags)
  }
}
