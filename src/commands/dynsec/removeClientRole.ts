import {requiredArg} from '../../base/args.js'
import {DynsecCommand} from '../../base/dynsec-command.js'

export default class RemoveClientRole extends DynsecCommand {
  static override summary = 'Take a role from a client.'

  static override description =
    'mosquitto_ctrl form: mosquitto_ctrl [connection options] dynsec removeClientRole <username> <rolename>'

  static override examples = ['<%= config.bin %> dynsec removeClientRole alice sensors']

  static override args = {
    username: requiredArg('Client username.'),
    rolename: requiredArg('Role name.'),
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(RemoveClientRole)
    return this.runDynsec('removeClientRole', [args.username, args.rolename], flags)
  }
}
