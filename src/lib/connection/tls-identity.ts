import {X509Certificate} from 'node:crypto'
import {isIP} from 'node:net'

/**
 * The broker's certificate checked against the host mqctl was told to connect to, as
 * libmosquitto 2.1 does it (lib/tls_mosq.c hands the host to OpenSSL): an IP literal must be
 * one of the certificate's IP SANs (X509_check_ip: DNS SANs and the CN never count), a name
 * must match a DNS SAN (X509_check_host with flags 0: one wildcard, leftmost label only, never
 * across a dot), and the CN is looked at only when the certificate has no DNS SAN at all.
 * Node's X509Certificate.checkHost/checkIP are those OpenSSL functions, so nothing here
 * re-implements the matching rules.
 *
 * mosquitto 2.0's own hand-written check was laxer in three ways mqctl does not follow: an IP
 * literal written as a DNS SAN or as the CN matched an IP host, and `*.example` wildcards
 * matched a name with fewer labels. See README "TLS verification".
 */
export interface IdentityMismatch {
  host: string
  /** What the certificate names, for the message: `DNS:a, IP Address:1.2.3.4` or `CN=x`. */
  names: string
}

/** Strips the brackets of `[::1]` so an IPv6 literal is recognised as one. */
export const bareHost = (host: string): string => (/^\[.*\]$/.test(host) ? host.slice(1, -1) : host)

export function checkBrokerIdentity(host: string, der: Buffer): IdentityMismatch | undefined {
  const cert = new X509Certificate(der)
  const bare = bareHost(host)
  const matches = isIP(bare)
    ? cert.checkIP(bare) !== undefined
    : cert.checkHost(bare, {subject: 'default'}) !== undefined
  if (matches) return undefined
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1]
  const names = cert.subjectAltName ?? (cn === undefined ? 'no names' : `CN=${cn}`)
  return {host, names}
}

/** The Error Node's TLS socket emits for a mismatch (the code is the one Node uses for its own check). */
export function identityError(mismatch: IdentityMismatch): Error & {code: string} {
  const kind = isIP(bareHost(mismatch.host)) ? 'IP address' : 'host name'
  const error = new Error(
    `the certificate does not match the ${kind} "${mismatch.host}" (it names ${mismatch.names})`,
  ) as Error & {code: string}
  error.code = 'ERR_TLS_CERT_ALTNAME_INVALID'
  return error
}
