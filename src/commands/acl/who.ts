import {Flags} from '@oclif/core'

import {requiredArg} from '../../base/args.js'
import {MqctlCommand} from '../../base/command.js'

export default class AclWho extends MqctlCommand {
  static override summary = 'List every user the ACL file lets publish to, or receive, a topic.'

  static override description = `The reverse of "acl check", decided by the same evaluator for each candidate: anonymous (a client without username), every user of the --passwd file, and every name of a "user" line. Prints one line per allowed user with the line that decided; names no CONNECT can carry (control characters, invalid UTF-8) are no candidates.

The client id matters only to %c patterns and to the broker's refusal of ids containing + or # when patterns exist; --client-id sets it for every candidate (default mqctl-check).

FILE may be - for standard input. With --json: {"topic", "access", "clientId", "allowed": [{"username": null|name, "source", "reason", "line"}], "denied", "candidates"}.

Exit status: 0 when the list is printed, even when nobody is allowed (an empty list is an answer, printed as "nobody"); 2 for bad flags; 5 when a file cannot be read or the broker would refuse the ACL file.`

  static override examples = [
    '<%= config.bin %> acl who /etc/mosquitto/acl --topic sensors/7/temp --access write --passwd /etc/mosquitto/passwd',
    '<%= config.bin %> acl who /etc/mosquitto/acl --topic alerts/fire --access read --json',
  ]

  static override args = {file: requiredArg('ACL file, or - for standard input.')}

  static override flags = {
    topic: Flags.string({description: 'Topic name to publish to or receive.', required: true}),
    access: Flags.string({description: 'write = publish; read = receive.', options: ['read', 'write'], required: true}),
    passwd: Flags.string({description: 'Password file whose users are candidates too.'}),
    'client-id': Flags.string({
      description: 'Client id for every candidate (for %c patterns).',
      default: 'mqctl-check',
    }),
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(AclWho)
    const {checkAclQuery, readAcl, refuseBroken, whoAcl} = await import('../../lib/acl/query.js')
    const access = flags.access as 'read' | 'write'
    checkAclQuery({topic: flags.topic, access, clientId: flags['client-id']})
    const {readPasswdUsers} = await import('../../lib/acl/lint-file.js')
    const passwdUsers = flags.passwd ? readPasswdUsers(flags.passwd) : undefined
    const {name, acl} = readAcl(args.file)
    refuseBroken(name, acl)
    const who = whoAcl(acl, {topic: flags.topic, access, clientId: flags['client-id']}, passwdUsers)
    const result = {topic: flags.topic, access, clientId: flags['client-id'], ...who}
    if (this.jsonEnabled()) return result
    const {escapeForLine} = await import('../../lib/output/escape.js')
    if (who.allowed.length === 0) this.out(`nobody (${who.candidates} candidate${who.candidates === 1 ? '' : 's'})`)
    for (const e of who.allowed)
      this.out(
        escapeForLine(
          `${e.username ?? '(anonymous)'}: ${e.reason}${e.source === 'acl' && flags.passwd ? ' (not in the password file)' : ''}`,
        ),
      )
    return result
  }
}
