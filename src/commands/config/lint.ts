import {Flags} from '@oclif/core'

import {requiredArg} from '../../base/args.js'
import {MqctlCommand} from '../../base/command.js'

export default class ConfigLint extends MqctlCommand {
  static override summary = 'Find what keeps mosquitto from starting with a config, and what starts but is unsafe.'

  static override description = `Reads the file (or standard input, "-") with the broker's lexical rules (comments only in column 1, a leading tab makes a keyword unknown, string values take the rest of the line, other values the next space-separated word), reads include_dir in the main file only as the broker does, and replays mosquitto's own option table for --target 2.0 (2.0.11) or 2.1 (2.1.2): every option's scope, value kind, ranges, enums, duplicates and ordering rules (per_listener_settings first, psk_hint before cafile, 2.1's listener-first options such as accept_protocol_versions). The table was derived from mosquitto's parser and checked against the real 2.0.11 broker on generated configs (see README).

Errors (the broker refuses to start): conf/unknown-option, conf/empty-value, conf/invalid-value (ranges such as max_keepalive, max_packet_size, max_qos, message_size_limit; booleans; enums such as log_type, log_dest, protocol, socket_domain; malformed UTF-8), conf/duplicate, conf/needs-listener (2.1), conf/per-listener-order, conf/duplicate-port, conf/listener, conf/bridge (bridge options before "connection", no address or topic, bad topic lines), conf/tls-pair and conf/proxy (2.1), conf/cert-and-psk (cafile or certfile after psk_hint in one listener), conf/plugin-option-without-plugin, conf/include-dir, and, checking the files the config names as the broker does at start-up: conf/missing-file, conf/password-file-directory, conf/acl-error (the ACL file's lint errors), conf/not-pem, conf/key-mismatch, conf/not-a-library, and when run as root conf/broker-user (a file the broker cannot open after it switches from root to its user, "mosquitto" unless the config sets "user"; this assumes the broker is started as root too).

Warnings: conf/notice (accepted with a broker warning, e.g. retry_interval "no longer available"), conf/nul-byte, conf/cert-and-psk (psk_hint after cafile/certfile: the broker starts and serves only the certificate), conf/port-text (a port such as "1883x" is read as 1883, "abc" as 0), conf/plaintext-public, conf/anonymous-public, conf/tls-half (certfile without keyfile: 2.0 serves plain MQTT), conf/world-readable, conf/password-entries (entries the broker drops, as "passwd check" finds them), conf/acl-directory, conf/acl-warning, conf/password-and-dynsec, conf/cert-expired, conf/cert-host, conf/deprecated.

Relative paths resolve against the current directory, as the broker's do. --no-file-checks skips the file checks, for linting a config away from its machine. Findings echo input text with control bytes escaped (\\x1b). Exit status: 1 on errors, 0 otherwise, 5 when the config or a file it names cannot be read, is not a regular file (FIFO, device) or is larger than 64 MiB (256 MiB with its include_dir files).`

  static override examples = [
    '<%= config.bin %> config lint /etc/mosquitto/mosquitto.conf',
    '<%= config.bin %> config lint mosquitto.conf --no-file-checks --format sarif > conf.sarif',
    '<%= config.bin %> config lint --target 2.1 mosquitto.conf',
    'cat mosquitto.conf | <%= config.bin %> config lint --no-file-checks -',
  ]

  static override args = {file: requiredArg('mosquitto.conf to check, or - for standard input.')}

  static override flags = {
    format: Flags.string({description: 'Output format.', options: ['text', 'json', 'sarif'], default: 'text'}),
    target: Flags.string({
      description: 'Broker version to judge for: 2.0 (2.0.11) or 2.1 (2.1.2).',
      options: ['2.0', '2.1'],
      default: '2.0',
    }),
    'file-checks': Flags.boolean({
      description: 'Check the files the config names (use --no-file-checks to skip).',
      default: true,
      allowNo: true,
    }),
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(ConfigLint)
    const {lintConf, CONF_RULES} = await import('../../lib/conf/lint.js')
    const findings = await lintConf(args.file, {
      target: flags.target as '2.0' | '2.1',
      fileChecks: flags['file-checks'],
    })
    const errors = findings.filter((f) => f.severity === 'error').length
    if (errors > 0) process.exitCode = 1
    const file = args.file === '-' ? '<stdin>' : args.file
    const report = {file, errors, warnings: findings.length - errors, findings}
    const format = this.jsonEnabled() ? 'json' : flags.format
    if (format === 'json') {
      if (this.jsonEnabled()) return report
      this.out(JSON.stringify(report, null, 2))
    } else if (format === 'sarif') {
      const {findingsSarif} = await import('../../lib/output/findings.js')
      this.out(JSON.stringify(findingsSarif(file, findings, CONF_RULES, this.config.version), null, 2))
    } else {
      const {findingsText} = await import('../../lib/output/findings.js')
      for (const line of findingsText(file, findings, Boolean(process.stdout.isTTY) && !process.env.NO_COLOR))
        this.out(line)
    }

    return report
  }
}
