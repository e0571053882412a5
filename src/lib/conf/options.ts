/**
 * The mosquitto.conf option table, restated from the broker's own parser (src/conf.c and the code
 * it calls) at v2.0.11 and v2.1.2. One row per keyword; each version that knows the keyword has
 * its own rule, so a difference between versions is a difference between two rules in one row.
 * The checker (check.ts) interprets these rules; nothing else in mqctl restates them.
 */
export type Version = '2.0' | '2.1'
export const VERSIONS: readonly Version[] = ['2.0', '2.1']

/**
 * global: one value for the broker. listener: the current listener block. security: global, or
 * the current listener's when per_listener_settings is true. bridge: needs a `connection` line
 * earlier in the same file. plugin: attaches to the latest plugin of the same file.
 */
export type Scope = 'global' | 'listener' | 'security' | 'bridge' | 'plugin'

/**
 * How the value is read. bool: the next word, exactly true|false|1|0. int: the next word through
 * C's atoi (garbage is 0). string: the rest of the line, blanks trimmed, valid UTF-8 without
 * control characters, at most 65535 bytes. enum: the next word, one of `values`. none: no value
 * is read. special: the checker has code for it (listener, log_dest, topic, …).
 */
export type Kind = 'bool' | 'int' | 'string' | 'enum' | 'none' | 'special'

/**
 * Where an option may stand (2.1 refuses otherwise). listener: after a listener or the default
 * listener. own-listener: after a `listener` line. listener-or-default: creates the default
 * listener (port 1883) when none is open. listener-if-per-listener: needs a listener only when
 * per_listener_settings is true.
 */
export type Needs = 'listener' | 'own-listener' | 'listener-or-default' | 'listener-if-per-listener'

/** Files the broker opens (or writes) because of an option; see lib/files/broker-files.ts. */
export type FileKind =
  | 'password'
  | 'acl'
  | 'psk'
  | 'ca'
  | 'capath'
  | 'cert'
  | 'key'
  | 'crl'
  | 'dhparam'
  | 'plugin'
  | 'http-dir'
  | 'include-dir'
  | 'written'

export interface Rule {
  kind: Kind
  scope: Scope
  /** The broker refuses a value below min or above max (after atoi). */
  min?: number
  max?: number
  /** enum values the broker accepts. */
  values?: readonly string[]
  /** enum values it knows and refuses, with its reason. */
  refused?: Readonly<Record<string, string>>
  /** An empty value is reported by the broker but does not stop it (2.0 quirks). */
  emptyOk?: boolean
  /** A second value in the same slot (scope instance) is "Duplicate … value". */
  dup?: boolean
  /** The storage slot shared with an alias (clientid and remote_clientid), for duplicates. */
  slot?: string
  needs?: Needs
  /** 2.0: setting it makes the implicit default listener real (port 1883 or `port`). */
  activatesDefault?: boolean
  /** Longest accepted string value (2.1 auto_id_prefix: 50). */
  maxLength?: number
  /** What the broker logs when it meets the option (warnings and notices; it still starts). */
  notice?: string
  /** mqctl's advice: the replacement to use. */
  deprecated?: string
}

export interface OptionSpec {
  name: string
  rules: Partial<Record<Version, Rule>>
  file?: FileKind
  /** Which versions know the keyword (derived from rules). */
  versions: readonly Version[]
  /** The scope (the same in every version that knows it). */
  scope: Scope
  /** The enum values of the newest rule, for generators. */
  values?: readonly string[]
}

type Extra = Partial<Rule>
const r = (kind: Kind, scope: Scope, extra: Extra = {}): Rule => ({kind, scope, ...extra})
const bool = (scope: Scope, extra: Extra = {}) => r('bool', scope, extra)
const int = (scope: Scope, extra: Extra = {}) => r('int', scope, extra)
const str = (scope: Scope, extra: Extra = {}) => r('string', scope, {dup: true, ...extra})
const en = (scope: Scope, values: readonly string[], extra: Extra = {}) => r('enum', scope, {values, ...extra})
const sp = (scope: Scope, extra: Extra = {}) => r('special', scope, extra)
/** The same rule in both versions, with 2.1 changes merged over it. */
const both = (rule: Rule, v21: Extra = {}): Partial<Record<Version, Rule>> => ({'2.0': rule, '2.1': {...rule, ...v21}})
const only21 = (rule: Rule): Partial<Record<Version, Rule>> => ({'2.1': rule})

