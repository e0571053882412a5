import {requiredArg} from '../../base/args.js'
import {DynsecCommand} from '../../base/dynsec-command.js'

export default class RemoveGroupRole extends DynsecCommand {
  static override summary = 'Take a role from a group.'

  static override description =
    'mosquitto_ctrl form: mosquitto_ctrl [connection options] dynsec removeGroupRole <groupname> <rolename>'

  static override examples = ['<%= config.bin %> dynsec removeGroupRole devices sensors']

  static override args = {
    groupname: requiredArg('Group name.'),
    rolename: requiredArg('Role name.'),
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(RemoveGroupRole)
    return this.runDynsec('removeGroupRole', [args.groupname, args.rolename], flags)
  }
}
