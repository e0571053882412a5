import {DynsecCommand} from '../../base/dynsec-command.js'

export default class GetDefaultACLAccess extends DynsecCommand {
  static override summary = 'Show the default access of the four ACL types.'

  static override description = 'mosquitto_ctrl form: mosquitto_ctrl [connection options] dynsec getDefaultACLAccess'

  static override examples = ['<%= config.bin %> dynsec getDefaultACLAccess']

  async run(): Promise<unknown> {
    const {flags} = await this.parse(GetDefaultACLAccess)
    return this.runDynsec('getDefaultACLAccess', [], flags)
  }
}
