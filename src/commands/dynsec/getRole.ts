import {requiredArg} from '../../base/args.js'
import {DynsecCommand} from '../../base/dynsec-command.js'

export default class GetRole extends DynsecCommand {
  static override summary = 'Show a role and its ACLs.'

  static override description = 'mosquitto_ctrl form: mosquitto_ctrl [connection options] dynsec getRole <rolename>'

  static override examples = ['<%= config.bin %> dynsec getRole sensors']

  static override args = {
    rolename: requiredArg('Role name.'),
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(GetRole)
    return this.runDynsec('getRole', [args.rolename], flags)
  }
}
