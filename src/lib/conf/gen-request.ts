/** config gen's presets and command-line words → validated options (pure, given the plugins found). */
import {dirname, join, resolve} from 'node:path'

import {z} from 'zod'

import {MqctlError} from '../errors.js'
import {
  LOG_DESTS,
  PRESET_NAMES,
  TARGETS,
  TLS_VERSIONS,
  parseGenOptions,
  type AuthSchema,
  type GenOptions,
  type GenOptionsInput,
  type Listener,
  type LogDestSchema,
  type PresetName,
  type TlsSchema,
} from './gen-schema.js'

export const LISTENER_KINDS = ['listener', 'tlsListener', 'websocketsListener', 'unixSocket'] as const
export type ListenerKind = (typeof LISTENER_KINDS)[number]

/** What the command line (or the wizard) says, before presets and defaults. */
export const GenRequestSchema = z.object({
  preset: z.enum(PRESET_NAMES).optional(),
  target: z.enum(TARGETS).optional(),
  /** `PORT[:BIND][,anonymous][,tls]`; "none" drops a preset's listeners of that kind. */
  listener: z.array(z.string()).optional(),
  tlsListener: z.array(z.string()).optional(),
  websocketsListener: z.array(z.string()).optional(),
  /** `PATH[,anonymous]` */
  unixSocket: z.array(z.string()).optional(),
  certDir: z.string().optional(),
  cafile: z.string().optional(),
  certfile: z.string().optional(),
  keyfile: z.string().optional(),
  requireCertificate: z.boolean().optional(),
  useIdentityAsUsername: z.boolean().optional(),
  tlsVersion: z.enum(TLS_VERSIONS).optional(),
  /** `--auth` words: `password-file:FILE`, `dynsec:FILE`, `none`, or the two-word forms. */
  auth: z.array(z.string()).optional(),
  passwordFile: z.string().optional(),
  dynsec: z.string().optional(),
  plugin: z.string().optional(),
  pluginDir: z.string().optional(),
  aclFile: z.string().optional(),
  allowAnonymous: z.boolean().optional(),
  /** A directory, or "none" to drop a preset's. */
  persistence: z.string().optional(),
  /** stdout, stderr, syslog, topic, none or file:PATH */
  logDest: z.array(z.string()).optional(),
  logType: z.array(z.string()).optional(),
  user: z.string().optional(),
})
export type GenRequest = z.infer<typeof GenRequestSchema>

/** The request keys about TLS: without a TLS listener, giving any of them is a usage error. */
export const TLS_KEYS = [
  'certDir',
  'cafile',
  'certfile',
  'keyfile',
  'requireCertificate',
  'useIdentityAsUsername',
  'tlsVersion',
] as const

/** Switches that say nothing when off: only --allow-anonymous has a --no- form that undoes a preset. */
const ON_ONLY = new Set<string>(['requireCertificate', 'useIdentityAsUsername'])

/** A request key's flag: its kebab-case name (`certDir` → `--cert-dir`). */
export const genFlagName = (key: string): string => key.replaceAll(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)

/** config gen's parsed flags → the request: every key is read from its flag (genFlagName). */
export function requestFromFlags(flags: Readonly<Record<string, unknown>>): GenRequest {
  const request: Record<string, unknown> = {}
  for (const key of Object.keys(GenRequestSchema.shape)) {
    const value = flags[genFlagName(key)]
    if (value !== undefined && !(value === false && ON_ONLY.has(key))) request[key] = value
  }

  // The flags' options lists are the schema's enums, so oclif has checked the values already.
  return request as GenRequest
}

interface Preset {
  summary: string
  request: GenRequest
  /** Listener kinds whose listeners are open (anonymous, no authentication) in this preset. */
  open: readonly ListenerKind[]
}

const STANDARD_LOG = ['error', 'warning', 'notice', 'information']

