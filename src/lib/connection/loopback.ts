import {isIP} from 'node:net'

/**
 * True for a host or bind address that can only be reached from this machine: `localhost`
 * (and names under `.localhost`, RFC 6761), 127.0.0.0/8, ::1, and IPv4-mapped loopback.
 * The one loopback check for the config linter, the generator and the connection warnings.
 */
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined) return false
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase()
  if (h === 'localhost' || h.endsWith('.localhost')) return true
  if (isIP(h) === 4) return h.startsWith('127.')
  if (isIP(h) === 6) return h === '::1' || /^(0{0,4}:){5}ffff:127\./.test(h.replace(/^::/, '0:0:0:0:0:'))
  return false
}
