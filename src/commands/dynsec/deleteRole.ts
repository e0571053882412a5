import {requiredArg} from '../../base/args.js'
import {DynsecCommand} from '../../base/dynsec-command.js'

export default class DeleteRole extends DynsecCommand {
  static override summary = 'Delete a role.'

  static override description = 'mosquitto_ctrl form: mosquitto_ctrl [connection options] dynsec deleteRole <rolename>'

  static override examples = ['<%= config.bin %> dynsec deleteRole sensors']

  static override args = {
    rolename: requiredArg('Role name.'),
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(DeleteRole)
    return this.runDynsec('deleteRole', [args.rolename], flags)
  }
}
