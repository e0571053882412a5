/**
 * Facts about the dynamic-security plugin that several tests build on, written from the spec
 * (3.1–3.5) and the plugin's own `dynsec init`, not taken from src/: a test of mqctl's catalog
 * must not borrow its expectations from it.
 */

/** The plugin's six role ACL types, in the plugin's order. */
export const PLUGIN_ACL_TYPES = [
  'publishClientSend',
  'publishClientReceive',
  'subscribeLiteral',
  'subscribePattern',
  'unsubscribeLiteral',
  'unsubscribePattern',
] as const

/** The admin role as `dynsec init` makes it, as YAML list items under `roles:` (so --prune keeps it). */
export const INIT_ADMIN_ROLE_YAML = `
  - rolename: admin
    acls:
      - {acltype: publishClientSend, topic: $CONTROL/dynamic-security/#, allow: true}
      - {acltype: publishClientReceive, topic: $CONTROL/dynamic-security/#, allow: true}
      - {acltype: publishClientReceive, topic: $SYS/#, allow: true}
      - {acltype: publishClientReceive, topic: "#", allow: true}
      - {acltype: subscribePattern, topic: $CONTROL/dynamic-security/#, allow: true}
      - {acltype: subscribePattern, topic: $SYS/#, allow: true}
      - {acltype: subscribePattern, topic: "#", allow: true}
      - {acltype: unsubscribePattern, topic: "#", allow: true}`
