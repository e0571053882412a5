import {
  atoi,
  checkValue,
  defaultListener,
  err,
  readInt,
  newListener,
  show,
  warn,
  type CheckState,
  type ListenerModel,
} from './check.js'
import type {Rule} from './options.js'
import type {ConfEntry} from './parse.js'

/**
 * Options whose values the broker reads with code of their own (ports, log_dest, bridge topics
 * and addresses, plugins, ordering rules). Each handler records its errors and returns whether
 * the value was taken.
 */
type Handler = (s: CheckState, e: ConfEntry, rule: Rule) => boolean

const invalid = (s: CheckState, e: ConfEntry, message: string) => (err(s, e, 'conf/invalid-value', message), false)
const empty = (s: CheckState, e: ConfEntry, what = e.name) => (
  err(s, e, 'conf/empty-value', `Empty ${what} value in configuration.`),
  false
)

function port(s: CheckState, e: ConfEntry, portText: string, min: number): number | undefined {
  const n = readInt(s, e, portText, e.name === 'listener' ? 'listener port' : 'port')
  if (n === undefined) return undefined
  if (n < min || n > 65_535) {
    invalid(s, e, `Invalid port value (${n}).`)
    return undefined
  }

  if (!/^\d+$/.test(portText)) {
    warn(s, e, 'conf/port-text', `port "${show(portText)}" is read as ${n} (mosquitto takes the leading digits)`)
  }

  return n
}

/** 2.0 keeps the default listener in reserve; `port` and `bind_address` set it, not the current block. */
function theDefault(s: CheckState, e: ConfEntry): ListenerModel {
  if (s.target === '2.1') {
    s.file.listener = defaultListener(s, e)
    return s.file.listener
  }

  s.defaultActive = true
  return s.defaultListener!
}

