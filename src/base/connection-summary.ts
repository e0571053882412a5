import type {ResolvedConnection} from '../lib/connection/resolve.js'

/** A resolved connection as key → value and source, with every secret replaced by "(set)". */
export function connectionSummary(c: ResolvedConnection): Record<string, {value: string; source?: string}> {
  const src = (key: string) => c.sources[key]
  const out: Record<string, {value: string; source?: string}> = {}
  const add = (key: string, value: unknown, sourceKey = key) => {
    if (value !== undefined) out[key] = {value: String(value), source: src(sourceKey)}
  }

  add('profile', c.profile)
  if (c.unix) add('unix', c.unix)
  else {
    add('host', c.host)
    add('port', c.port)
  }

  add('username', c.username)
  add('password', c.password === undefined ? undefined : '(set)', 'pw')
  add('id', c.clientId)
  add('protocol', {3: 'mqttv31', 4: 'mqttv311', 5: 'mqttv5'}[c.protocolVersion], 'protocol-version')
  add('qos', c.qos)
  add('tls', c.tls ? (c.tls.psk ? 'psk' : 'yes') : 'no', c.tls?.cafile ? 'cafile' : 'none')
  if (c.tls) {
    add('cafile', c.tls.cafile)
    add('capath', c.tls.capath)
    add('cert', c.tls.cert)
    add('key', c.tls.key)
    add('verify', c.tls.insecure ? 'chain and dates only (--insecure skips the host-name check)' : 'yes', 'insecure')
    add('psk', c.tls.psk ? '(set)' : undefined)
  }

  add('proxy', c.proxy ? `socks5h://${c.proxy.host}:${c.proxy.port}` : undefined)
  add('timeout', `${c.timeoutMs / 1000}s`)
  return out
}
