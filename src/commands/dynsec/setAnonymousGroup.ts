import {requiredArg} from '../../base/args.js'
import {DynsecCommand} from '../../base/dynsec-command.js'

export default class SetAnonymousGroup extends DynsecCommand {
  static override summary = 'Choose the group whose roles apply to clients without a username.'

  static override description =
    'mosquitto_ctrl form: mosquitto_ctrl [connection options] dynsec setAnonymousGroup <groupname>'

  static override examples = ['<%= config.bin %> dynsec setAnonymousGroup guests']

  static override args = {
    groupname: requiredArg('Group name.'),
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(SetAnonymousGroup)
    return this.runDynsec('setAnonymousGroup', [args.groupname], flags)
  }
}
