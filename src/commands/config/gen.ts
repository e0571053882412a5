import {Flags} from '@oclif/core'

import {MqctlCommand} from '../../base/command.js'
import {canPrompt} from '../../base/prompt.js'
import type {GenRequest, ListenerKind} from '../../lib/conf/generate.js'

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
    const {MqctlError, EXIT} = await import('../../lib/errors.js')
    const gen = await import('../../lib/conf/generate.js')

    let request: GenRequest = {
      preset: flags.preset as GenRequest['preset'],
      target: flags.target as GenRequest['target'],
      listener: flags.listener,
      tlsListener: flags['tls-listener'],
      websocketsListener: flags['websockets-listener'],
      unixSocket: flags['unix-socket'],
      certDir: flags['cert-dir'],
      cafile: flags.cafile,
      certfile: flags.certfile,
      keyfile: flags.keyfile,
      requireCertificate: flags['require-certificate'] || undefined,
      useIdentityAsUsername: flags['use-identity-as-username'] || undefined,
      tlsVersion: flags['tls-version'] as GenRequest['tlsVersion'],
      auth: flags.auth,
      passwordFile: flags['password-file'],
      dynsec: flags.dynsec,
      plugin: flags.plugin,
      pluginDir: flags['plugin-dir'],
      aclFile: flags['acl-file'],
      allowAnonymous: flags['allow-anonymous'],
      persistence: flags.persistence,
      logDest: flags['log-dest'],
      logType: flags['log-type'],
      user: flags.user,
    }

    if (flags.interactive) {
      if (!canPrompt()) {
        throw new MqctlError(
          'USAGE_INTERACTIVE',
          '--interactive needs a terminal; give flags (or a --preset) instead',
          {exit: EXIT.usage},
        )
      }

      request = await this.wizard(request, gen)
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

    if (flags.output !== undefined) {
      const {stat} = await import('node:fs/promises')
      const {writeFileAtomic} = await import('../../lib/files/atomic.js')
      const exists = await stat(flags.output).then(
        () => true,
        () => false,
      )
      if (exists && !flags.force)
        throw new MqctlError('FILE_EXISTS', `${flags.output} already exists; give --force to replace it`)
      await writeFileAtomic(flags.output, config, {mode: 0o644, onWarning: (m) => this.warn(m)})
      if (!this.jsonEnabled()) this.out(flags.output)
    } else if (!this.jsonEnabled()) {
      process.stdout.write(config)
    }

    return {file: flags.output ?? null, target: options.target, preset: options.preset ?? null, warnings, config}
  }

  /** A short wizard: listeners, TLS, authentication, persistence. Prompts draw on stderr. */
  private async wizard(start: GenRequest, gen: typeof import('../../lib/conf/generate.js')): Promise<GenRequest> {
    const {confirm, input, select} = await import('@inquirer/prompts')
    const {MqctlError} = await import('../../lib/errors.js')
    const ctx = {output: process.stderr}
    const words = (text: string) => text.split(/\s+/).filter(Boolean)
    const specs = (kind: ListenerKind) => (text: string) => {
      try {
        for (const spec of words(text)) gen.parseListenerSpec(spec, kind)
        return true
      } catch (error) {
        return (error as Error).message
      }
    }

    try {
      const preset = await select(
        {
          message: 'Start from a preset',
          choices: [
            {name: 'none', value: '', description: 'Answer every question'},
            ...gen.PRESET_NAMES.map((name) => ({name, value: name, description: gen.PRESETS[name].summary})),
          ],
          default: start.preset ?? '',
        },
        ctx,
      )
      const r: GenRequest = {
        ...(preset ? gen.PRESETS[preset as GenRequest['preset'] & string].request : {}),
        ...defined(start),
        preset: (preset || undefined) as GenRequest['preset'],
      }
      const hint = ' (PORT[:BIND][,anonymous], space-separated; empty for none)'
      r.listener = words(
        await input(
          {message: `Plain MQTT listeners${hint}`, default: (r.listener ?? []).join(' '), validate: specs('listener')},
          ctx,
        ),
      )
      r.tlsListener = words(
        await input(
          {message: `TLS listeners${hint}`, default: (r.tlsListener ?? []).join(' '), validate: specs('tlsListener')},
          ctx,
        ),
      )
      r.websocketsListener = words(
        await input(
          {
            message: 'WebSockets listeners (PORT[:BIND][,tls][,anonymous]; empty for none)',
            default: (r.websocketsListener ?? []).join(' '),
            validate: specs('websocketsListener'),
          },
          ctx,
        ),
      )
      r.unixSocket = words(
        await input(
          {
            message: 'Unix socket paths (empty for none)',
            default: (r.unixSocket ?? []).join(' '),
            validate: specs('unixSocket'),
          },
          ctx,
        ),
      )
      const wsTls = r.websocketsListener.some((s) => /,tls(,|$)/.test(s))
      if (r.tlsListener.length > 0 || wsTls) {
        r.certDir = await input(
          {
            message: 'Directory with ca.crt, server.crt and server.key (from "mqctl cert server")',
            default: r.certDir ?? '/etc/mosquitto/certs',
            required: true,
          },
          ctx,
        )
        r.requireCertificate = await confirm(
          {message: 'Require client certificates?', default: r.requireCertificate ?? false},
          ctx,
        )
        r.useIdentityAsUsername = r.requireCertificate
          ? await confirm(
              {
                message: "Use the certificate's CN as the username (no password)?",
                default: r.useIdentityAsUsername ?? false,
              },
              ctx,
            )
          : false
      } else {
        for (const key of [
          'certDir',
          'cafile',
          'certfile',
          'keyfile',
          'requireCertificate',
          'useIdentityAsUsername',
          'tlsVersion',
        ] as const)
          delete r[key]
      }

      const current = r.auth
        ? gen.parseAuthWords(r.auth)
        : r.dynsec
          ? {method: 'dynsec' as const, file: r.dynsec}
          : r.passwordFile
            ? {method: 'password-file' as const, file: r.passwordFile}
            : {method: 'none' as const}
      const method = await select(
        {
          message: 'Authentication',
          choices: [
            {
              name: 'password file',
              value: 'password-file',
              description: 'usernames and passwords in a file made by "mqctl passwd"',
            },
            {
              name: 'dynamic security',
              value: 'dynsec',
              description: 'clients, roles and ACLs managed at run time with "mqctl dynsec"',
            },
            {name: 'none', value: 'none', description: 'anonymous clients only (or client certificates)'},
          ],
          default: current?.method ?? 'none',
        },
        ctx,
      )
      delete r.auth
      delete r.passwordFile
      delete r.dynsec
      const currentFile = current && current.method === method && 'file' in current ? current.file : undefined
      if (method === 'password-file') {
        r.passwordFile = await input(
          {message: 'Password file', default: currentFile ?? '/etc/mosquitto/passwd', required: true},
          ctx,
        )
      }

      if (method === 'dynsec') {
        r.dynsec = await input(
          {
            message: 'Dynamic-security file',
            default: currentFile ?? '/var/lib/mosquitto/dynamic-security.json',
            required: true,
          },
          ctx,
        )
        delete r.aclFile
      } else {
        r.aclFile = (await input({message: 'ACL file (empty for none)', default: r.aclFile ?? ''}, ctx)) || undefined
      }

      r.allowAnonymous = await confirm(
        {message: 'Allow clients without a username?', default: r.allowAnonymous ?? method === 'none'},
        ctx,
      )
      const persist = await confirm(
        {
          message: 'Keep retained messages and sessions across restarts (persistence)?',
          default: r.persistence !== undefined && r.persistence !== 'none',
        },
        ctx,
      )
      const dir = r.persistence === undefined || r.persistence === 'none' ? '/var/lib/mosquitto' : r.persistence
      r.persistence = persist
        ? await input({message: 'Persistence directory', default: dir, required: true}, ctx)
        : 'none'
      return r
    } catch (error) {
      if ((error as Error).name === 'ExitPromptError')
        throw new MqctlError('REFUSED_INTERRUPTED', 'interrupted', {exit: 130})
      throw error
    }
  }
}

function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}
