/** config gen's layout decisions (pure): who may connect where, said in words for comments. */
import type {GenOptions, Listener} from './gen-schema.js'

export const usesAuth = (o: Pick<GenOptions, 'auth' | 'acl'>) => o.auth.method !== 'none' || o.acl !== undefined

/**
 * True when listeners differ in who may connect: some are open to anonymous clients, others
 * authenticate. 2.0 then needs per_listener_settings; 2.1 uses plugin_use per listener.
 */
export function isMixed(o: Pick<GenOptions, 'listeners' | 'auth' | 'acl' | 'allowAnonymous'>): boolean {
  const open = o.listeners.filter((l) => l.anonymous).length
  if (open === 0 || open === o.listeners.length) return false
  return usesAuth(o) || !o.allowAnonymous
}

export const LOOPBACK = (bind: string | undefined) =>
  bind !== undefined && (bind === 'localhost' || bind.startsWith('127.') || bind === '::1')

export function where(l: Listener): string {
  if (l.kind === 'unix') return `Unix socket ${l.path}`
  return l.bind ? `${l.bind.includes(':') ? `[${l.bind}]` : l.bind}:${l.port}` : `port ${l.port} on all addresses`
}

export function describeListener(l: Listener): string {
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

export function describeAuth(o: GenOptions): string {
  const parts: string[] = []
  if (o.auth.method === 'password-file')
    parts.push('clients log in with a username and password from the password file')
  if (o.auth.method === 'dynsec') parts.push('clients log in as dynamic-security clients, managed with "mqctl dynsec"')
  if (o.acl) parts.push('the ACL file limits their topics')
  if (o.allowAnonymous) parts.push('clients without a username are allowed')
  else if (parts.length === 0) parts.push('no anonymous clients')
  return parts.join('; ')
}

export function describeAccess(o: GenOptions, l: Listener, mixed: boolean): string {
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
