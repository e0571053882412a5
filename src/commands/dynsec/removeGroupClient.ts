import {requiredArg} from '../../base/args.js'
import {DynsecCommand} from '../../base/dynsec-command.js'

export default class RemoveGroupClient extends DynsecCommand {
  static override summary = 'Remove a client from a group.'

  static override description =
    'mosquitto_ctrl form: mosquitto_ctrl [connection options] dynsec removeGroupClient <groupname> <username>'

  static override examples = ['<%= config.bin %> dynsec removeGroupClient devices alice']

  static override args = {
    groupname: requiredArg('Group name.'),
    username: requiredArg('Client username.'),
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(RemoveGroupClient)
    return this.runDynsec('removeGroupClient', [args.groupname, args.username], flags)
  }
}