const LOG_TYPES = [
  'none',
  'information',
  'notice',
  'warning',
  'error',
  'debug',
  'subscribe',
  'unsubscribe',
  'internal',
  'websockets',
  'all',
]
const LOG_DESTS = ['none', 'syslog', 'stdout', 'stderr', 'topic', 'dlt', 'file']
/** 2.1 no longer stores these twice: it frees the old value first. */
const noDup21: Extra = {dup: false}
const L = 'listener' as const
const LD: Extra = {needs: 'listener-or-default'}
const LD_ND: Extra = {needs: 'listener-or-default', dup: false}
const LL: Extra = {needs: 'listener'}
const SEC: Extra = {needs: 'listener-if-per-listener'}
const DEF: Extra = {activatesDefault: true}
const BR = 'bridge' as const
const G = 'global' as const
const S = 'security' as const

const ROWS: Record<string, Partial<Record<Version, Rule>>> = {
  // ---- security options (global, or per listener with per_listener_settings true)
  acl_file: both(str(S), {...SEC, ...noDup21, deprecated: 'plugin_load with the acl-file plugin'}),
  allow_anonymous: both(bool(S), SEC),
  allow_zero_length_clientid: both(bool(S, DEF), SEC),
  auth_plugin: both(sp(S, {...DEF, deprecated: 'plugin'}), SEC),
  plugin: both(sp(S, DEF), SEC),
  global_plugin: only21(sp(G)),
  plugin_load: only21(sp(G)),
  plugin_use: only21(sp(L, {needs: 'own-listener'})),
  auth_plugin_deny_special_chars: both(bool('plugin')),
  auto_id_prefix: both(str(S), {...SEC, maxLength: 50, deprecated: 'listener_auto_id_prefix'}),
  password_file: both(str(S, DEF), {...SEC, ...noDup21, deprecated: 'plugin_load with the password-file plugin'}),
  psk_file: both(str(S, DEF), {...SEC, ...noDup21}),
  listener_allow_anonymous: only21(bool(L, LL)),
  listener_auto_id_prefix: only21(str(L, {...LL, maxLength: 50})),
  // 2.0 counts it as a security setting (for the per_listener_settings order); 2.1 does not.
  check_retain_source: {'2.0': bool(S), '2.1': bool(G)},
  per_listener_settings: both(sp(G), {deprecated: 'listener_allow_anonymous and plugin_use'}),
  // ---- global options
  allow_duplicate_messages: both(bool(G, {notice: 'deprecated; the behaviour will default to true'})),
  autosave_interval: both(int(G)),
  autosave_on_changes: both(bool(G)),
  clientid_prefixes: both(str(G, {deprecated: 'a plugin'}), noDup21),
  connection_messages: both(bool(G)),
  enable_control_api: only21(bool(G)),
  global_max_clients: only21(int(G)),
  global_max_connections: only21(int(G)),
  include_dir: both(sp(G)),
  log_dest: both(sp(G, {values: LOG_DESTS}), {values: [...LOG_DESTS, 'android']}),
  log_facility: both(int(G, {min: 0, max: 7})),
  log_timestamp: both(bool(G)),
  log_timestamp_format: both(str(G)),
  log_type: both(en(G, LOG_TYPES, {emptyOk: true}), {emptyOk: false}),
  max_inflight_bytes: both(int(G)),
  max_inflight_messages: both(int(G, {max: 65_535})),
  max_keepalive: both(int(G, {min: 10, max: 65_535}), {min: 0}),
  max_packet_size: both(int(G, {min: 20})),
  max_queued_bytes: both(int(G)),
  max_queued_messages: both(int(G)),
  // Read with atol (64 bits, garbage is 0) in both versions.
  memory_limit: both(sp(G)),
  // Read into an unsigned int: a negative number is huge and refused.
  message_size_limit: both(int(G, {min: 0, max: 268_435_455, deprecated: 'max_packet_size'})),
  packet_buffer_size: only21(int(G, {min: 0, max: 65_535, slot: 'websockets_headers_size'})),
  persistence: both(bool(G)),
  retained_persistence: both(bool(G, {slot: 'persistence', deprecated: 'persistence'})),
  persistence_file: both(str(G)),
  persistence_location: both(str(G)),
  persistent_client_expiration: both(sp(G, {emptyOk: true}), {emptyOk: false}),
  pid_file: both(str(G)),
  queue_qos0_messages: both(bool(G)),
  retain_available: both(bool(G)),
  retain_expiry_interval: only21(int(G, {min: 1})),
  retry_interval: both(r('none', G, {notice: 'Warning: The retry_interval option is no longer available.'})),
  set_tcp_nodelay: both(bool(G)),
  sys_interval: both(int(G, {min: 0, max: 65_535})),
  upgrade_outgoing_qos: both(bool(G)),
  user: both(str(G, {dup: false})),
  websockets_headers_size: both(int(G, {min: 0, max: 65_535})),
  // 2.1's default build (built-in websockets) reads the keyword and ignores the value.
  websockets_log_level: {'2.0': int(G), '2.1': r('none', G)},
  // ---- listeners
  listener: both(sp(L)),
  port: both(sp(L, {deprecated: 'listener'})),
  bind_address: both(sp(L, {deprecated: 'listener PORT ADDRESS'})),
  accept_protocol_versions: only21(sp(L, {needs: 'own-listener'})),
  bind_interface: both(str(L, DEF), LD),
  cafile: both(str(L, DEF), {...LL, dup: false}),
  capath: both(str(L, DEF), LD_ND),
  certfile: both(str(L, DEF), LD_ND),
  keyfile: both(str(L, DEF), LD_ND),
  ciphers: both(str(L, DEF), LD_ND),
  'ciphers_tls1.3': both(str(L, DEF), LD_ND),
  crlfile: both(str(L, DEF), LD_ND),
  // 2.1 only warns "no longer required" and reads nothing.
  dhparamfile: {'2.0': str(L, DEF), '2.1': r('none', L, {notice: 'Warning: dhparamfile is no longer required.'})},
  disable_client_cert_date_checks: only21(bool(L, LL)),
  enable_proxy_protocol: only21(int(L, {...LL, min: 1, max: 2})),
  proxy_protocol_v2_require_tls: only21(bool(L, LL)),
  http_dir: both(str(L), LL),
  max_connections: both(int(L, {...DEF, emptyOk: true}), {...LD, emptyOk: false}),
  max_qos: both(int(L, {...DEF, min: 0, max: 2}), LD),
  maximum_qos: both(int(L, {...DEF, min: 0, max: 2}), LD),
  max_topic_alias: both(int(L, {min: 0, max: 65_535}), LL),
  max_topic_alias_broker: only21(int(L, {...LL, min: 0, max: 65_535})),
  mount_point: both(str(L, DEF), {...LL, dup: false}),
  protocol: both(en(L, ['mqtt', 'websockets'], {...DEF, emptyOk: true}), {
    ...LD,
    emptyOk: false,
    values: ['mqtt', 'websockets', 'http_api'],
  }),
  psk_hint: both(str(L, DEF), LD),
  require_certificate: both(bool(L, DEF), LD),
  socket_domain: both(en(L, ['ipv4', 'ipv6'], DEF), LD),
  tls_engine: both(str(L, DEF), LD),
  tls_engine_kpass_sha1: both(str(L, {...DEF, dup: false}), LD),
  // Any value is accepted: "engine" selects the engine, everything else is PEM.
  tls_keyform: both(str(L, {...DEF, dup: false}), LD),
  tls_version: both(str(L), LL),
  use_identity_as_username: both(bool(L, DEF), LD),
  use_subject_as_username: both(bool(L, DEF), LD),
  use_username_as_clientid: both(bool(L, DEF), LD),
  websockets_origin: only21(str(L, {...LL, dup: false})),
  // ---- bridges
  connection: both(sp(BR)),
  address: both(sp(BR, {slot: 'address'})),
  addresses: both(sp(BR, {slot: 'address'})),
  topic: both(sp(BR)),
  bridge_alpn: both(str(BR)),
  bridge_attempt_unsubscribe: both(bool(BR)),
  bridge_bind_address: both(str(BR)),
  bridge_cafile: both(str(BR)),
  bridge_capath: both(str(BR)),
  bridge_certfile: both(str(BR)),
  bridge_keyfile: both(str(BR), noDup21),
  bridge_ciphers: only21(str(BR)),
  'bridge_ciphers_tls1.3': only21(str(BR)),
  bridge_identity: both(str(BR)),
  bridge_insecure: both(bool(BR)),
  bridge_max_packet_size: both(int(BR)),
  bridge_max_topic_alias: only21(int(BR, {min: 0, max: 65_535})),
  bridge_outgoing_retain: both(bool(BR)),
  bridge_protocol_version: both(sp(BR)),
  bridge_psk: both(str(BR)),
  bridge_receive_maximum: only21(int(BR, {min: 1, max: 65_535})),
  bridge_reload_type: only21(en(BR, ['lazy', 'immediate'])),
  bridge_require_ocsp: both(bool(BR)),
  bridge_session_expiry_interval: only21(int(BR, {min: 0, max: 4_294_967_295})),
  bridge_tcp_keepalive: only21(sp(BR)),
  bridge_tcp_user_timeout: only21(int(BR, {min: 0})),
  bridge_tls_use_os_certs: only21(bool(BR)),
  bridge_tls_version: both(str(BR)),
  cleansession: both(bool(BR)),
  local_cleansession: both(bool(BR)),
  clientid: both(str(BR, {slot: 'remote_clientid'})),
  remote_clientid: both(str(BR, {slot: 'remote_clientid'})),
  idle_timeout: both(int(BR)),
  keepalive_interval: both(int(BR, {max: 65_535})),
  local_clientid: both(str(BR)),
  local_password: both(str(BR)),
  local_username: both(str(BR)),
  notifications: both(bool(BR)),
  notifications_local_only: both(bool(BR)),
  notification_topic: both(str(BR)),
  password: both(str(BR, {slot: 'remote_password'})),
  remote_password: both(str(BR, {slot: 'remote_password'})),
  username: both(str(BR, {slot: 'remote_username'})),
  remote_username: both(str(BR, {slot: 'remote_username'})),
  restart_timeout: both(sp(BR)),
  round_robin: both(bool(BR)),
  start_type: both(en(BR, ['automatic', 'lazy', 'once'], {refused: {manual: 'Manual start_type not supported.'}})),
  threshold: both(int(BR)),
  try_private: both(bool(BR)),
}

