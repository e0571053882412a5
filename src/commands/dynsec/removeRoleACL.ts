import {requiredArg} from '../../base/args.js'
import {DynsecCommand} from '../../base/dynsec-command.js'

export default class RemoveRoleACL extends DynsecCommand {
  static override summary = 'Remove an ACL from a role.'

  static override description =
    'mosquitto_ctrl form: mosquitto_ctrl [connection options] dynsec removeRoleACL <rolename> <acltype> <topic>'

  static override examples = ["<%= config.bin %> dynsec removeRoleACL sensors publishClientSend 'sensors/#'"]

  static override args = {
    rolename: requiredArg('Role name.'),
    acltype: requiredArg(
      'ACL type: publishClientSend, publishClientReceive, subscribeLiteral, subscribePattern, unsubscribeLiteral or unsubscribePattern.',
    ),
    topic: requiredArg('Topic filter the ACL applies to.'),
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(RemoveRoleACL)
    return this.runDynsec('removeRoleACL', [args.rolename, args.acltype, args.topic], flags)
  }
}
