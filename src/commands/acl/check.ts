import {Flags} from '@oclif/core'

import {requiredArg} from '../../base/args.js'
import {MqctlCommand} from '../../base/command.js'

export default class AclCheck extends MqctlCommand {
  static override summary = 'Decide, like the broker, whether a client may publish to or receive a topic.'

  static override description = `Follows mosquitto 2.0.11 with an acl_file, checked against the real broker on generated files:
- before any ACL line, topics starting with "$SYS" (so $SYSTEM/x too) can be published only on $SYS/broker/connection/+/state, and topics starting with "$share" (so $shared/x too) are never published nor delivered;
- deny rules win wherever they are; the user's section (or the anonymous section, the lines before any "user" line, for a client without username) is tried first, then the patterns with %c and %u substituted; a client whose username or client id contains + or # is refused when patterns exist; no match means denied;
- a PUBLISH to $CONTROL/… goes to the broker's plugins and is never delivered, so --access read on it is a deny (a will message on it would follow the ACL; the reason says how).

--access write means PUBLISH from the client; read means delivery to the client. (acl_file never refuses SUBSCRIBE itself.) FILE may be - for standard input.

Prints the deciding line, or that no rule matched; --explain lists every rule considered, in the broker's order (each section's deny lines first, last one first). With --json: {"verdict": "allow"|"deny", "allowed", "reason", "line", "steps", "query"}.

Exit status: 0 allowed, 1 denied, 2 bad flags (including a --topic the broker refuses in PUBLISH), 5 when the file cannot be read or the broker would refuse to load it.`

  static override examples = [
    '<%= config.bin %> acl check /etc/mosquitto/acl --user alice --topic alice/temp --access write',
    '<%= config.bin %> acl check /etc/mosquitto/acl --anonymous --client-id sensor-7 --topic public/news --access read --explain',
  ]

  static override args = {file: requiredArg('ACL file, or - for standard input.')}

  static override flags = {
    user: Flags.string({description: 'Username of the client.', exclusive: ['anonymous']}),
    anonymous: Flags.boolean({description: 'A client without username.', exclusive: ['user']}),
    'client-id': Flags.string({description: 'Client id (for %c patterns).', default: 'mqctl-check'}),
    topic: Flags.string({description: 'Topic name to publish to or receive.', required: true}),
    access: Flags.string({description: 'write = publish; read = receive.', options: ['read', 'write'], required: true}),
    explain: Flags.boolean({description: 'List every rule considered, in order.'}),
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(AclCheck)
    const {aclCheckOutput} = await import('../../lib/acl/check-output.js')
    const {allowed, result, lines} = await aclCheckOutput({
      file: args.file,
      user: flags.user,
      anonymous: flags.anonymous,
      clientId: flags['client-id'],
      topic: flags.topic,
      access: flags.access as 'read' | 'write',
      explain: flags.explain,
    })
    if (!allowed) process.exitCode = 1
    if (this.jsonEnabled()) return result
    for (const line of lines) this.out(line)
    return result
  }
}