const FILES: Record<string, FileKind> = {
  acl_file: 'acl',
  password_file: 'password',
  psk_file: 'psk',
  plugin: 'plugin',
  auth_plugin: 'plugin',
  global_plugin: 'plugin',
  cafile: 'ca',
  capath: 'capath',
  certfile: 'cert',
  keyfile: 'key',
  crlfile: 'crl',
  dhparamfile: 'dhparam',
  http_dir: 'http-dir',
  include_dir: 'include-dir',
  pid_file: 'written',
  persistence_location: 'written',
}

export const CONF_OPTIONS: Readonly<Record<string, OptionSpec>> = Object.fromEntries(
  Object.entries(ROWS).map(([name, rules]) => {
    const versions = VERSIONS.filter((v) => rules[v])
    const newest = rules['2.1'] ?? rules['2.0']!
    const spec: OptionSpec = {name, rules, versions, scope: newest.scope, values: newest.values, file: FILES[name]}
    return [name, spec]
  }),
)

/** `plugin_opt_*` and `auth_opt_*` attach to the latest plugin of the same file. */
export const isPluginOption = (name: string): boolean => name.startsWith('plugin_opt_') || name.startsWith('auth_opt_')

/** The rule a version applies to a keyword, or undefined when that version does not know it. */
export function ruleFor(name: string, target: Version): Rule | undefined {
  return Object.hasOwn(CONF_OPTIONS, name) ? CONF_OPTIONS[name].rules[target] : undefined
}
