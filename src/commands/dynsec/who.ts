import {Flags} from '@oclif/core'

import {accessFlags, checkAccessTopic, loadAccessState} from '../../base/dynsec-access.js'
import {DynsecCommand} from '../../base/dynsec-command.js'

export default class DynsecWho extends DynsecCommand {
  static override summary = 'List every client (and anonymous) that the dynamic-security plugin allows to use a topic.'

  static override description = `The reverse of "dynsec check": every client of the state and an anonymous client go through the same walk, and the allowed ones are listed with the ACL that decided (or the default access). Clients bound to a client id are checked with it; the others with --client-id (mqctl-check by default), which matters only for %c ACLs in 2.1 layouts. Disabled clients, clients without password (files) and unknown users cannot log in and are never listed; --all lists every client with its verdict.

The state comes from -f FILE or from a broker (connection options), as for "dynsec check".

Exit status: 0 when at least one client is allowed, 1 when none is.`

  static override examples = [
    '<%= config.bin %> dynsec who -f dynamic-security.json --topic sensors/1/temp --access publishClientReceive',
    '<%= config.bin %> dynsec who -f dynamic-security.json --topic "cmd/#" --access subscribe --all --json',
  ]

  static override flags = {
    ...accessFlags,
    'client-id': Flags.string({description: 'Client id for clients not bound to one.', default: 'mqctl-check'}),
    all: Flags.boolean({description: 'List denied clients too, with the reason.'}),
  }

  async run(): Promise<unknown> {
    const {flags} = await this.parse(DynsecWho)
    await checkAccessTopic(flags.topic, flags.access)
    const loaded = await loadAccessState(flags, this.io)
    for (const w of loaded.warnings) this.warn(`${loaded.source}: ${w}`)
    const {whoIsAllowed} = await import('../../lib/dynsec/who.js')
    const entries = whoIsAllowed(loaded.state, flags.topic, flags.access as 'subscribe', {
      layout: loaded.layout,
      passwordsKnown: loaded.passwordsKnown,
      clientId: flags['client-id'],
      all: flags.all,
    })
    if (!entries.some((e) => e.verdict === 'allow')) process.exitCode = 1
    const result = {topic: flags.topic, access: flags.access, clients: entries}
    if (this.jsonEnabled()) return result
    const {escapeForLine} = await import('../../lib/output/escape.js')
    for (const e of entries) {
      const name = e.username === undefined ? `(anonymous, client id ${e.clientId})` : e.username
      const by = e.decidedBy
        ? `${e.decidedBy.path} role "${e.decidedBy.rolename}" ${e.decidedBy.acltype} ${e.decidedBy.topic}`
        : e.reason
      this.out(escapeForLine(`${e.verdict}  ${name}  ${e.verdict === 'allow' ? by : e.reason}`))
    }

    if (entries.length === 0) this.out('nobody')
    return result
  }
}