export const PRESETS: Readonly<Record<PresetName, Preset>> = {
  'local-dev': {
    summary:
      'plain MQTT on 127.0.0.1:1883, anonymous clients, no persistence, connections and subscriptions logged to stderr',
    request: {
      listener: ['1883:127.0.0.1'],
      allowAnonymous: true,
      logDest: ['stderr'],
      logType: [...STANDARD_LOG, 'subscribe', 'unsubscribe'],
    },
    open: [],
  },
  production: {
    summary:
      'TLS only (8883, TLS 1.2+, certificates in /etc/mosquitto/certs), no anonymous clients, the dynamic-security plugin with /var/lib/mosquitto/dynamic-security.json, persistence in /var/lib/mosquitto, syslog',
    request: {
      tlsListener: ['8883'],
      certDir: '/etc/mosquitto/certs',
      tlsVersion: 'tlsv1.2',
      dynsec: '/var/lib/mosquitto/dynamic-security.json',
      allowAnonymous: false,
      persistence: '/var/lib/mosquitto',
      logDest: ['syslog'],
      logType: STANDARD_LOG,
    },
    open: [],
  },
  central: {
    summary:
      'plain MQTT on 127.0.0.1:1883 open to local services, MQTT over TLS on 8883 (all addresses) with the password file /etc/mosquitto/passwd, persistence in /var/lib/mosquitto, syslog',
    request: {
      listener: ['1883:127.0.0.1'],
      tlsListener: ['8883'],
      certDir: '/etc/mosquitto/certs',
      tlsVersion: 'tlsv1.2',
      passwordFile: '/etc/mosquitto/passwd',
      allowAnonymous: false,
      persistence: '/var/lib/mosquitto',
      logDest: ['syslog'],
      logType: STANDARD_LOG,
    },
    open: ['listener', 'unixSocket'],
  },
}

const FLAG: Record<ListenerKind, string> = {
  listener: '--listener',
  tlsListener: '--tls-listener',
  websocketsListener: '--websockets-listener',
  unixSocket: '--unix-socket',
}

const usage = (message: string) => new MqctlError('USAGE_CONFIG', message)

