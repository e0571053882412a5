/**
 * `mqctl config gen`: a validated options object → a complete, commented mosquitto.conf.
 *
 * - `GenOptionsSchema` (zod) is the model; `generateConf` and `reviewGenOptions` are pure.
 * - `resolveGenOptions` turns command-line words (a `GenRequest`, also what the wizard
 *   produces) plus a preset into options; it is pure too, given the plugin paths the caller
 *   found on disk.
 * - `findPlugins` and `checkGenPaths` are the only functions here that touch the filesystem.
 *
 * Broker facts this relies on (mosquitto-spec.md section 5, checked against 2.0.11):
 * per_listener_settings must precede every security option; 2.0 loads a `plugin` line once per
 * listener block, and two dynamic-security instances on one file duplicate its clients; 2.0 drops
 * root privileges right after reading the config, before it opens ports, password, ACL, key and
 * plugin files; 2.1 takes `plugin_load NAME PATH` globally and `plugin_use NAME` per listener.
 */
import {constants} from 'node:fs'
import {access, readdir, stat} from 'node:fs/promises'
import {dirname, join, resolve} from 'node:path'

import {z} from 'zod'

import {EXIT, MqctlError, strerror} from '../errors.js'
import {accountCanRead, lookupAccount} from '../files/account.js'
import {CONF_OPTIONS} from './options.js'

// ---------------------------------------------------------------------------------------------
// Schemas

const ONE_LINE = (s: string) => !/[\n\r\0]/.test(s) && s === s.trim()
/** A string option value: the broker takes the rest of the line, trimmed. */
const confPath = z
  .string()
  .min(1, 'a path is empty')
  .refine(ONE_LINE, 'a path must be one line without leading or trailing spaces')