/** A topic a client may publish to: no wildcards, at most 65535 bytes and 200 levels. */
const pubTopicOk = (t: string) =>
  !/[+#]/.test(t) && Buffer.byteLength(t) <= 65_535 && (t.match(/\//g)?.length ?? 0) <= 200

const certOrPsk = (s: CheckState, e: ConfEntry, rule: Rule, psk: boolean): boolean => {
  const b = s.file.bridge!
  const clash = psk
    ? ['bridge_cafile', 'bridge_capath', 'bridge_certfile', 'bridge_keyfile'].some((k) => b.slots.has(k))
    : ['bridge_identity', 'bridge_psk'].some((k) => b.slots.has(k))
  if (clash) return invalid(s, e, 'Cannot use both certificate and psk encryption in a single bridge.')
  return checkValue(s, e, rule)
}

const plugin: Handler = (s, e, rule) => {
  s.file.plugin = true
  if (s.target === '2.0') return checkValue(s, e, {...rule, kind: 'string', dup: false})
  // 2.1 takes the path as it follows the keyword, untrimmed.
  if (e.rest === '') return invalid(s, e, `Missing plugin path for plugin '${e.name}'.`)
  if (e.name === 'global_plugin') s.securitySeen = true
  return true
}

export const SPECIAL: Record<string, Handler> = {
  listener(s, e) {
    s.listenerSeen = true
    const [portText = '', rawBind] = e.words
    if (portText === '') return empty(s, e)
    const n = port(s, e, portText, 0)
    if (n === undefined) return false
    const bind = rawBind?.startsWith('#') ? undefined : rawBind
    if (n === 0 && !bind) return invalid(s, e, 'A listener with port 0 must provide a Unix socket path.')
    const l = newListener(e, n, bind)
    s.listeners.push(l)
    s.file.listener = l
    return true
  },
  port(s, e) {
    s.listenerSeen = true
    if (e.word === '') return empty(s, e)
    const n = port(s, e, e.word, 1)
    if (n === undefined) return false
    const l = theDefault(s, e)
    l.port = n
    l.entry = e
    return true
  },
  bind_address(s, e, rule) {
    s.listenerSeen = true
    const l = theDefault(s, e)
    const before = s.file.listener
    s.file.listener = l
    const ok = checkValue(s, e, {...rule, kind: 'string', dup: true, slot: 'bind_address'})
    if (ok) l.options.set('bind_address', e)
    s.file.listener = s.target === '2.0' ? before : l
    if (ok) l.bind = e.value
    return false // stored above, in the default listener
  },
  per_listener_settings(s, e, rule) {
    if (s.target === '2.1' && s.perListener) return true // once true, it stays true
    if (!checkValue(s, e, {...rule, kind: 'bool'})) return false
    const on = e.word === 'true' || e.word === '1'
    if (on && s.securitySeen) {
      err(s, e, 'conf/per-listener-order', 'per_listener_settings must be set before any other security settings.')
      return false
    }

    s.perListener = on
    return true
  },
  include_dir(s, e) {
    const depth = (e as ConfEntry & {depth?: number}).depth ?? 0
    if (depth > 0) {
      if (s.target === '2.0') return true // read only in the main file; ignored elsewhere
      return invalid(s, e, 'The include_dir option is only valid in the main configuration file.')
    }

    if (e.rest === '') return empty(s, e)
    return true
  },
  log_dest(s, e, rule) {
    if (e.word === '') return empty(s, e)
    if (!rule.values!.includes(e.word)) return invalid(s, e, `Invalid log_dest value (${show(e.word)}).`)
    if (e.word !== 'file') return true
    if (s.logFile !== undefined) return invalid(s, e, 'Duplicate "log_dest file" value.')
    const path = e.rest.slice(e.rest.indexOf('file') + 4).replace(/^[ \t]+/, '')
    if (path === '') return empty(s, e, '"log_dest file"')
    s.logFile = path
    return true
  },
  listener_auto_id_prefix(s, e, rule) {
    // The listener's own security options: the slot auto_id_prefix fills with per_listener_settings.
    const l = s.file.listener!
    if (e.rest !== '' && l.security.has('auto_id_prefix'))
      return invalid(s, e, `Duplicate ${e.name} value in configuration.`)
    if (!checkValue(s, e, rule)) return false
    l.security.set('auto_id_prefix', [e])
    return false // stored above
  },
  memory_limit(s, e) {
    if (e.word === '') return empty(s, e)
    const m = /^[ \t\n\v\f\r]*-\d*[1-9]/.exec(e.word)
    if (m) return invalid(s, e, `Invalid memory_limit value (${show(e.word)}).`)
    return true
  },
  persistent_client_expiration(s, e, rule) {
    if (e.word === '') return rule.emptyOk ? false : empty(s, e)
    const units: Record<string, number> = {h: 3600, d: 86_400, w: 604_800, m: 2_592_000, y: 31_536_000}
    if (s.target === '2.1') units.s = 1
    const mult = units[e.word.at(-1)!]
    if (!mult || atoi(e.word.slice(0, -1)) * mult <= 0)
      return invalid(s, e, 'Invalid persistent_client_expiration duration in configuration.')
    return true
  },
  tls_engine_kpass_sha1(s, e, rule) {
    // 2.0 keeps the value's buffer for the whole file: a second one in the same file is a duplicate.
    if (s.target === '2.0' && s.file.kpass && e.rest !== '')
      return invalid(s, e, 'Duplicate tls_engine_kpass_sha1 value in configuration.')
    if (!checkValue(s, e, rule)) return false
    if (s.target === '2.0') s.file.kpass = true
    if (!/^[0-9a-fA-F]{40}$/.test(e.value)) return invalid(s, e, 'tls_engine_kpass_sha1 is not a SHA-1 in hex.')
    return true
  },
  mount_point(s, e, rule) {
    if (s.target === '2.0' && !s.listeners.some((l) => !l.isDefault))
      return invalid(
        s,
        e,
        'You must use create a listener before using the mount_point option in the configuration file.',
      )
    if (!checkValue(s, e, rule)) return false
    if (!pubTopicOk(e.value))
      return invalid(s, e, `Invalid mount_point '${show(e.value)}'. Does it contain a wildcard character?`)
    return true
  },
  cafile: (s, e, rule) => {
    if (s.file.listener?.options.has('psk_hint')) {
      s.file.listener.refusesCertAndPsk = true
      err(s, e, 'conf/cert-and-psk', 'Cannot use both certificate and psk encryption in a single listener.')
      return false
    }

    return checkValue(s, e, rule)
  },
  psk_file(s, e, rule) {
    if (s.target === '2.1' && s.file.listener?.options.has('certfile'))
      return invalid(s, e, 'Cannot use both certificate and psk encryption in a single listener.')
    return checkValue(s, e, rule)
  },
  plugin,
  auth_plugin: plugin,
  global_plugin: plugin,
  plugin_load(s, e) {
    const [name = ''] = e.words
    if (name === '') return empty(s, e)
    if (s.pluginNames.has(name)) return invalid(s, e, `Duplicate plugin name '${show(name)}'.`)
    const after = e.rest.replace(/^ */, '').slice(name.length + 1)
    if (after === '') return invalid(s, e, `Missing plugin path for plugin name '${show(name)}'.`)
    s.pluginNames.add(name)
    s.file.plugin = true
    return true
  },
  plugin_use(s, e, rule) {
    if (!checkValue(s, e, {...rule, kind: 'string', dup: false})) return false
    if (!s.pluginNames.has(e.value)) return invalid(s, e, `Plugin '${show(e.value)}' not previously loaded.`)
    s.file.plugin = true
    return true
  },
  accept_protocol_versions(s, e) {
    if (e.rest.split(/[, \t]/).every((t) => t === '')) return empty(s, e)
    return true
  },
  connection(s, e) {
    if (e.word === '') return empty(s, e)
    if (s.bridges.some((b) => b.name === e.word)) return invalid(s, e, `Duplicate bridge name "${show(e.word)}".`)
    const b = {name: e.word, entry: e, slots: new Map(), addresses: false, topics: 0}
    s.bridges.push(b)
    s.file.bridge = b
    return true
  },
  address(s, e) {
    const b = s.file.bridge!
    if (b.addresses) return invalid(s, e, 'Invalid bridge configuration: address given twice.')
    const cut = e.words.findIndex((w) => w.startsWith('#'))
    const list = cut === -1 ? e.words : e.words.slice(0, cut)
    for (const a of list) {
      const colon = a.lastIndexOf(':')
      if (colon !== -1) {
        const n = atoi(a.slice(colon + 1))
        if (n < 1 || n > 65_535) return invalid(s, e, `Invalid port value (${n}).`)
      }
    }

    if (list.length === 0) return empty(s, e, 'address')
    b.addresses = true
    return true
  },
  topic(s, e) {
    let words = e.words
    if (words.length === 0) return empty(s, e)
    if (s.target === '2.1' && words[0].startsWith('"') && words[0][1] !== '"') {
      // 2.1 reads a quoted topic with spaces: up to the next quote.
      const open = e.rest.indexOf('"')
      const close = e.rest.indexOf('"', e.rest.indexOf(' ', open) + 1)
      if (e.rest.indexOf(' ', open) === -1 || close === -1)
        return invalid(s, e, 'Missing closing quote in topic value.')
      words = [
        'quoted',
        ...e.rest
          .slice(close + 1)
          .split(' ')
          .filter(Boolean),
      ]
    }

    const [topic, direction, qos, local, remote] = words
    if (direction !== undefined && !['in', 'out', 'both'].includes(direction.toLowerCase()))
      return invalid(s, e, `Invalid bridge topic direction '${show(direction)}'.`)
    if (qos !== undefined && (atoi(qos) & 0xff) > 2) return invalid(s, e, `Invalid bridge QoS level '${show(qos)}'.`)
    const comment = qos?.startsWith('#') || local?.startsWith('#')
    const prefix = (p: string | undefined) => (p === undefined || p === '""' || p.startsWith('#') ? undefined : p)
    const lp = qos?.startsWith('#') ? undefined : prefix(local)
    const rp = comment ? undefined : prefix(remote)
    if (lp !== undefined && !pubTopicOk(lp)) return invalid(s, e, `Invalid bridge topic local prefix '${show(lp)}'.`)
    if (rp !== undefined && !pubTopicOk(rp)) return invalid(s, e, `Invalid bridge topic remote prefix '${show(rp)}'.`)
    if (topic === '""' && (lp === undefined || rp === undefined)) return invalid(s, e, 'Invalid bridge remapping.')
    s.file.bridge!.topics++
    return true
  },
  restart_timeout(s, e) {
    const [base = '', cap, stable] = e.words
    if (base === '') return empty(s, e)
    let b = Math.max(1, atoi(base))
    if (s.target === '2.1') b = Math.min(b, 3600)
    if (cap !== undefined && atoi(cap) < b)
      return invalid(s, e, 'backoff cap is lower than the base in restart_timeout.')
    if (s.target === '2.1' && cap !== undefined && stable !== undefined && atoi(stable) < 0)
      return invalid(s, e, 'stable connection period cannot be negative.')
    return true
  },
  bridge_protocol_version(s, e) {
    if (e.rest === '') return empty(s, e)
    if (!['mqttv31', 'mqttv311', 'mqttv50'].includes(e.rest))
      return invalid(s, e, `Invalid bridge_protocol_version value (${show(e.rest)}).`)
    return true
  },
  bridge_tcp_keepalive(s, e) {
    for (const [i, what] of ['idle', 'interval', 'counter'].entries()) {
      if (e.words[i] === undefined) return empty(s, e, `bridge_tcp_keepalive_${what}`)
      const n = readInt(s, e, e.words[i], `bridge_tcp_keepalive_${what}`)
      if (n === undefined) return false
      if (n <= 0) return invalid(s, e, `invalid TCP keepalive ${what} value.`)
    }

    return true
  },
  bridge_cafile: (s, e, r) => certOrPsk(s, e, r, false),
  bridge_capath: (s, e, r) => certOrPsk(s, e, r, false),
  bridge_certfile: (s, e, r) => certOrPsk(s, e, r, false),
  bridge_keyfile: (s, e, r) => certOrPsk(s, e, r, false),
  bridge_identity: (s, e, r) => certOrPsk(s, e, r, true),
  bridge_psk: (s, e, r) => certOrPsk(s, e, r, true),
}
SPECIAL.certfile = SPECIAL.cafile
SPECIAL.addresses = SPECIAL.address
