/**
 * config gen's model: the options (zod), validated as one usage error naming every problem.
 */
import {z} from 'zod'

import {MqctlError} from '../errors.js'
import {isMixed, usesAuth} from './gen-layout.js'
import {CONF_OPTIONS} from './options.js'

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
  throw new MqctlError('USAGE_CONFIG', [...new Set(problems)].join('; '))
}
