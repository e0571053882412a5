import {hostname} from 'node:os'
import {createRequire} from 'node:module'

import {err, newListener, show, type CheckState, type ConfModel, type ListenerModel} from './check.js'

/**
 * The broker's checks once the whole config is read: complete bridges, unique bridge client
 * ids, TLS pairs (2.1), PROXY protocol limits (2.1), and the listeners it can open.
 */
export function checkBridges(s: CheckState): void {
  const locals = new Map<string, string>()
  for (const b of s.bridges) {
    const fail = (message: string) => err(s, b.entry, 'conf/bridge', `Invalid bridge configuration: ${message}`)
    if (!b.addresses) fail('no remote addresses defined.')
    if (b.topics === 0) fail('no topics defined.')
    if (b.slots.has('bridge_psk') && !b.slots.has('bridge_identity')) fail('missing bridge_identity.')
    if (b.slots.has('bridge_identity') && !b.slots.has('bridge_psk')) fail('missing bridge_psk.')
    const remote = b.slots.get('remote_clientid')?.value ?? `${hostname()}.${b.name}`
    const local = b.slots.get('local_clientid')?.value ?? `local.${remote}`
    const other = locals.get(local)
    if (other !== undefined) {
      err(
        s,
        b.entry,
        'conf/bridge',
        `Bridge local_clientid '${show(local)}' is not unique (also bridge "${show(other)}"). ` +
          'Set local_clientid for one of the bridges.',
      )
    }

    locals.set(local, b.name)
  }
}

/** The listeners the broker will open, in its order. */
function effectiveListeners(s: CheckState): {listeners: ListenerModel[]; implicitDefault: boolean} {
  if (s.target === '2.1') {
    if (s.listeners.length > 0) return {listeners: s.listeners, implicitDefault: false}
  } else {
    const own = s.listeners.filter((l) => !l.isDefault)
    const def = s.defaultActive && s.defaultListener ? [s.defaultListener] : []
    if (own.length + def.length > 0) return {listeners: [...def, ...own], implicitDefault: false}
  }

  const implicit = s.defaultListener ?? newListener({file: '', line: 1, column: 1} as never, 1883, undefined, true)
  return {listeners: [implicit], implicitDefault: true}
}

// node:net loads only for a listener with socket_domain: on every other lint it is start-up time.
const family = (host: string | undefined): number =>
  host === undefined ? 0 : (createRequire(import.meta.url)('node:net') as typeof import('node:net')).isIP(host)

export function checkListeners(s: CheckState): ConfModel {
  const {listeners, implicitDefault} = effectiveListeners(s)
  if (!implicitDefault) {
    for (const l of listeners) {
      const get = (n: string) => l.options.get(n)
      const at = get('certfile') ?? get('keyfile') ?? l.entry
      if (s.target === '2.1') {
        if (Boolean(get('certfile')) !== Boolean(get('keyfile')))
          err(s, at, 'conf/tls-pair', 'Both certfile and keyfile must be provided to enable a TLS listener.')
        else if (get('cafile') && !get('certfile'))
          err(s, get('cafile')!, 'conf/tls-pair', 'cafile specified without certfile and keyfile.')
        else if (get('capath') && !get('certfile'))
          err(s, get('capath')!, 'conf/tls-pair', 'capath specified without certfile and keyfile.')
        const proxy = get('enable_proxy_protocol')
        if (proxy && Number(proxy.word) === 2) {
          const subject = get('use_subject_as_username')
          if (subject && (subject.word === 'true' || subject.word === '1'))
            err(s, proxy, 'conf/proxy', 'use_subject_as_username cannot be used with `enable_proxy_protocol 2`.')
          if (get('certfile') || get('keyfile'))
            err(s, proxy, 'conf/proxy', 'certfile and keyfile cannot be used with `enable_proxy_protocol 2`.')
        }
      }

      // 2.0 hands a key without a certificate to libwebsockets, which cannot create the listener.
      const ws = get('protocol')?.word === 'websockets'
      if (s.target === '2.0' && ws && get('keyfile') && !get('certfile'))
        err(
          s,
          at,
          'conf/listener',
          `Unable to create websockets listener on port ${l.port} (keyfile without certfile).`,
        )
      const domain = get('socket_domain')?.word
      const fam = domain === 'ipv4' || domain === 'ipv6' ? family(l.port === 0 ? undefined : l.bind) : 0
      if ((domain === 'ipv6' && fam === 4) || (domain === 'ipv4' && fam === 6)) {
        err(
          s,
          get('socket_domain')!,
          'conf/listener',
          `socket_domain ${domain} with the IPv${fam} address ${show(l.bind!)}: Error creating listener.`,
        )
      }

      if (l.port === 0 && l.bind && Buffer.byteLength(l.bind) > 107)
        err(s, l.entry, 'conf/listener', `Path to unix socket is too long "${show(l.bind)}".`)
    }

    // 2.0 opens websockets listeners through libwebsockets and counts only MQTT sockets.
    if (s.target === '2.0' && listeners.every((l) => l.options.get('protocol')?.word === 'websockets')) {
      err(
        s,
        listeners[0].entry,
        'conf/listener',
        'Unable to start any listening sockets, exiting ' +
          '(mosquitto 2.0 needs at least one MQTT, not websockets, listener).',
      )
    }
  }

  // Two listeners on one port and overlapping addresses cannot both bind. Only listeners that
  // share a port are compared (a file with 40,000 listeners took seconds pairwise), and the pairs
  // are reported in the order of a full pairwise scan.
  const byPort = new Map<number, number[]>()
  listeners.forEach((l, i) => {
    if (l.port !== 0) byPort.set(l.port, [...(byPort.get(l.port) ?? []), i])
  })
  const pairs: Array<[number, number]> = []
  for (const same of byPort.values())
    for (let x = 0; x < same.length; x++) for (let y = x + 1; y < same.length; y++) pairs.push([same[x], same[y]])
  pairs.sort((p, q) => p[0] - q[0] || p[1] - q[1])
  for (const [i, j] of pairs) {
    const a = listeners[i]
    const b = listeners[j]
    if (a.bind === undefined || b.bind === undefined || a.bind === b.bind) {
      err(
        s,
        b.entry,
        'conf/duplicate-port',
        `two listeners on port ${a.port} (also line ${a.entry.line}): the broker cannot bind the second`,
      )
    }
  }

  return {
    target: s.target,
    perListener: s.perListener,
    listeners,
    implicitDefault,
    globalSecurity: s.globalSecurity,
    globals: s.globals,
    bridges: s.bridges,
    logFile: s.logFile,
  }
}
