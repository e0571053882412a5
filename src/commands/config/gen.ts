import {Flags} from '@oclif/core'

import {MqctlCommand} from '../../base/command.js'
import {canPrompt} from '../../base/prompt.js'

const LISTENERS = 'LISTENERS'
const TLS = 'TLS'
const AUTH = 'AUTHENTICATION'
const BROKER = 'PERSISTENCE AND LOGGING'

export default class ConfigGen extends MqctlCommand {
  static override summary = 'Write a complete, commented mosquitto.conf from a preset, flags or a wizard.'

  static override description = `Every section of the file carries a one-line comment saying why it is there, and the header names mqctl and the target version. The text goes to stdout, or with -o FILE to FILE (atomic; a new file is 0644; an existing file is kept unless --force).

Presets (flags change any part of them):
  local-dev: plain MQTT on 127.0.0.1:1883, anonymous clients, no persistence, connections and subscriptions logged to stderr.
  production: TLS only (8883, TLS 1.2+, --cert-dir /etc/mosquitto/certs), no anonymous clients, the dynamic-security plugin with /var/lib/mosquitto/dynamic-security.json, persistence in /var/lib/mosquitto, syslog.
  central: plain MQTT on 127.0.0.1:1883 open to local services, MQTT over TLS on 8883 (all addresses) with the password file /etc/mosquitto/passwd, persistence in /var/lib/mosquitto, syslog.
A listener flag replaces the preset's listeners of that kind only: "--preset central --tls-listener 9883" keeps central's local listener, and central's plain listeners stay open to local services.

Listeners: --listener, --tls-listener and --websockets-listener take PORT[:BIND] (BIND an address, [::1] for IPv6; all addresses without it), --unix-socket takes PATH; each repeatable. Add ",anonymous" to make a listener open: clients need no username there and none of the authentication applies. Add ",tls" to a WebSockets listener for wss. "none" drops a preset's listeners of that kind.

TLS: --cert-dir DIR takes ca.crt, server.crt and server.key from DIR, as "mqctl cert server --out DIR" writes them; --cafile, --certfile and --keyfile override single files. --use-identity-as-username implies --require-certificate.

Authentication, one method: --password-file FILE or --dynsec FILE. --auth password-file:FILE and --auth dynsec:FILE say the same (the spelling "--auth password-file FILE" works too), and --auth none drops a preset's method. The dynamic-security plugin is looked up in /usr/lib/*/, /usr/lib/mosquitto and /usr/local/lib; --plugin PATH or --plugin-dir DIR names it when it is elsewhere. --acl-file adds an ACL file (not with --dynsec, which has its own ACLs). --allow-anonymous lets clients without a username in, next to the authentication.

When listeners differ (some open, others authenticated), the file starts with per_listener_settings true and each listener block carries its own security options. With --target 2.1 it uses 2.1's plugins instead of the options 2.1 deprecates: global_plugin, or plugin_load + plugin_use per listener, with plugin_opt_password_file and plugin_opt_acl_file.

Relative paths become absolute (a broker service does not start in your directory). Every file the config names is checked: a missing or unreadable one, or one the broker's account cannot read after mosquitto drops root privileges, gets a "mqctl: warning:" on stderr, and the config is written anyway.

--interactive asks for listeners, TLS, authentication and persistence on the terminal (prompts on stderr, so "config gen -i > mosquitto.conf" works); it needs a terminal.`

  static override examples = [
    {
      description:
        'local-dev: anonymous plain MQTT on 127.0.0.1:1883 for development; start it with "mosquitto -c mosquitto.conf"',
      command: '<%= config.bin %> config gen --preset local-dev > mosquitto.conf',
    },
    {
      description:
        'production: TLS only with certificates from "mqctl cert server --out /etc/mosquitto/certs" and dynamic security from "mqctl dynsec init /var/lib/mosquitto/dynamic-security.json admin"',
      command:
        '<%= config.bin %> config gen --preset production --cert-dir /etc/mosquitto/certs --dynsec /var/lib/mosquitto/dynamic-security.json -o /etc/mosquitto/mosquitto.conf --force',
    },
    {
      description:
        'central: local services on 127.0.0.1:1883 without a password, remote clients over TLS on 8883 with the password file from "mqctl passwd -c /etc/mosquitto/passwd USER"',
      command:
        '<%= config.bin %> config gen --preset central --password-file /etc/mosquitto/passwd --cert-dir /etc/mosquitto/certs -o /etc/mosquitto/mosquitto.conf',
    },
  ]

