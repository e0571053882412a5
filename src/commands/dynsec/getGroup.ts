import {requiredArg} from '../../base/args.js'
import {DynsecCommand} from '../../base/dynsec-command.js'

export default class GetGroup extends DynsecCommand {
  static override summary = 'Show a group.'

  static override description = 'mosquitto_ctrl form: mosquitto_ctrl [connection options] dynsec getGroup <groupname>'

  static override examples = ['<%= config.bin %> dynsec getGroup devices']

  static override args = {
    groupname: requiredArg('Group name.'),
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(GetGroup)
    return this.runDynsec('getGroup', [args.groupname], flags)
  }
}
