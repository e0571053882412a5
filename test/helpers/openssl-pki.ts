import {execFileSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

/**
 * Certificates made by the openssl command line (not by mqctl's own `cert` code, so the TLS
 * tests do not grade mqctl with its own generator): a CA, and leaves with chosen SANs, CN and
 * dates. Every file lands in `dir`.
 */
export interface LeafSpec {
  name: string
  /** subjectAltName value, e.g. `DNS:localhost,IP:127.0.0.1`; none when undefined. */
  san?: string
  cn: string
  /** Validity in days; -1 gives a certificate that expired yesterday. */
  days?: number
  /** Sign with this CA's files (`<ca>.crt`/`<ca>.key`) instead of the main one; 'self' for self-signed. */
  signer?: string
}

export interface Leaf {
  crt: string
  key: string
}

const openssl = (dir: string, args: string[]) => execFileSync('openssl', args, {cwd: dir, stdio: 'pipe'})
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']

/** A CA `<name>.crt` + `<name>.key` in dir. */
export function makeCa(dir: string, name = 'ca'): string {
  openssl(dir, [
    'req',
    '-x509',
    ...EC,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.crt`,
    '-subj',
    `/CN=${name}`,
    '-days',
    '30',
  ])
  return join(dir, `${name}.crt`)
}

export function makeLeaf(dir: string, spec: LeafSpec, ca = 'ca'): Leaf {
  const key = `${spec.name}.key`
  const crt = `${spec.name}.crt`
  const ext = join(dir, `${spec.name}.ext`)
  writeFileSync(
    ext,
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=digitalSignature',
      'extendedKeyUsage=serverAuth',
      ...(spec.san ? [`subjectAltName=${spec.san}`] : []),
    ].join('\n') + '\n',
  )
  const days = String(spec.days ?? 30)
  if (spec.signer === 'self') {
    openssl(dir, ['req', '-x509', ...EC, '-keyout', key, '-out', crt, '-subj', `/CN=${spec.cn}`, '-days', days])
  } else {
    const signer = spec.signer ?? ca
    openssl(dir, ['req', '-new', ...EC, '-keyout', key, '-out', `${spec.name}.csr`, '-subj', `/CN=${spec.cn}`])
    openssl(dir, [
      'x509',
      '-req',
      '-in',
      `${spec.name}.csr`,
      '-CA',
      `${signer}.crt`,
      '-CAkey',
      `${signer}.key`,
      '-set_serial',
      String(Math.floor(Math.random() * 2 ** 31)),
      '-out',
      crt,
      '-days',
      days,
      '-extfile',
      ext,
    ])
  }

  return {crt: join(dir, crt), key: join(dir, key)}
}

/**
 * OpenSSL's own verdict (`openssl verify -verify_ip/-verify_hostname`): the X509_VERIFY_PARAM
 * host and IP checks libmosquitto 2.1 sets up (lib/tls_mosq.c), with the chain and the dates.
 */
export function opensslVerifies(dir: string, cafile: string, crt: string, host: string): boolean {
  const isIp = /^[\d.]+$/.test(host) || host.includes(':')
  try {
    openssl(dir, ['verify', '-CAfile', cafile, isIp ? '-verify_ip' : '-verify_hostname', host, crt])
    return true
  } catch {
    return false
  }
}
