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
- acl/tab: "topic read<TAB>a": one word, so the topic is "read<TAB>a" (readwrite), and no client can publish a topic with a tab
- acl/nul-byte: a NUL byte: the broker silently ignores that line and every line after it (it reads the text before the NUL only when the file does not end with a newline)
- acl/pattern-without-substitution: "pattern read x/#" applies to every client alike
- acl/literal-substitution: "topic read users/%u": %u is literal in topic lines
- acl/shadowed-by-deny: "topic read a/b" with "topic deny a/#" in the same section: deny always wins
- acl/redundant: "topic read a/b" with "topic readwrite a/#" in the same section: never decides anything
- acl/never-matches: "topic read $shared/x" (the broker refuses every publish and delivery on topics starting with "$share"), a topic with invalid UTF-8 or a control character (the broker loads it, but no PUBLISH topic can contain those bytes), a "user" name no CONNECT can carry
- acl/duplicate: the same rule twice in a section
- acl/unknown-user: "user carol" when carol is not in the --passwd file
- acl/sys-write: "topic write $SYS/broker/x" or "$SYSTEM/x": publishing to topics starting with "$SYS" is refused except on $SYS/broker/connection/+/state (so "topic write $SYS/#" is not flagged)
- acl/anonymous-broad: "topic readwrite #" before any "user" line gives clients without username everything
- acl/empty-file: only comments: everything is denied
- acl/no-subscribe-control (note): acl_file cannot refuse SUBSCRIBE, only delivery

FILE may be - for standard input. Input must be a regular file (or a pipe on standard input) of at most 64 MiB; a FIFO, a device or a larger file is refused at once (exit 5). Echoed topics and names are shown with control bytes escaped (\\x1b, \\t).

At most 1000 findings of each rule id are listed (JSON: "omitted" counts the others per rule id; "errors" and "warnings" count them all), so a file of a million repeated lines gives one screen, not a million lines.

Exit status: 1 when there is at least one error, 0 otherwise (warnings do not fail), 2 for bad flags (--json with --format text or sarif), 5 when the file cannot be read.`

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

  static override args = {file: requiredArg('ACL file, or - for standard input.')}

  static override flags = {
    passwd: Flags.string({description: 'Password file whose users the user sections should name.'}),
    format: Flags.string({
      description: 'Output format (default text). --json is --format json; with another --format it is a usage error.',
      options: ['text', 'json', 'sarif'],
    }),
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(AclLint)
    if (this.jsonEnabled() && flags.format !== undefined && flags.format !== 'json') {
      const {MqctlError} = await import('../../lib/errors.js')
      throw new MqctlError('USAGE_FORMAT', `--json and --format ${flags.format} conflict: give one of them`)
    }

    // A large file takes seconds: a progress line on a terminal (io.progress draws nothing elsewhere).
    const {delayedProgress} = await import('../../lib/io.js')
    const onProgress = delayedProgress(this.io, (done, total) => `checking rules ${done}/${total}`)
    const {aclLintOutput} = await import('../../lib/acl/lint-output.js')
    const {report, lines} = await aclLintOutput(args.file, {
      passwd: flags.passwd,
      format: this.jsonEnabled() ? 'json' : (flags.format ?? 'text'),
      version: this.config.version,
      colour: this.io.stdout.colour,
      onProgress,
    })
    this.io.progress(undefined)
    if (report.errors > 0) process.exitCode = 1
    if (!this.jsonEnabled()) for (const line of lines) this.out(line)
    return report
  }
}
