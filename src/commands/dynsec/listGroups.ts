import {DynsecCommand} from '../../base/dynsec-command.js'
import {listArgs, listFlags} from '../../base/dynsec-flags.js'

export default class ListGroups extends DynsecCommand {
  static override summary = 'List groups.'

  static override description =
    'mosquitto_ctrl form: mosquitto_ctrl [connection options] dynsec listGroups [count] [offset]'

  static override examples = ['<%= config.bin %> dynsec listGroups']

  static override args = listArgs

  static override flags = listFlags

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(ListGroups)
    return this.runDynsec('listGroups', [args.count, args.offset], flags, {verbose: flags.verbose})
  }
}
