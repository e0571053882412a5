import {requiredArg} from '../../base/args.js'
import {DynsecCommand} from '../../base/dynsec-command.js'

export default class DeleteGroup extends DynsecCommand {
  static override summary = 'Delete a group.'

  static override description =
    'mosquitto_ctrl form: mosquitto_ctrl [connection options] dynsec deleteGroup <groupname>'

  static override examples = ['<%= config.bin %> dynsec deleteGroup devices']

  static override args = {
    groupname: requiredArg('Group name.'),
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(DeleteGroup)
    return this.runDynsec('deleteGroup', [args.groupname], flags)
  }
}
