import {optionalArg, requiredArg} from '../../base/args.js'
import {DynsecCommand} from '../../base/dynsec-command.js'

export default class AddRoleACL extends DynsecCommand {
  static override summary = 'Add an ACL to a role.'

  static override description =
    'mosquitto_ctrl form: mosquitto_ctrl [connection options] dynsec addRoleACL <rolename> <acltype> <topic> <allow|deny> [priority]'

  static override examples = ["<%= config.bin %> dynsec addRoleACL sensors publishClientSend 'sensors/#' allow 5"]

  static override args = {
    rolename: requiredArg('Role name.'),
    acltype: requiredArg(
      'ACL type: publishClientSend, publishClientReceive, subscribeLiteral, subscribePattern, unsubscribeLiteral or unsubscribePattern.',
    ),
    topic: requiredArg('Topic filter the ACL applies to.'),
    access: requiredArg('allow or deny.'),
    priority: optionalArg('Priority: higher is checked first (default 0).'),
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(AddRoleACL)
    return this.runDynsec('addRoleACL', [args.rolename, args.acltype, args.topic, args.access, args.priority], flags)
  }
}
