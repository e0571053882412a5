import {Flags} from '@oclif/core'

import {accessFlags, checkAccessTopic, loadAccessState} from '../../base/dynsec-access.js'
import {DynsecCommand} from '../../base/dynsec-command.js'

export default class DynsecCheck extends DynsecCommand {
  static override summary =
    'Decide, like the dynamic-security plugin, whether a client may publish, receive, subscribe or unsubscribe.'

  static override description = `Walks the plugin's rules offline, on a dynamic-security.json (-f FILE) or on the state read from a broker (connection options; five read-only list/get requests):

- logging in first: an unknown user, a disabled client, a client id other than the one the client is bound to, or (files only) a client without password cannot connect, so every check is a deny that says why;
- the broker's own rules for $ topics: no client publishes to $SYS (but $SYS/broker/connection/+/state), $share only in SUBSCRIBE/UNSUBSCRIBE;
- then the client's roles by priority (ties by name), then its groups by priority with each group's roles; anonymous clients use the anonymous group. In each role the ACLs of the type by priority: subscribe and unsubscribe try the *Literal ACL equal to the filter, then the *Pattern ACLs that contain it; the first ACL that matches decides;
- otherwise the default access for the type, which never grants $CONTROL topics.

A 2.1 file (or a broker that reports allowwildcardsubs) substitutes %u and %c and honours allowwildcardsubs; 2.0 takes them literally.

--explain prints every role and ACL considered, in order, with JSON paths into the state (roles[3].acls[1]). --json prints {"verdict": "allow"|"deny", "stage", "reason", "decidedBy", "walk", "notes"}.

Exit status: 0 allowed, 1 denied, 2 usage, 3/4 broker connection or timeout, 5 file problem.`

  static override examples = [
    '<%= config.bin %> dynsec check -f dynamic-security.json --user sensor1 --topic sensors/1/temp --access publishClientSend',
    '<%= config.bin %> dynsec check -f dynamic-security.json --anonymous --topic public/# --access subscribe --explain',
    '<%= config.bin %> -h broker -u admin dynsec check --user alice --client-id phone --topic alice/inbox --access publishClientReceive --json',
  ]

  static override flags = {
    ...accessFlags,
    user: Flags.string({description: 'Username of the client.', exclusive: ['anonymous']}),
    anonymous: Flags.boolean({
      description: 'A client without username (the anonymous group applies).',
      exclusive: ['user'],
    }),
    'client-id': Flags.string({description: 'Client id (default: the one the client is bound to, else mqctl-check).'}),
    explain: Flags.boolean({description: 'Print the walk: every role and ACL considered, in order.'}),
  }

  async run(): Promise<unknown> {
    const {flags} = await this.parse(DynsecCheck)
    const {MqctlError} = await import('../../lib/errors.js')
    if (flags.user === undefined && !flags.anonymous)
      throw new MqctlError('USAGE_DYNSEC_CHECK', 'give --user NAME or --anonymous')
    await checkAccessTopic(flags.topic, flags.access)
    const loaded = await loadAccessState(flags, this.io)
    for (const w of loaded.warnings) this.warn(`${loaded.source}: ${w}`)
    const {evaluateDynsec, explainLines} = await import('../../lib/dynsec/evaluate.js')
    const bound = loaded.state.clients.find((c) => c.username === flags.user)?.clientid
    const verdict = evaluateDynsec(
      loaded.state,
      {
        username: flags.user,
        clientId: flags['client-id'] ?? bound ?? 'mqctl-check',
        topic: flags.topic,
        access: flags.access as 'publishClientSend',
      },
      {layout: loaded.layout, passwordsKnown: loaded.passwordsKnown},
    )
    if (verdict.verdict === 'deny') process.exitCode = 1
    if (this.jsonEnabled()) return verdict
    const {escapeForLine} = await import('../../lib/output/escape.js')
    if (flags.explain) for (const line of explainLines(verdict)) this.out(escapeForLine(line))
    this.out(escapeForLine(`${verdict.verdict}: ${verdict.reason}`))
    return verdict
  }
}
