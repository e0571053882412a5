import {createGroupFlags} from '../../base/dynsec-flags.js'
import {requiredArg} from '../../base/args.js'
import {DynsecCommand} from '../../base/dynsec-command.js'

export default class CreateGroup extends DynsecCommand {
  static override summary = 'Create a group.'

  static override description =
    'mosquitto_ctrl form: mosquitto_ctrl [connection options] dynsec createGroup <groupname>'

  static override examples = ['<%= config.bin %> dynsec createGroup devices']

  static override args = {
    groupname: requiredArg('Group name.'),
  }

  static override flags = createGroupFlags

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(CreateGroup)
    return this.runDynsec('createGroup', [args.groupname], flags, await this.extras('createGroup', flags))
  }
}
