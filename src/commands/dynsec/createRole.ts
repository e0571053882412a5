import {createRoleFlags} from '../../base/dynsec-flags.js'
import {requiredArg} from '../../base/args.js'
import {DynsecCommand} from '../../base/dynsec-command.js'

export default class CreateRole extends DynsecCommand {
  static override summary = 'Create a role.'

  static override description = 'mosquitto_ctrl form: mosquitto_ctrl [connection options] dynsec createRole <rolename>'

  static override examples = ['<%= config.bin %> dynsec createRole sensors']

  static override args = {
    rolename: requiredArg('Role name.'),
  }

  static override flags = createRoleFlags

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(CreateRole)
    return this.runDynsec('createRole', [args.rolename], flags, await this.extras('createRole', flags))
  }
}
