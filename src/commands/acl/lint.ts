import {Flags} from '@oclif/core'

import {requiredArg} from '../../base/args.js'
import {MqctlCommand} from '../../base/command.js'

export default class AclLint extends MqctlCommand {
  static override summary = 'Find what makes the broker refuse an ACL file, and the traps that load but mislead.'

  static override description = `Parses the file exactly as mosquitto 2.0 does: comments only with # in column 1, words split on spaces only (not tabs), "topic"/"pattern" with an optional read|write|readwrite|deny and the rest of the line as the topic, "user" taking the rest of the line.

Errors (the broker refuses to start with the file; the message is the broker's own wording):
- acl/invalid-line: an unknown keyword, e.g. "topics read a/#"
- acl/indented-comment: a comment not in column 1, e.g. "  # note"
- acl/tab-separator: tabs between words, e.g. "topic<TAB>read<TAB>a"
- acl/empty-topic: "topic" or "pattern" without a topic
- acl/access-type: e.g. "topic readonly a/#"
- acl/invalid-topic: not a valid subscription filter, e.g. "topic read a/#/b"
- acl/missing-username: "user" without a name

Warnings (the file loads, but does not do what it seems to):
- acl/access-word-as-topic: "topic read" grants readwrite on a topic named "read"
- acl/tab: "topic read a<TAB>b": the tab is part of the topic
- acl/pattern-without-substitution: "pattern read x/#" applies to every client alike
- acl/literal-substitution: "topic read users/%u": %u is literal in topic lines
- acl/shadowed-by-deny: "topic read a/b" with "topic deny a/#" in the same section: deny always wins
- acl/redundant: "topic read a/b" with "topic readwrite a/#" in the same section: never decides anything
- acl/never-matches: "topic read $share/g/x": messages are delivered under their real topic
- acl/duplicate: the same rule twice in a section
- acl/unknown-user: "user carol" when carol is not in the --passwd file
- acl/sys-write: "topic write $SYS/#": the broker never allows it
- acl/anonymous-broad: "topic readwrite #" before any "user" line gives clients without username everything
- acl/empty-file: only comments: everything is denied
- acl/no-subscribe-control (note): acl_file cannot refuse SUBSCRIBE, only delivery

Exit status: 1 when there is at least one error, 0 otherwise (warnings do not fail), 5 when the file cannot be read.`

  static override examples = [
    {
      description: 'Lint before reloading the broker',
      command: '<%= config.bin %> acl lint /etc/mosquitto/acl && systemctl reload mosquitto',
    },
    {
      description: 'Also check that every user section names a real user',
      command: '<%= config.bin %> acl lint /etc/mosquitto/acl --passwd /etc/mosquitto/passwd',
    },
    {
      description: 'SARIF for code scanning in CI',
      command: '<%= config.bin %> acl lint acl.conf --format sarif > acl.sarif',
    },
  ]

  static override args = {file: requiredArg('ACL file.')}

  static override flags = {
    passwd: Flags.string({description: 'Password file whose users the user sections should name.'}),
    format: Flags.string({description: 'Output format.', options: ['text', 'json', 'sarif'], default: 'text'}),
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(AclLint)
    const {aclLintOutput} = await import('../../lib/acl/lint-file.js')
    const {report, lines} = await aclLintOutput(args.file, {
      passwd: flags.passwd,
      format: this.jsonEnabled() ? 'json' : flags.format,
      version: this.config.version,
      color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
    })
    if (report.findings.some((f) => f.severity === 'error')) process.exitCode = 1
    if (!this.jsonEnabled()) for (const line of lines) this.out(line)
    return report
  }
}
