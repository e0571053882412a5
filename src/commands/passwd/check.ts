import {Flags} from '@oclif/core'

import {requiredArg} from '../../base/args.js'

import {MqctlCommand} from '../../base/command.js'

export default class PasswdCheck extends MqctlCommand {
  static override summary = 'Report every password file line the broker would drop or refuse.'

  static override description = `Finds what a mosquitto broker does with each line before it finds out for you: plain-text passwords, unknown hash types, salts or hashes of the wrong length, bad iteration counts, empty, duplicate or control-character usernames, lines without a password. A 2.0 broker logs such entries and drops them; a 2.1 broker refuses the whole file (lines without ':' it skips, as 2.0 does: a warning for --target 2.1).

FILE "-" reads standard input. The file must be a regular file of at most 64 MiB: a FIFO or a device is refused (exit 5).

Each finding is printed as FILE:LINE:COLUMN: severity: message [rule]. Exit status 1 when there is at least one error, 0 otherwise, 5 when the file cannot be read.

Rules: passwd/plaintext, passwd/unknown-hash-type, passwd/unsupported-hash, passwd/malformed-hash, passwd/bad-iterations, passwd/bad-salt, passwd/bad-hash, passwd/invalid-line, passwd/empty-username, passwd/missing-password, passwd/duplicate-username, passwd/control-characters, passwd/username-too-long, passwd/extra-fields (warning), passwd/world-readable (warning).`

  static override examples = [
    {
      description: 'Check a file for a Debian 12 (2.0) broker',
      command: '<%= config.bin %> passwd check /etc/mosquitto/passwd',
    },
    {
      description: 'Check what a provisioning tool generates, before it is written',
      command: 'generate-users | <%= config.bin %> passwd check -',
    },
    {
      description: 'Check for a 2.1 broker, as JSON',
      command: '<%= config.bin %> passwd check /etc/mosquitto/passwd --target 2.1 --json',
    },
  ]

  static override args = {
    file: requiredArg('Password file ("-" for standard input).'),
  }

  static override flags = {
    target: Flags.string({description: 'Broker version to judge for.', options: ['2.0', '2.1'], default: '2.0'}),
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(PasswdCheck)
    const {checkPasswdFile} = await import('../../lib/passwd/check-file.js')
    const report = await checkPasswdFile(args.file, flags.target as '2.0' | '2.1')
    if (!this.jsonEnabled()) {
      for (const f of report.findings)
        this.out(`${args.file}:${f.line}:${f.column}: ${f.severity}: ${f.message} [${f.rule}]`)
      const errors = report.findings.filter((f) => f.severity === 'error').length
      this.io.stderr.write(
        `${args.file}: ${report.entries} entr${report.entries === 1 ? 'y' : 'ies'}, ${errors} error(s), ${report.findings.length - errors} warning(s)\n`,
      )
    }

    if (report.findings.some((f) => f.severity === 'error')) process.exitCode = 1
    return report
  }
}
