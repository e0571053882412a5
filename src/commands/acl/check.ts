import {Flags} from '@oclif/core'

import {requiredArg} from '../../base/args.js'
import {MqctlCommand} from '../../base/command.js'

export default class AclCheck extends MqctlCommand {
  static override summary = 'Decide, like the broker, whether a client may publish to or receive a topic.'

  static override description = `Follows mosquitto 2.0's acl_file rules: $SYS publishes are refused before any ACL; deny rules win wherever they are; the user's section (or the anonymous section for a client without username) is tried first, then the patterns with %c and %u substituted; a client whose username or client id contains + or # is refused when patterns exist; no match means denied. Prints the deciding line, or that no rule matched; --explain lists every rule considered.

--access write means PUBLISH from the client; read means delivery to the client. (acl_file never refuses SUBSCRIBE itself.)

Exit status: 0 allowed, 1 denied, 5 when the file cannot be read, 2 when it does not parse.`

  static override examples = [
    '<%= config.bin %> acl check /etc/mosquitto/acl --user alice --topic alice/temp --access write',
    '<%= config.bin %> acl check /etc/mosquitto/acl --anonymous --client-id sensor-7 --topic public/news --access read --explain',
  ]

  static override args = {file: requiredArg('ACL file.')}

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
    const {MqctlError} = await import('../../lib/errors.js')
    if (!flags.user && !flags.anonymous) throw new MqctlError('USAGE_ACL_CHECK', 'give --user NAME or --anonymous')
    const {checkTopicName, describeTopicProblem} = await import('../../lib/topic.js')
    const problem = checkTopicName(flags.topic)
    if (problem) throw new MqctlError('USAGE_TOPIC', `--topic "${flags.topic}": ${describeTopicProblem(problem)}`)
    const {readAclText} = await import('../../lib/acl/lint-file.js')
    const {parseAclFile} = await import('../../lib/acl/parse.js')
    const {evaluateAcl} = await import('../../lib/acl/evaluate.js')
    const acl = parseAclFile(await readAclText(args.file), args.file)
    if (acl.errors.length > 0) {
      const e = acl.errors[0]
      throw new MqctlError('PARSE_ACL', `the broker would refuse this file: ${e.message}`, {
        exit: 2,
        location: {file: args.file, line: e.line, column: e.column},
      })
    }

    const decision = evaluateAcl(acl, {
      username: flags.user,
      clientId: flags['client-id'],
      topic: flags.topic,
      access: flags.access as 'read' | 'write',
    })
    if (!decision.allowed) process.exitCode = 1
    const result = {
      allowed: decision.allowed,
      reason: decision.reason,
      line: decision.rule?.line,
      steps: decision.steps.map((s) => ({
        line: s.rule.line,
        kind: s.rule.kind,
        access: s.rule.access,
        topic: s.rule.topic,
        filter: s.filter,
        outcome: s.outcome,
        reason: s.reason,
      })),
    }
    if (this.jsonEnabled()) return result
    if (flags.explain) {
      for (const s of result.steps)
        this.out(
          `  line ${s.line}: ${s.kind} ${s.access} ${s.filter}${s.filter === s.topic ? '' : ` (from ${s.topic})`}: ${s.outcome} (${s.reason})`,
        )
    }

    this.out(`${decision.allowed ? 'allow' : 'deny'}: ${decision.reason}`)
    return result
  }
}
