import {DynsecCommand} from '../../base/dynsec-command.js'
import {listArgs, listFlags} from '../../base/dynsec-flags.js'

export default class ListRoles extends DynsecCommand {
  static override summary = 'List roles.'

  static override description =
    'mosquitto_ctrl form: mosquitto_ctrl [connection options] dynsec listRoles [count] [offset]'

  static override examples = ['<%= config.bin %> dynsec listRoles']

  static override args = listArgs

  static override flags = listFlags

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(ListRoles)
    return this.runDynsec('listRoles', [args.count, args.offset], flags, {verbose: flags.verbose})
  }
}