/** A value the broker reads as one space-separated word. */
const confWord = z.string().regex(/^[^\s#]+$/, 'must be one word (no spaces, no #)')

export const TARGETS = ['2.0', '2.1'] as const
export const PRESET_NAMES = ['local-dev', 'production', 'central'] as const
export const TLS_VERSIONS = ['tlsv1.3', 'tlsv1.2', 'tlsv1.1'] as const
export const LOG_DESTS = ['stdout', 'stderr', 'syslog', 'topic', 'none'] as const
const LOG_TYPES = CONF_OPTIONS.log_type.values ?? []

export const TcpListenerSchema = z.object({
  kind: z.literal('tcp'),
  port: z.number().int().min(1).max(65535),
  /** Address to bind; all addresses when absent. */
  bind: confWord.optional(),
  protocol: z.enum(['mqtt', 'websockets']).default('mqtt'),
  tls: z.boolean().default(false),
  /** Open listener: anonymous clients, none of the authentication the other listeners use. */
  anonymous: z.boolean().default(false),
})

export const UnixListenerSchema = z.object({
  kind: z.literal('unix'),
  /** The broker reads one word after `listener 0`. */
  path: confWord,
  anonymous: z.boolean().default(false),
})

export const ListenerSchema = z.discriminatedUnion('kind', [TcpListenerSchema, UnixListenerSchema])

export const TlsSchema = z.object({
  cafile: confPath.optional(),
  certfile: confPath,
  keyfile: confPath,
  requireCertificate: z.boolean().default(false),
  /** Implies requireCertificate: the certificate's CN becomes the username, no password asked. */
  useIdentityAsUsername: z.boolean().default(false),
  tlsVersion: z.enum(TLS_VERSIONS).optional(),
})

export const AuthSchema = z.discriminatedUnion('method', [
  z.object({method: z.literal('none')}),
  /** `plugin`: 2.1's mosquitto_password_file.so (2.0 reads the file itself). */
  z.object({method: z.literal('password-file'), file: confPath, plugin: confPath.optional()}),
  z.object({method: z.literal('dynsec'), file: confPath, plugin: confPath}),
])

/** `plugin`: 2.1's mosquitto_acl_file.so. */
export const AclSchema = z.object({file: confPath, plugin: confPath.optional()})

export const LogDestSchema = z.union([z.enum(LOG_DESTS), z.object({file: confPath})])

export const LogSchema = z.object({
  dest: z.array(LogDestSchema).min(1).default(['stderr']),
  types: z
    .array(
      z.string().refine((t) => LOG_TYPES.includes(t), {message: `log type must be one of ${LOG_TYPES.join(', ')}`}),
    )
    .min(1)
    .default(['error', 'warning', 'notice', 'information']),
})

const GenOptionsObject = z.object({
  target: z.enum(TARGETS).default('2.0'),
  preset: z.enum(PRESET_NAMES).optional(),
  /** Named in the header, e.g. "mqctl 0.1.0". */
  generator: z.string().refine(ONE_LINE).default('mqctl'),
  listeners: z.array(ListenerSchema).min(1, 'at least one listener is needed'),
  tls: TlsSchema.optional(),
  auth: AuthSchema.default({method: 'none'}),
  acl: AclSchema.optional(),
  /** Anonymous clients on the listeners that are not open (alongside the authentication). */
  allowAnonymous: z.boolean().default(false),
  persistence: z.object({location: confPath}).optional(),
  log: LogSchema.default({dest: ['stderr'], types: ['error', 'warning', 'notice', 'information']}),
  /** The account the broker switches to when started as root (mosquitto's default: mosquitto). */
  user: confWord.optional(),
})

export const GenOptionsSchema = GenOptionsObject.superRefine((o, ctx) => {
  const issue = (message: string, path: Array<string | number> = []) => ctx.addIssue({code: 'custom', message, path})
  const tlsListeners = o.listeners.filter((l) => l.kind === 'tcp' && l.tls)
  if (tlsListeners.length > 0 && !o.tls) issue('TLS listeners need certfile and keyfile', ['tls'])
  if (o.tls && (o.tls.requireCertificate || o.tls.useIdentityAsUsername) && !o.tls.cafile) {
    issue('requiring client certificates needs a cafile to verify them with', ['tls', 'cafile'])
  }

  const ports = new Set<number>()
  const sockets = new Set<string>()
  for (const [i, l] of o.listeners.entries()) {
    if (l.kind === 'tcp') {
      if (ports.has(l.port)) issue(`port ${l.port} is used by two listeners`, ['listeners', i, 'port'])
      ports.add(l.port)
    } else {
      if (sockets.has(l.path)) issue(`Unix socket ${l.path} is used by two listeners`, ['listeners', i, 'path'])
      sockets.add(l.path)
    }
  }

  if (o.auth.method === 'dynsec' && o.acl)
    issue('the dynamic-security plugin has its own ACLs: an ACL file does not combine with it', ['acl'])
  if (o.target === '2.1' && o.auth.method === 'password-file' && !o.auth.plugin)
    issue('mosquitto 2.1 needs the path of mosquitto_password_file.so', ['auth', 'plugin'])
  if (o.target === '2.1' && o.acl && !o.acl.plugin)
    issue('mosquitto 2.1 needs the path of mosquitto_acl_file.so', ['acl', 'plugin'])

  const files = o.log.dest.filter((d) => typeof d === 'object')
  if (files.length > 1) issue('mosquitto logs to one file at most', ['log', 'dest'])
  if (o.log.dest.includes('none') && o.log.dest.length > 1)
    issue('log destination "none" excludes the others', ['log', 'dest'])

  if (o.target === '2.0' && o.listeners.every((l) => l.kind === 'tcp' && l.protocol === 'websockets')) {
    issue(
      'mosquitto 2.0 does not start with WebSockets listeners only ("Unable to start any listening sockets", mosquitto #2284): ' +
        'add a plain, TLS or Unix socket listener, e.g. --listener 1883:127.0.0.1',
      ['listeners'],
    )
  }

  const open = o.listeners.filter((l) => l.anonymous)
  if (open.length === o.listeners.length && usesAuth(o)) {
    issue(
      'every listener is open to anonymous clients, so the password file, ACL file or dynamic-security plugin would apply to none',
      ['auth'],
    )
  }

  if (o.target === '2.0' && o.auth.method === 'dynsec' && isMixed(o) && o.listeners.length - open.length > 1) {
    issue(
      'with per-listener settings mosquitto 2.0 loads the dynamic-security plugin once per listener, and two copies of one file duplicate its clients: ' +
        'give the open listeners authentication too, keep one authenticated listener, or use --target 2.1',
      ['auth'],
    )
  }
})

export type GenOptions = z.infer<typeof GenOptionsSchema>
export type GenOptionsInput = z.input<typeof GenOptionsSchema>
export type Listener = z.infer<typeof ListenerSchema>
export type TcpListener = z.infer<typeof TcpListenerSchema>
export type PresetName = (typeof PRESET_NAMES)[number]

/** Validates options, as a usage error naming every problem. */
export function parseGenOptions(input: unknown): GenOptions {
  const result = GenOptionsSchema.safeParse(input)
  if (result.success) return result.data
  const problems = result.error.issues.map((i) =>
    i.code === 'custom' || i.path.length === 0 ? i.message : `${i.path.join('.')}: ${i.message}`,
  )
  throw new MqctlError('USAGE_CONFIG', [...new Set(problems)].join('; '), {exit: EXIT.usage})
}

// ---------------------------------------------------------------------------------------------
// Layout decisions (pure)

const usesAuth = (o: Pick<GenOptions, 'auth' | 'acl'>) => o.auth.method !== 'none' || o.acl !== undefined

/**
 * True when listeners differ in who may connect: some are open to anonymous clients, others
 * authenticate. 2.0 then needs per_listener_settings; 2.1 uses plugin_use per listener.
 */
export function isMixed(o: Pick<GenOptions, 'listeners' | 'auth' | 'acl' | 'allowAnonymous'>): boolean {
  const open = o.listeners.filter((l) => l.anonymous).length
  if (open === 0 || open === o.listeners.length) return false
  return usesAuth(o) || !o.allowAnonymous
}

const LOOPBACK = (bind: string | undefined) =>
  bind !== undefined && (bind === 'localhost' || bind.startsWith('127.') || bind === '::1')

function where(l: Listener): string {
  if (l.kind === 'unix') return `Unix socket ${l.path}`
  return l.bind ? `${l.bind.includes(':') ? `[${l.bind}]` : l.bind}:${l.port}` : `port ${l.port} on all addresses`
}

function describeListener(l: Listener): string {
  if (l.kind === 'unix') return `MQTT on the Unix socket ${l.path}`
  const what =
    l.protocol === 'websockets'
      ? l.tls
        ? 'MQTT over secure WebSockets (wss)'
        : 'MQTT over WebSockets'
      : l.tls
        ? 'MQTT over TLS'
        : 'Plain MQTT'
  return `${what} on ${where(l)}`
}

function describeAuth(o: GenOptions): string {
  const parts: string[] = []
  if (o.auth.method === 'password-file')
    parts.push('clients log in with a username and password from the password file')
  if (o.auth.method === 'dynsec') parts.push('clients log in as dynamic-security clients, managed with "mqctl dynsec"')
  if (o.acl) parts.push('the ACL file limits their topics')
  if (o.allowAnonymous) parts.push('clients without a username are allowed')
  else if (parts.length === 0) parts.push('no anonymous clients')
  return parts.join('; ')
}

function describeAccess(o: GenOptions, l: Listener, mixed: boolean): string {
  const identity = l.kind === 'tcp' && l.tls && o.tls?.useIdentityAsUsername
  const cert = l.kind === 'tcp' && l.tls && (o.tls?.requireCertificate || identity)
  const extra = identity
    ? '; the client certificate is the login (its CN is the username)'
    : cert
      ? '; clients must present a certificate signed by the CA'
      : ''
  if (l.anonymous && (mixed || !usesAuth(o))) {
    return `open to anyone who can reach it, without a username${l.kind === 'unix' || LOOPBACK(l.bind) ? ' (for local services)' : ''}${extra}`
  }

  return describeAuth(o) + extra
}

// ---------------------------------------------------------------------------------------------
// The printer (pure)

class ConfWriter {
  private readonly lines: string[] = []
  section(why: string): void {
    if (this.lines.length > 0) this.lines.push('')
    this.comment(why)
  }

  comment(text: string): void {
    this.lines.push(`# ${text}`)
  }

  opt(name: string, value?: string | number | boolean): void {
    this.lines.push(value === undefined ? name : `${name} ${value}`)
  }

  /** Option names written so far. */
  names(): string[] {
    return this.lines.filter((l) => l !== '' && !l.startsWith('#')).map((l) => l.split(' ')[0])
  }

  toString(): string {
    return this.lines.join('\n') + '\n'
  }
}

/** The header: who wrote the file, for which version, and which other version reads it. */
function header(o: GenOptions, names: readonly string[]): string[] {
  const spec = (n: string) => CONF_OPTIONS[n]
  const only21 = names.filter((n) => spec(n) && !spec(n).versions.includes('2.0'))
  const deprecated21 = names.filter((n) => spec(n)?.rules['2.1']?.deprecated && !spec(n)?.rules['2.0']?.deprecated)
  let compat: string
  if (o.target === '2.1') {
    compat =
      only21.length > 0
        ? `Uses 2.1's plugin options (${[...new Set(only21)].join(', ')}), which 2.0 does not know.`
        : 'Uses only options that 2.0 reads too.'
  } else {
    compat =
      deprecated21.length > 0
        ? `2.1 reads it too, with notices about options it deprecates (${[...new Set(deprecated21)].join(', ')}).`
        : '2.1 reads it too.'
  }

  return [
    `# mosquitto.conf for mosquitto ${o.target}, generated by ${o.generator}${o.preset ? ` (preset ${o.preset})` : ''}.`,
    `# ${compat} Options: mosquitto.conf(5).`,
    '# Check changes with: mqctl config lint <this file>',
    '',
  ]
}

const pluginName = {passwordFile: 'password-file', aclFile: 'acl-file', dynsec: 'dynamic-security'} as const

/** Paths under /root: the broker reads them after dropping to an unprivileged user. */
function rootNotes(o: GenOptions, paths: Array<string | undefined>, w: ConfWriter): void {
  if (o.user === 'root') return
  const under = paths.filter((p): p is string => p !== undefined && (p === '/root' || p.startsWith('/root/')))
  if (under.length === 0) return
  w.comment(
    `Note: started as root, mosquitto switches to user "${o.user ?? 'mosquitto'}" before opening ${under.join(', ')}, ` +
      'and /root is closed to that user: move the files (e.g. to /etc/mosquitto) or set "user root".',
  )
}

/** 2.0: the security options of one scope (global, or one listener block with per_listener_settings). */
function security20(o: GenOptions, allowAnonymous: boolean, withAuth: boolean, w: ConfWriter): void {
  if (withAuth) rootNotes(o, [o.auth.method === 'none' ? undefined : o.auth.file, o.acl?.file], w)
  w.opt('allow_anonymous', allowAnonymous)
  if (!withAuth) return
  if (o.auth.method === 'password-file') w.opt('password_file', o.auth.file)
  if (o.auth.method === 'dynsec') {
    w.opt('plugin', o.auth.plugin)
    w.opt('plugin_opt_config_file', o.auth.file)
  }

  if (o.acl) w.opt('acl_file', o.acl.file)
}

/** 2.1: plugins, loaded for every listener (`global_plugin`) or by name (`plugin_load`). */
function plugins21(o: GenOptions, how: 'global_plugin' | 'plugin_load', w: ConfWriter): void {
  rootNotes(o, [o.auth.method === 'none' ? undefined : o.auth.file, o.acl?.file], w)
  const load = (name: string, path: string) =>
    how === 'global_plugin' ? w.opt('global_plugin', path) : w.opt('plugin_load', `${name} ${path}`)
  if (o.auth.method === 'password-file') {
    load(pluginName.passwordFile, o.auth.plugin!)
    w.opt('plugin_opt_password_file', o.auth.file)
  }

  if (o.auth.method === 'dynsec') {
    load(pluginName.dynsec, o.auth.plugin)
    w.opt('plugin_opt_config_file', o.auth.file)
  }

  if (o.acl) {
    load(pluginName.aclFile, o.acl.plugin!)
    w.opt('plugin_opt_acl_file', o.acl.file)
  }
}

function pluginUses(o: GenOptions): string[] {
  const names: string[] = []
  if (o.auth.method === 'password-file') names.push(pluginName.passwordFile)
  if (o.auth.method === 'dynsec') names.push(pluginName.dynsec)
  if (o.acl) names.push(pluginName.aclFile)
  return names
}

/** The complete mosquitto.conf for validated options. Deterministic: no dates, no machine facts. */
export function generateConf(o: GenOptions): string {
  const w = new ConfWriter()
  const mixed = isMixed(o)
  const everyOpen = o.listeners.every((l) => l.anonymous)
  // Open listeners take anonymous clients; when every listener is open that is the global rule.
  const globalAnonymous = o.allowAnonymous || everyOpen

  if (mixed && o.target === '2.0') {
    w.section(
      'Listeners differ in who may connect, so security options apply per listener; this must precede all of them.',
    )
    w.opt('per_listener_settings', true)
  }

  if (o.user) {
    w.section(
      'Account the broker switches to when started as root; it opens every file and port below as this account.',
    )
    w.opt('user', o.user)
  }

  if (o.persistence) {
    w.section('Persistence: keep retained messages, subscriptions and queued messages across restarts.')
    rootNotes(o, [o.persistence.location], w)
    w.opt('persistence', true)
    w.opt(
      'persistence_location',
      o.persistence.location.endsWith('/') ? o.persistence.location : `${o.persistence.location}/`,
    )
  } else {
    w.section(
      'No persistence: retained messages and sessions are lost on restart (use --persistence DIR to keep them).',
    )
    w.opt('persistence', false)
  }

  w.section('Logging: where the broker reports connections, refusals and errors.')
  for (const dest of o.log.dest) w.opt('log_dest', typeof dest === 'string' ? dest : `file ${dest.file}`)
  for (const type of o.log.types) w.opt('log_type', type)

  if (!mixed) {
    w.section(
      `Security, for every listener: ${everyOpen ? 'anyone who can reach a listener may connect, without a username' : describeAuth(o)}.`,
    )
    if (o.target === '2.0') security20(o, globalAnonymous, true, w)
    else {
      w.opt('allow_anonymous', globalAnonymous)
      plugins21(o, 'global_plugin', w)
    }
  } else if (o.target === '2.1') {
    w.section('Security plugins, loaded once and named; each listener below picks the ones it uses with plugin_use.')
    w.opt('allow_anonymous', o.allowAnonymous)
    plugins21(o, 'plugin_load', w)
  }

  for (const l of o.listeners) {
    w.section(`${describeListener(l)}: ${describeAccess(o, l, mixed)}.`)
    if (l.kind === 'unix') w.opt('listener', `0 ${l.path}`)
    else w.opt('listener', l.bind ? `${l.port} ${l.bind}` : l.port)
    if (l.kind === 'tcp' && l.protocol === 'websockets') w.opt('protocol', 'websockets')
    if (l.kind === 'tcp' && l.tls && o.tls) {
      rootNotes(o, [o.tls.cafile, o.tls.certfile, o.tls.keyfile], w)
      if (o.tls.cafile) w.opt('cafile', o.tls.cafile)
      w.opt('certfile', o.tls.certfile)
      w.opt('keyfile', o.tls.keyfile)
      if (o.tls.tlsVersion) w.opt('tls_version', o.tls.tlsVersion)
      if (o.tls.requireCertificate || o.tls.useIdentityAsUsername) w.opt('require_certificate', true)
      if (o.tls.useIdentityAsUsername) w.opt('use_identity_as_username', true)
    }

    if (!mixed) continue
    if (o.target === '2.0') security20(o, l.anonymous || o.allowAnonymous, !l.anonymous, w)
    else {
      w.opt('listener_allow_anonymous', l.anonymous || o.allowAnonymous)
      if (!l.anonymous) for (const name of pluginUses(o)) w.opt('plugin_use', name)
    }
  }

  return header(o, w.names()).join('\n') + '\n' + w.toString()
}

/** Things that start but are probably not what the user wants (stderr warnings). Pure. */
export function reviewGenOptions(o: GenOptions): string[] {
  const notes: string[] = []
  const mixed = isMixed(o)
  const root = o.user === 'root'
  for (const l of o.listeners) {
    if (l.kind !== 'tcp') continue
    const local = LOOPBACK(l.bind)
    const open = l.anonymous && (mixed || !usesAuth(o))
    if (open && !local)
      notes.push(`${where(l)} is open to anyone who can reach it: bind it to 127.0.0.1 or use a Unix socket`)
    if (!l.tls && !local && !open && o.auth.method !== 'none') {
      notes.push(`passwords cross the network unencrypted on ${where(l)}; prefer a TLS listener (--tls-listener)`)
    }

    if (!open && o.auth.method === 'none' && !o.allowAnonymous && !(l.tls && o.tls?.useIdentityAsUsername)) {
      notes.push(
        `nobody can connect on ${where(l)}: give --password-file, --dynsec, --allow-anonymous or --use-identity-as-username`,
      )
    }

    if (o.target === '2.0' && l.protocol === 'websockets' && l.bind?.includes(':')) {
      notes.push(
        `mosquitto 2.0 binds WebSockets listeners through libwebsockets, which fails silently on IPv6 addresses such as ${l.bind} (mosquitto #3383): leave out the address or use IPv4`,
      )
    }

    if (l.port < 1024 && !root) {
      notes.push(
        `mosquitto drops root privileges before opening port ${l.port}, so it cannot bind it: give the binary CAP_NET_BIND_SERVICE, or use a port above 1023`,
      )
    }
  }

  return notes
}

// ---------------------------------------------------------------------------------------------
// Presets and command-line words → options (pure given `found`)

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

const usage = (message: string) => new MqctlError('USAGE_CONFIG', message, {exit: EXIT.usage})

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
  const tlsGiven = [
    'certDir',
    'cafile',
    'certfile',
    'keyfile',
    'requireCertificate',
    'useIdentityAsUsername',
    'tlsVersion',
  ] as const
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
    const stray = tlsGiven.find((k) => given[k] !== undefined && given[k] !== false)
    if (stray)
      throw usage(
        `--${stray.replaceAll(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} needs a TLS listener (--tls-listener PORT or --websockets-listener PORT,tls)`,
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

// ---------------------------------------------------------------------------------------------
// The filesystem: plugin search and path checks

const PLUGIN_DIRS = ['/usr/lib/mosquitto', '/usr/lib', '/usr/local/lib', '/usr/local/lib/mosquitto', '/usr/lib64']

const isFile = (path: string) =>
  stat(path).then(
    (s) => s.isFile(),
    () => false,
  )

/** Where mosquitto's plugins are on this machine: /usr/lib/<multiarch>/, /usr/lib/mosquitto, … */
export async function findPlugins(dirs?: readonly string[]): Promise<FoundPlugins> {
  let search = dirs ? [...dirs] : []
  if (!dirs) {
    const multiarch = await readdir('/usr/lib', {withFileTypes: true}).then(
      (entries) =>
        entries
          .filter((e) => e.isDirectory() && /-linux-gnu|-linux-musl/.test(e.name))
          .map((e) => join('/usr/lib', e.name))
          .sort(),
      () => [],
    )
    search = [...multiarch, ...PLUGIN_DIRS]
  }

  const found: FoundPlugins = {}
  for (const key of Object.keys(PLUGIN_FILES) as Array<keyof FoundPlugins>) {
    for (const dir of search) {
      const path = join(dir, PLUGIN_FILES[key])
      if (await isFile(path)) {
        found[key] = path
        break
      }
    }
  }

  return found
}

interface PathCheck {
  path: string
  what: string
  dir?: boolean
  /** Checked for the directory it would be created in. */
  parent?: boolean
  /** The broker's account must also be able to write the directory. */
  writable?: boolean
  hint?: string
}

function pathsOf(o: GenOptions): PathCheck[] {
  const checks: PathCheck[] = []
  if (o.tls) {
    const hint = 'make one with "mqctl cert server --ca CA_DIR --host NAME --out DIR"'
    if (o.tls.cafile) checks.push({path: o.tls.cafile, what: 'CA certificate (cafile)', hint})
    checks.push(
      {path: o.tls.certfile, what: 'server certificate (certfile)', hint},
      {path: o.tls.keyfile, what: 'server key (keyfile)', hint},
    )
  }

  if (o.auth.method === 'password-file') {
    checks.push({
      path: o.auth.file,
      what: 'password file',
      hint: `create it with "mqctl passwd -c ${o.auth.file} USER"`,
    })
    if (o.auth.plugin) checks.push({path: o.auth.plugin, what: 'password-file plugin (mosquitto 2.1)'})
  }

  if (o.auth.method === 'dynsec') {
    checks.push({
      path: o.auth.file,
      what: 'dynamic-security file',
      hint: `create it with "mqctl dynsec init ${o.auth.file} admin"`,
    })
    checks.push({
      path: dirname(o.auth.file),
      what: 'directory of the dynamic-security file (the plugin rewrites the file there)',
      dir: true,
      writable: true,
    })
    checks.push({path: o.auth.plugin, what: 'dynamic-security plugin'})
  }

  if (o.acl) {
    checks.push({path: o.acl.file, what: 'ACL file'})
    if (o.acl.plugin) checks.push({path: o.acl.plugin, what: 'acl-file plugin (mosquitto 2.1)'})
  }

  if (o.persistence)
    checks.push({path: o.persistence.location, what: 'persistence directory', dir: true, writable: true})
  for (const d of o.log.dest)
    if (typeof d === 'object')
      checks.push({path: dirname(d.file), what: `directory of the log file ${d.file}`, dir: true, writable: true})
  for (const l of o.listeners)
    if (l.kind === 'unix')
      checks.push({path: dirname(l.path), what: `directory of the Unix socket ${l.path}`, dir: true, writable: true})
  return checks
}

export interface PathCheckOptions {
  /** Whether the broker will drop from root to `options.user ?? "mosquitto"`; default: this process runs as root. */
  asRoot?: boolean
}

/**
 * Checks that the files the config names exist and can be read, by this user and, when the
 * broker will be started as root, by the account it drops to. Returns warnings; never throws.
 */
export async function checkGenPaths(o: GenOptions, options: PathCheckOptions = {}): Promise<string[]> {
  const warnings: string[] = []
  const asRoot = options.asRoot ?? process.getuid?.() === 0
  const brokerUser = o.user ?? 'mosquitto'
  const account = asRoot && brokerUser !== 'root' ? await lookupAccount(brokerUser) : undefined
  if (asRoot && brokerUser !== 'root' && !account) {
    warnings.push(
      `there is no user "${brokerUser}" on this machine, and mosquitto started as root refuses to run without it: create it or give --user`,
    )
  }

  const hints = new Set<string>()
  for (const check of pathsOf(o)) {
    try {
      const st = await stat(check.path)
      if (check.dir && !st.isDirectory()) throw Object.assign(new Error('not a directory'), {code: 'ENOTDIR'})
      if (!check.dir && st.isDirectory()) throw Object.assign(new Error('is a directory'), {code: 'EISDIR'})
      await access(check.path, constants.R_OK | (check.dir ? constants.X_OK : 0))
    } catch (error) {
      const hint = check.hint && !hints.has(check.hint) ? `; ${check.hint}` : ''
      if (check.hint) hints.add(check.hint)
      warnings.push(`${check.path} (${check.what}): ${strerror(error)}${hint}`)
      continue
    }

    if (!account) continue
    const problem = await accountCanRead(check.path, account, check.writable).catch(() => undefined)
    if (problem) {
      warnings.push(
        `${check.path} (${check.what}): mosquitto started as root switches to user "${brokerUser}" before opening it, and ${problem}; ` +
          `chown ${brokerUser} it, or give --user`,
      )
    }
  }

  return warnings
}
