import {DynsecCommand} from '../../base/dynsec-command.js'

export default class GetAnonymousGroup extends DynsecCommand {
  static override summary = 'Show the anonymous group.'

  static override description = 'mosquitto_ctrl form: mosquitto_ctrl [connection options] dynsec getAnonymousGroup'

  static override examples = ['<%= config.bin %> dynsec getAnonymousGroup']

  async run(): Promise<unknown> {
    const {flags} = await this.parse(GetAnonymousGroup)
    return this.runDynsec('getAnonymousGroup', [], flags)
  }
}