/** `PORT[:BIND][,anonymous][,tls]` (or `PATH[,anonymous]` for --unix-socket) → a listener. */
export function parseListenerSpec(spec: string, kind: ListenerKind, open = false): Listener {
  let rest = spec.trim()
  const mods = new Set<string>()
  for (let m = /,(anonymous|tls)$/.exec(rest); m; m = /,(anonymous|tls)$/.exec(rest)) {
    mods.add(m[1])
    rest = rest.slice(0, m.index)
  }

  const anonymous = open || mods.has('anonymous')
  if (kind === 'unixSocket') {
    if (mods.has('tls')) throw usage(`${FLAG[kind]} ${spec}: a Unix socket listener cannot use TLS`)
    if (!/^[^\s#]+$/.test(rest)) throw usage(`${FLAG[kind]} ${spec}: expected PATH[,anonymous], a path without spaces`)
    return {kind: 'unix', path: rest, anonymous}
  }

  const m = /^(\d{1,5})(?::(.+))?$/.exec(rest)
  const port = m ? Number(m[1]) : Number.NaN
  if (!m || port < 1 || port > 65535)
    throw usage(
      `${FLAG[kind]} ${spec}: expected PORT[:BIND][,anonymous]${kind === 'websocketsListener' ? '[,tls]' : ''} with PORT 1-65535`,
    )
  let bind = m[2]
  if (bind?.startsWith('[') && bind.endsWith(']')) bind = bind.slice(1, -1)
  if (bind !== undefined && !/^[^\s#,]+$/.test(bind)) throw usage(`${FLAG[kind]} ${spec}: "${bind}" is not an address`)
  return {
    kind: 'tcp',
    port,
    bind,
    protocol: kind === 'websocketsListener' ? 'websockets' : 'mqtt',
    tls: kind === 'tlsListener' || mods.has('tls'),
    anonymous,
  }
}

type AuthChoice = {method: 'none'} | {method: 'password-file' | 'dynsec'; file: string}

/** `--auth` words: `KIND:FILE`, `KIND=FILE`, `KIND FILE` (oclif hands over both words) or `none`. */
export function parseAuthWords(words: readonly string[]): AuthChoice | undefined {
  const choices: AuthChoice[] = []
  for (let i = 0; i < words.length; i++) {
    const word = words[i]
    const joined = /^(password-file|dynsec)[:=](.+)$/.exec(word)
    if (joined) choices.push({method: joined[1] as 'password-file' | 'dynsec', file: joined[2]})
    else if (word === 'none') choices.push({method: 'none'})
    else if (word === 'password-file' || word === 'dynsec') {
      const file = words[i + 1]
      if (file === undefined) throw usage(`--auth ${word} needs a file: --auth ${word}:FILE`)
      choices.push({method: word, file})
      i++
    } else throw usage(`--auth ${word}: expected password-file:FILE, dynsec:FILE or none`)
  }

  if (choices.length > 1) throw usage('give one --auth method (password-file or dynsec)')
  return choices[0]
}

/** The log destinations the broker knows, with `file:PATH` for `log_dest file PATH`. */
function parseLogDest(word: string, abs: (p: string) => string): z.input<typeof LogDestSchema> {
  if (word.startsWith('file:')) return {file: abs(word.slice(5))}
  if ((LOG_DESTS as readonly string[]).includes(word)) return word as (typeof LOG_DESTS)[number]
  throw usage(`--log-dest ${word}: expected ${LOG_DESTS.join(', ')} or file:PATH`)
}

export interface FoundPlugins {
  dynsec?: string
  passwordFile?: string
  aclFile?: string
}

export const PLUGIN_FILES = {
  dynsec: 'mosquitto_dynamic_security.so',
  passwordFile: 'mosquitto_password_file.so',
  aclFile: 'mosquitto_acl_file.so',
} as const

export interface ResolveContext {
  /** Relative paths resolve against it: the broker's own working directory is rarely the user's. */
  cwd: string
  /** Plugin libraries found on this machine (findPlugins). */
  found: FoundPlugins
  /** For the header, e.g. "mqctl 0.1.0". */
  generator?: string
}

/**
 * Preset + command-line words → validated options. The preset fills what the words leave
 * out; listener words replace the preset's listeners of the same kind only (so
 * `--preset central --tls-listener 9883` keeps central's local listener).
 */
export function resolveGenOptions(request: GenRequest, ctx: ResolveContext): GenOptions {
  const preset = request.preset ? PRESETS[request.preset] : undefined
  const base: GenRequest = {...preset?.request}
  const given = Object.fromEntries(Object.entries(request).filter(([, v]) => v !== undefined)) as GenRequest
  if (given.auth !== undefined || given.passwordFile !== undefined || given.dynsec !== undefined) {
    delete base.auth
    delete base.passwordFile
    delete base.dynsec
  }

  const r: GenRequest = {...base, ...given}
  const abs = (p: string) => resolve(ctx.cwd, p)
  const target = r.target ?? '2.0'

  const listeners: Listener[] = []
  for (const kind of LISTENER_KINDS) {
    const specs = r[kind] ?? []
    if (specs.length === 1 && specs[0] === 'none') continue
    // A preset's open kinds stay open when the user gives their own listeners of that kind.
    const open = preset?.open.includes(kind) ?? false
    for (const spec of specs) {
      const l = parseListenerSpec(spec, kind, open)
      listeners.push(l.kind === 'unix' ? {...l, path: abs(l.path)} : l)
    }
  }

  if (listeners.length === 0) {
    throw usage('no listener: give --listener, --tls-listener, --websockets-listener or --unix-socket, or a --preset')
  }

  const anyTls = listeners.some((l) => l.kind === 'tcp' && l.tls)
  const certDir = r.certDir === undefined ? undefined : abs(r.certDir)
  const fromDir = (name: string) => (certDir === undefined ? undefined : join(certDir, name))
  let tls: z.input<typeof TlsSchema> | undefined
  if (anyTls) {
    const certfile = r.certfile === undefined ? fromDir('server.crt') : abs(r.certfile)
    const keyfile = r.keyfile === undefined ? fromDir('server.key') : abs(r.keyfile)
    if (!certfile || !keyfile)
      throw usage(
        'TLS listeners need --cert-dir DIR (made by "mqctl cert server --out DIR") or --certfile and --keyfile',
      )
    tls = {
      cafile: r.cafile === undefined ? fromDir('ca.crt') : abs(r.cafile),
      certfile,
      keyfile,
      requireCertificate: Boolean(r.requireCertificate || r.useIdentityAsUsername),
      useIdentityAsUsername: Boolean(r.useIdentityAsUsername),
      tlsVersion: r.tlsVersion,
    }
  } else {
    const stray = TLS_KEYS.find((k) => given[k] !== undefined && given[k] !== false)
    if (stray)
      throw usage(
        `--${genFlagName(stray)} needs a TLS listener (--tls-listener PORT or --websockets-listener PORT,tls)`,
      )
  }

  const pluginDir = r.pluginDir === undefined ? undefined : abs(r.pluginDir)
  const pluginPath = (key: keyof FoundPlugins) => {
    if (pluginDir !== undefined) return join(pluginDir, PLUGIN_FILES[key])
    // 2.1's file plugins install beside the dynamic-security plugin.
    return ctx.found[key] ?? join(ctx.found.dynsec ? dirname(ctx.found.dynsec) : '/usr/lib', PLUGIN_FILES[key])
  }

  let choice: AuthChoice = {method: 'none'}
  if (r.passwordFile !== undefined) choice = {method: 'password-file', file: r.passwordFile}
  if (r.dynsec !== undefined) choice = {method: 'dynsec', file: r.dynsec}
  if (r.auth !== undefined) choice = parseAuthWords(r.auth) ?? choice
  if (r.passwordFile !== undefined && r.dynsec !== undefined) throw usage('give --password-file or --dynsec, not both')

  let auth: z.input<typeof AuthSchema> = {method: 'none'}
  if (choice.method === 'password-file') {
    auth = {
      method: 'password-file',
      file: abs(choice.file),
      plugin: target === '2.1' ? pluginPath('passwordFile') : undefined,
    }
  } else if (choice.method === 'dynsec') {
    let plugin = r.plugin === undefined ? undefined : abs(r.plugin)
    if (plugin === undefined && pluginDir !== undefined) plugin = join(pluginDir, PLUGIN_FILES.dynsec)
    plugin ??= ctx.found.dynsec
    if (plugin === undefined) {
      throw usage(
        `the dynamic-security plugin (${PLUGIN_FILES.dynsec}) is not in /usr/lib/*/, /usr/lib/mosquitto or /usr/local/lib on this machine: give its path with --plugin PATH`,
      )
    }

    auth = {method: 'dynsec', file: abs(choice.file), plugin}
  } else if (r.plugin !== undefined && given.plugin !== undefined) {
    throw usage('--plugin is the dynamic-security plugin: it needs --dynsec FILE')
  }

  const acl =
    r.aclFile === undefined
      ? undefined
      : {file: abs(r.aclFile), plugin: target === '2.1' ? pluginPath('aclFile') : undefined}

  return parseGenOptions({
    target,
    preset: r.preset,
    generator: ctx.generator ?? 'mqctl',
    listeners,
    tls,
    auth,
    acl,
    allowAnonymous: r.allowAnonymous ?? false,
    persistence: r.persistence === undefined || r.persistence === 'none' ? undefined : {location: abs(r.persistence)},
    log: {
      dest: (r.logDest ?? ['stderr']).map((d) => parseLogDest(d, abs)),
      types: r.logType ?? STANDARD_LOG,
    },
    user: r.user,
  } satisfies GenOptionsInput)
}
