import {describe, expect, it} from 'vitest'
import {z} from 'zod'

import {CONF_OPTIONS, VERSIONS} from '../../../src/lib/conf/options.js'

/**
 * The keywords each parser compares the first word of a line with (the strcmp(token, "…")
 * calls of src/conf.c at v2.0.11 and v2.1.2, value words such as "ipv4" left out; plugin_opt_*
 * and auth_opt_* are prefixes). The table must know exactly these, per version.
 */
const SOURCE_KEYWORDS = {
  '2.0':
    'acl_file address addresses allow_anonymous allow_duplicate_messages allow_zero_length_clientid auth_plugin auth_plugin_deny_special_chars auto_id_prefix autosave_interval autosave_on_changes bind_address bind_interface bridge_alpn bridge_attempt_unsubscribe bridge_bind_address bridge_cafile bridge_capath bridge_certfile bridge_identity bridge_insecure bridge_keyfile bridge_max_packet_size bridge_outgoing_retain bridge_protocol_version bridge_psk bridge_require_ocsp bridge_tls_version cafile capath certfile check_retain_source ciphers ciphers_tls1.3 cleansession clientid clientid_prefixes connection connection_messages crlfile dhparamfile http_dir idle_timeout include_dir keepalive_interval keyfile listener local_cleansession local_clientid local_password local_username log_dest log_facility log_timestamp log_timestamp_format log_type max_connections max_inflight_bytes max_inflight_messages max_keepalive max_packet_size max_qos max_queued_bytes max_queued_messages max_topic_alias maximum_qos memory_limit message_size_limit mount_point notification_topic notifications notifications_local_only password password_file per_listener_settings persistence persistence_file persistence_location persistent_client_expiration pid_file plugin port protocol psk_file psk_hint queue_qos0_messages remote_clientid remote_password remote_username require_certificate restart_timeout retain_available retained_persistence retry_interval round_robin set_tcp_nodelay socket_domain start_type sys_interval threshold tls_engine tls_engine_kpass_sha1 tls_keyform tls_version topic try_private upgrade_outgoing_qos use_identity_as_username use_subject_as_username use_username_as_clientid user username websockets_headers_size websockets_log_level '
      .trim()
      .split(' '),
  '2.1':
    'accept_protocol_versions acl_file address addresses allow_anonymous allow_duplicate_messages allow_zero_length_clientid auth_plugin auth_plugin_deny_special_chars auto_id_prefix autosave_interval autosave_on_changes bind_address bind_interface bridge_alpn bridge_attempt_unsubscribe bridge_bind_address bridge_cafile bridge_capath bridge_certfile bridge_ciphers bridge_ciphers_tls1.3 bridge_identity bridge_insecure bridge_keyfile bridge_max_packet_size bridge_max_topic_alias bridge_outgoing_retain bridge_protocol_version bridge_psk bridge_receive_maximum bridge_reload_type bridge_require_ocsp bridge_session_expiry_interval bridge_tcp_keepalive bridge_tcp_user_timeout bridge_tls_use_os_certs bridge_tls_version cafile capath certfile check_retain_source ciphers ciphers_tls1.3 cleansession clientid clientid_prefixes connection connection_messages crlfile dhparamfile disable_client_cert_date_checks enable_control_api enable_proxy_protocol global_max_clients global_max_connections global_plugin http_dir idle_timeout include_dir keepalive_interval keyfile listener listener_allow_anonymous listener_auto_id_prefix local_cleansession local_clientid local_password local_username log_dest log_facility log_timestamp log_timestamp_format log_type max_connections max_inflight_bytes max_inflight_messages max_keepalive max_packet_size max_qos max_queued_bytes max_queued_messages max_topic_alias max_topic_alias_broker maximum_qos memory_limit message_size_limit mount_point notification_topic notifications notifications_local_only packet_buffer_size password password_file per_listener_settings persistence persistence_file persistence_location persistent_client_expiration pid_file plugin plugin_load plugin_use port protocol proxy_protocol_v2_require_tls psk_file psk_hint queue_qos0_messages remote_clientid remote_password remote_username require_certificate restart_timeout retain_available retain_expiry_interval retained_persistence retry_interval round_robin set_tcp_nodelay socket_domain start_type sys_interval threshold tls_engine tls_engine_kpass_sha1 tls_keyform tls_version topic try_private upgrade_outgoing_qos use_identity_as_username use_subject_as_username use_username_as_clientid user username websockets_headers_size websockets_log_level websockets_origin '
      .trim()
      .split(' '),
}

const Rule = z
  .object({
    kind: z.enum(['bool', 'int', 'string', 'enum', 'none', 'special']),
    scope: z.enum(['global', 'listener', 'security', 'bridge', 'plugin']),
    min: z.number().optional(),
    max: z.number().optional(),
    values: z.array(z.string()).readonly().optional(),
  })
  .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, 'min above max')
  .refine((r) => r.kind !== 'enum' || (r.values?.length ?? 0) > 0, 'an enum without values')

describe('the option table', () => {
  it('knows exactly the keywords of each version of the parser', () => {
    for (const v of VERSIONS) {
      const known = Object.values(CONF_OPTIONS)
        .filter((o) => o.rules[v])
        .map((o) => o.name)
        .sort()
      expect(known, v).toEqual([...SOURCE_KEYWORDS[v]].sort())
    }
  })

  it('has well-formed rules', () => {
    for (const o of Object.values(CONF_OPTIONS)) {
      for (const v of o.versions) expect(Rule.safeParse(o.rules[v]).success, `${o.name} ${v}`).toBe(true)
    }
  })
})