  static override flags = {
    preset: Flags.string({
      description: 'Start from a preset (see the description).',
      options: ['local-dev', 'production', 'central'],
    }),
    target: Flags.string({
      description: 'Broker version to write for (default 2.0; 2.1 writes plugin-based password and ACL options).',
      options: ['2.0', '2.1'],
    }),
    output: Flags.string({char: 'o', description: 'Write to this file (atomically) instead of stdout.'}),
    force: Flags.boolean({description: 'Replace an existing --output file.'}),
    interactive: Flags.boolean({char: 'i', description: 'Ask on the terminal, with the flags as defaults.'}),
    listener: Flags.string({
      description: 'Plain MQTT listener PORT[:BIND][,anonymous]; repeatable.',
      multiple: true,
      helpGroup: LISTENERS,
    }),
    'tls-listener': Flags.string({
      description: 'MQTT over TLS listener PORT[:BIND][,anonymous]; repeatable.',
      multiple: true,
      helpGroup: LISTENERS,
    }),
    'websockets-listener': Flags.string({
      description: 'WebSockets listener PORT[:BIND][,tls][,anonymous]; repeatable.',
      multiple: true,
      helpGroup: LISTENERS,
    }),
    'unix-socket': Flags.string({
      description: 'Unix socket listener PATH[,anonymous]; repeatable.',
      multiple: true,
      helpGroup: LISTENERS,
    }),
    'cert-dir': Flags.string({
      description: 'Directory with ca.crt, server.crt and server.key, as "mqctl cert server --out DIR" writes it.',
      helpGroup: TLS,
    }),
    cafile: Flags.string({description: 'CA certificate(s) that sign client certificates (PEM).', helpGroup: TLS}),
    certfile: Flags.string({description: 'Server certificate (PEM).', helpGroup: TLS}),
    keyfile: Flags.string({description: 'Server private key (PEM).', helpGroup: TLS}),
    'require-certificate': Flags.boolean({
      description: 'Clients must present a certificate signed by the CA.',
      helpGroup: TLS,
    }),
    'use-identity-as-username': Flags.boolean({
      description: "The client certificate's CN is the username; no password is asked. Implies --require-certificate.",
      helpGroup: TLS,
    }),
    'tls-version': Flags.string({
      description: 'Minimum TLS version.',
      options: ['tlsv1.3', 'tlsv1.2', 'tlsv1.1'],
      helpGroup: TLS,
    }),
    auth: Flags.string({
      description: 'Authentication method: password-file:FILE, dynsec:FILE or none.',
      multiple: true,
      exclusive: ['password-file', 'dynsec'],
      helpGroup: AUTH,
    }),
    'password-file': Flags.string({
      description: 'Password file (made by "mqctl passwd"); same as --auth password-file:FILE.',
      exclusive: ['auth', 'dynsec'],
      helpGroup: AUTH,
    }),
    dynsec: Flags.string({
      description: 'Dynamic-security file (made by "mqctl dynsec init"); same as --auth dynsec:FILE.',
      exclusive: ['auth', 'password-file'],
      helpGroup: AUTH,
    }),
    plugin: Flags.string({
      description: 'Path of mosquitto_dynamic_security.so (default: found on this machine).',
      helpGroup: AUTH,
    }),
    'plugin-dir': Flags.string({
      description:
        "Directory of mosquitto's plugins, for --dynsec and, with --target 2.1, the password-file and acl-file plugins.",
      helpGroup: AUTH,
    }),
    'acl-file': Flags.string({description: 'ACL file for the authenticated listeners.', helpGroup: AUTH}),
    'allow-anonymous': Flags.boolean({
      description: 'Let clients without a username connect (--no-allow-anonymous undoes a preset).',
      allowNo: true,
      helpGroup: AUTH,
    }),
    persistence: Flags.string({
      description: 'Keep messages and sessions across restarts in this directory ("none" undoes a preset).',
      helpGroup: BROKER,
    }),
    'log-dest': Flags.string({
      description: 'Log to stdout, stderr, syslog, topic, none or file:PATH; repeatable.',
      multiple: true,
      helpGroup: BROKER,
    }),
    'log-type': Flags.string({
      description: 'What to log; repeatable.',
      multiple: true,
      options: [
        'error',
        'warning',
        'notice',
        'information',
        'debug',
        'subscribe',
        'unsubscribe',
        'websockets',
        'none',
        'all',
      ],
      helpGroup: BROKER,
    }),
    user: Flags.string({
      description: 'Account the broker switches to when started as root (mosquitto when not set).',
      helpGroup: BROKER,
    }),
  }

  async run(): Promise<unknown> {
    const {flags} = await this.parse(ConfigGen)
    const {MqctlError} = await import('../../lib/errors.js')
    const gen = await import('../../lib/conf/generate.js')

    let request = gen.requestFromFlags(flags)
    if (flags.interactive) {
      if (!canPrompt())
        throw new MqctlError('USAGE_INTERACTIVE', '--interactive needs a terminal; give flags (or a --preset) instead')
      const {configWizard} = await import('../../base/config-wizard.js')
      request = await configWizard(request, gen)
    }

    const found = await gen.findPlugins(request.pluginDir === undefined ? undefined : [request.pluginDir])
    const options = gen.resolveGenOptions(request, {
      cwd: process.cwd(),
      found,
      generator: `mqctl ${this.config.version}`,
    })
    const config = gen.generateConf(options)
    const warnings = [...gen.reviewGenOptions(options), ...(await gen.checkGenPaths(options))]
    for (const w of warnings) this.warn(w)

    if (flags.output === undefined) this.out(config)
    else {
      await gen.writeGenOutput(flags.output, config, {force: flags.force, onWarning: (m) => this.warn(m)})
      this.out(flags.output)
    }

    return {file: flags.output ?? null, target: options.target, preset: options.preset ?? null, warnings, config}
  }
}
