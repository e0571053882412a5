import {requiredArg} from '../../base/args.js'
import {DynsecCommand} from '../../base/dynsec-command.js'

export default class SetDefaultACLAccess extends DynsecCommand {
  static override summary =
    'Set the default access for one of publishClientSend, publishClientReceive, subscribe, unsubscribe.'

  static override description =
    'mosquitto_ctrl form: mosquitto_ctrl [connection options] dynsec setDefaultACLAccess <acltype> <allow|deny>'

  static override examples = ['<%= config.bin %> dynsec setDefaultACLAccess publishClientSend deny']

  static override args = {
    acltype: requiredArg('ACL type: publishClientSend, publishClientReceive, subscribe or unsubscribe.'),
    access: requiredArg('allow or deny.'),
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(SetDefaultACLAccess)
    return this.runDynsec('setDefaultACLAccess', [args.acltype, args.access], flags)
  }
}
