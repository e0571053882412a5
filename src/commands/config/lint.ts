import {Flags} from '@oclif/core'

import {requiredArg} from '../../base/args.js'
import {MqctlCommand} from '../../base/command.js'

export default class ConfigLint extends MqctlCommand {
  static override summary = 'Find what keeps mosquitto from starting with a config, and what starts but is unsafe.'

  static override description = `Reads the file with the broker's lexical rules (comments only in column 1, a leading tab makes a keyword unknown, string values take the rest of the line), follows include_dir, and models listeners and per_listener_settings.

Errors (the broker refuses to start): conf/unknown-option, conf/empty-value, conf/invalid-value (ports, booleans, log_dest, protocol, tls_version), conf/duplicate, conf/per-listener-order, conf/duplicate-port, conf/cert-and-psk (cafile or certfile after psk_hint in one listener), conf/plugin-option-without-plugin, conf/include-dir, and, checking the files the config names as the broker does at start-up: conf/missing-file, conf/password-file-directory, conf/acl-error (the ACL file's lint errors), conf/not-pem, conf/key-mismatch, conf/not-a-library, and when run as root conf/broker-user (a file the broker cannot open after it switches from root to its user, "mosquitto" unless the config sets "user"; this assumes the broker is started as root too).

Warnings: conf/cert-and-psk (psk_hint after cafile/certfile: the broker starts and serves only the certificate), conf/port-text (a port such as "1883x" is read as 1883, "abc" as 0), conf/plaintext-public, conf/anonymous-public, conf/tls-half (certfile without keyfile: 2.0 serves plain MQTT), conf/world-readable, conf/password-entries (entries the broker drops, as "passwd check" finds them), conf/acl-directory, conf/acl-warning, conf/password-and-dynsec, conf/cert-expired, conf/cert-host, conf/deprecated.

At most 1000 findings of each rule id are listed (JSON: "omitted" counts the others per rule id; "errors" and "warnings" count them all), so a config of a million repeated mistakes gives one screen, not a million lines. On a terminal a large config (with its include_dir files) shows a progress line on stderr; piped, stderr has none.

FILE may be - for standard input. Relative paths resolve against the current directory, as the broker's do. --no-file-checks skips the file checks, for linting a config away from its machine. Exit status: 1 on errors, 0 otherwise, 5 when the config cannot be read.`

  static override examples = [
    '<%= config.bin %> config lint /etc/mosquitto/mosquitto.conf',
    '<%= config.bin %> config lint mosquitto.conf --no-file-checks --format sarif > conf.sarif',
  ]

  static override args = {file: requiredArg('mosquitto.conf to check.')}

  static override flags = {
    format: Flags.string({description: 'Output format.', options: ['text', 'json', 'sarif'], default: 'text'}),
    target: Flags.string({description: 'Broker version to judge for.', options: ['2.0', '2.1'], default: '2.0'}),
    'file-checks': Flags.boolean({
      description: 'Check the files the config names (use --no-file-checks to skip).',
      default: true,
      allowNo: true,
    }),
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(ConfigLint)
    // A large config takes seconds: a progress line on a terminal (io.progress draws nothing elsewhere).
    const {delayedProgress} = await import('../../lib/io.js')
    const onProgress = delayedProgress(this.io, (done, total) => `checking options ${done}/${total}`)
    const {confLintOutput} = await import('../../lib/conf/lint-run.js')
    const {report, lines} = await confLintOutput(args.file, {
      target: flags.target as '2.0' | '2.1',
      fileChecks: flags['file-checks'],
      format: this.jsonEnabled() ? 'json' : flags.format,
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
