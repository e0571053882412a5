/**
 * mosquitto.conf options (spec 5.2 and mosquitto.conf(5)): value type, scope and versions.
 * `security` options are global unless per_listener_settings is true, then per listener.
 */
export type ValueType = 'bool' | 'int' | 'string' | 'port' | 'listener' | 'enum' | 'words'
export type Scope = 'global' | 'listener' | 'security' | 'bridge'

export interface OptionSpec {
  type: ValueType
  scope: Scope
  /** Versions that know the option. */
  versions: ReadonlyArray<'2.0' | '2.1'>
  values?: readonly string[]
  /** Repeating it in one scope is "Duplicate … value" (string options the broker stores once). */
  unique?: boolean
  deprecated?: {in: '2.0' | '2.1'; use: string}
  /** Names a file the broker opens at start-up. */
  file?: 'password' | 'acl' | 'psk' | 'ca' | 'cert' | 'key' | 'plugin' | 'dir' | 'other'
}

const both = ['2.0', '2.1'] as const
const only21 = ['2.1'] as const
const o = (type: ValueType, scope: Scope, extra: Partial<OptionSpec> = {}): OptionSpec => ({
  type,
  scope,
  versions: both,
  ...extra,
})

export const CONF_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  // security (global, or per listener with per_listener_settings true)
  acl_file: o('string', 'security', {
    unique: true,
    file: 'acl',
    deprecated: {in: '2.1', use: 'plugin_load with the acl-file plugin'},
  }),
  allow_anonymous: o('bool', 'security'),
  allow_zero_length_clientid: o('bool', 'security'),
  auth_plugin: o('string', 'security', {file: 'plugin', deprecated: {in: '2.0', use: 'plugin'}}),
  plugin: o('string', 'security', {file: 'plugin'}),
  auth_plugin_deny_special_chars: o('bool', 'security'),
  auto_id_prefix: o('string', 'security'),
  password_file: o('string', 'security', {
    unique: true,
    file: 'password',
    deprecated: {in: '2.1', use: 'plugin_load with the password-file plugin'},
  }),
  psk_file: o('string', 'security', {unique: true, file: 'psk'}),
  // global
  allow_duplicate_messages: o('bool', 'global'),
  autosave_interval: o('int', 'global'),
  autosave_on_changes: o('bool', 'global'),
  check_retain_source: o('bool', 'global'),
  clientid_prefixes: o('string', 'global'),
  connection_messages: o('bool', 'global'),
  include_dir: o('string', 'global', {file: 'dir'}),
  log_dest: o('words', 'global', {values: ['none', 'stdout', 'stderr', 'syslog', 'topic', 'dlt', 'file']}),
  log_facility: o('int', 'global'),
  log_timestamp: o('bool', 'global'),
  log_timestamp_format: o('string', 'global'),
  log_type: o('enum', 'global', {
    values: [
      'none',
      'information',
      'notice',
      'warning',
      'error',
      'debug',
      'subscribe',
      'unsubscribe',
      'websockets',
      'all',
    ],
  }),
  max_inflight_bytes: o('int', 'global'),
  max_inflight_messages: o('int', 'global'),
  max_keepalive: o('int', 'global'),
  max_packet_size: o('int', 'global'),
  max_queued_bytes: o('int', 'global'),
  max_queued_messages: o('int', 'global'),
  memory_limit: o('int', 'global'),
  message_size_limit: o('int', 'global', {deprecated: {in: '2.0', use: 'max_packet_size'}}),
  per_listener_settings: o('bool', 'global'),
  persistence: o('bool', 'global'),
  persistence_file: o('string', 'global', {unique: true}),
  persistence_location: o('string', 'global', {unique: true}),
  persistent_client_expiration: o('string', 'global'),
  pid_file: o('string', 'global', {unique: true}),
  queue_qos0_messages: o('bool', 'global'),
  retain_available: o('bool', 'global'),
  set_tcp_nodelay: o('bool', 'global'),
  sys_interval: o('int', 'global'),
  upgrade_outgoing_qos: o('bool', 'global'),
  user: o('string', 'global'),
  websockets_headers_size: o('int', 'global'),
  websockets_log_level: o('int', 'global'),
  // listeners
  listener: o('listener', 'listener'),
  port: o('port', 'listener', {deprecated: {in: '2.0', use: 'listener'}}),
  bind_address: o('string', 'listener', {deprecated: {in: '2.0', use: 'listener PORT ADDRESS'}}),
  bind_interface: o('string', 'listener'),
  http_dir: o('string', 'listener', {file: 'dir'}),
  max_connections: o('int', 'listener'),
  max_qos: o('int', 'listener'),
  max_topic_alias: o('int', 'listener'),
  mount_point: o('string', 'listener'),
  protocol: o('enum', 'listener', {values: ['mqtt', 'websockets']}),
  socket_domain: o('enum', 'listener', {values: ['ipv4', 'ipv6']}),
  use_username_as_clientid: o('bool', 'listener'),
  cafile: o('string', 'listener', {file: 'ca'}),
  capath: o('string', 'listener', {file: 'dir'}),
  certfile: o('string', 'listener', {file: 'cert'}),
  keyfile: o('string', 'listener', {file: 'key'}),
  ciphers: o('string', 'listener'),
  'ciphers_tls1.3': o('string', 'listener'),
  crlfile: o('string', 'listener', {file: 'other'}),
  dhparamfile: o('string', 'listener', {file: 'other'}),
  require_certificate: o('bool', 'listener'),
  tls_engine: o('string', 'listener'),
  tls_engine_kpass_sha1: o('string', 'listener'),
  tls_keyform: o('enum', 'listener', {values: ['pem', 'engine']}),
  tls_version: o('enum', 'listener', {values: ['tlsv1.3', 'tlsv1.2', 'tlsv1.1']}),
  use_identity_as_username: o('bool', 'listener'),
  use_subject_as_username: o('bool', 'listener'),
  psk_hint: o('string', 'listener'),
  // bridges (accepted, not modelled)
  connection: o('string', 'bridge'),
  address: o('string', 'bridge'),
  addresses: o('string', 'bridge'),
  topic: o('string', 'bridge'),
  bridge_attempt_unsubscribe: o('bool', 'bridge'),
  bridge_bind_address: o('string', 'bridge'),
  bridge_cafile: o('string', 'bridge'),
  bridge_capath: o('string', 'bridge'),
  bridge_certfile: o('string', 'bridge'),
  bridge_keyfile: o('string', 'bridge'),
  bridge_ciphers: o('string', 'bridge'),
  bridge_identity: o('string', 'bridge'),
  bridge_insecure: o('bool', 'bridge'),
  bridge_max_packet_size: o('int', 'bridge'),
  bridge_outgoing_retain: o('bool', 'bridge'),
  bridge_protocol_version: o('string', 'bridge'),
  bridge_psk: o('string', 'bridge'),
  bridge_require_ocsp: o('bool', 'bridge'),
  bridge_tls_version: o('string', 'bridge'),
  cleansession: o('bool', 'bridge'),
  local_cleansession: o('bool', 'bridge'),
  clientid: o('string', 'bridge'),
  idle_timeout: o('int', 'bridge'),
  keepalive_interval: o('int', 'bridge'),
  local_clientid: o('string', 'bridge'),
  local_password: o('string', 'bridge'),
  local_username: o('string', 'bridge'),
  notifications: o('bool', 'bridge'),
  notifications_local_only: o('bool', 'bridge'),
  notification_topic: o('string', 'bridge'),
  remote_clientid: o('string', 'bridge'),
  remote_password: o('string', 'bridge'),
  remote_username: o('string', 'bridge'),
  restart_timeout: o('string', 'bridge'),
  round_robin: o('bool', 'bridge'),
  start_type: o('enum', 'bridge', {values: ['automatic', 'lazy', 'once']}),
  threshold: o('int', 'bridge'),
  try_private: o('bool', 'bridge'),
  // 2.1
  global_plugin: {type: 'string', scope: 'global', versions: only21, file: 'plugin'},
  plugin_load: {type: 'string', scope: 'global', versions: only21},
  plugin_use: {type: 'string', scope: 'listener', versions: only21},
  listener_allow_anonymous: {type: 'bool', scope: 'listener', versions: only21},
  listener_auto_id_prefix: {type: 'string', scope: 'listener', versions: only21},
  enable_control_api: {type: 'bool', scope: 'global', versions: only21},
  accept_protocol_versions: {type: 'string', scope: 'listener', versions: only21},
  global_max_clients: {type: 'int', scope: 'global', versions: only21},
  global_max_connections: {type: 'int', scope: 'global', versions: only21},
}

/** `plugin_opt_*` and `auth_opt_*` attach to the latest plugin. */
export const isPluginOption = (name: string): boolean => name.startsWith('plugin_opt_') || name.startsWith('auth_opt_')
