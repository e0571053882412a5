import {DynsecCommand} from '../../base/dynsec-command.js'
import {listArgs, listFlags} from '../../base/dynsec-flags.js'

export default class ListClients extends DynsecCommand {
  static override summary = 'List clients.'

  static override description =
    'mosquitto_ctrl form: mosquitto_ctrl [connection options] dynsec listClients [count] [offset]'

  static override examples = [
    '<%= config.bin %> dynsec listClients',
    '<%= config.bin %> dynsec listClients 10 20',
    '<%= config.bin %> dynsec listClients --verbose',
  ]

  static override args = listArgs

  static override flags = listFlags

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(ListClients)
    return this.runDynsec('listClients', [args.count, args.offset], flags, {verbose: flags.verbose})
  }
}
