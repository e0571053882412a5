import {X509Certificate, createPrivateKey, type KeyObject} from 'node:crypto'

import {MqctlError} from '../errors.js'
import {pemBlocks, readCertificates, type PemBlock, type PemCertificate} from './pem.js'

/**
 * The PEM files given to --cafile, --cert and --key, checked before anything is sent: a file
 * that holds no certificate, a certificate OpenSSL cannot parse, a key that is no key, or a
 * certificate and key that do not belong together is bad input (exit 5, naming the flag and
 * the file), not a failed TLS handshake. Node's TLS layer skips PEM blocks it cannot use
 * (`ca` given a private key trusts nothing, and the handshake then blames the broker's
 * certificate), and mosquitto_ctrl reports all of these as "A TLS error occurred." (exit 8).
 * Loaded with node:tls, for TLS connections only (it pulls in node:crypto).
 */
const bad = (flag: string, file: string, why: string) =>
  new MqctlError('FILE_TLS', `not usable as ${flag}: ${why}`, {location: {file}})

/** What a file without the wanted block holds instead, for the message. */
function holds(blocks: PemBlock[]): string {
  if (blocks.length === 0) return 'no PEM block at all'
  const labels = [...new Set(blocks.map((b) => b.label))]
  return labels.some((l) => l.endsWith('PRIVATE KEY'))
    ? `only ${labels.join(', ')} blocks (a private key?)`
    : `only ${labels.join(', ')} blocks`
}

/** Every certificate block, each one readable (OpenSSL refuses the whole file when one of them is broken). */
function certificatesOf(flag: string, file: string, text: string): PemCertificate[] {
  const read = readCertificates(text)
  if (read.blocks === 0) throw bad(flag, file, `no certificate in it, ${holds(pemBlocks(text))}`)
  if (read.broken !== undefined) throw bad(flag, file, `certificate ${read.broken} cannot be parsed`)
  return read.certificates
}

/** --cafile: at least one certificate, each of them readable; the certificates, for node's `ca`. */
export function checkCaFile(file: string, pem: Buffer): PemCertificate[] {
  return certificatesOf('--cafile', file, pem.toString('utf8'))
}

/** --cert and --key: a certificate, a private key, and the key the certificate was issued for. */
export function checkClientPair(cert: {file: string; pem: Buffer}, key: {file: string; pem: Buffer}): void {
  const [first] = certificatesOf('--cert', cert.file, cert.pem.toString('utf8'))
  let leaf: X509Certificate
  try {
    leaf = new X509Certificate(first.text)
  } catch (error) {
    throw bad('--cert', cert.file, `certificate 1 cannot be parsed (${(error as Error).message})`)
  }

  const keyText = key.pem.toString('utf8')
  const blocks = pemBlocks(keyText)
  if (!blocks.some((b) => b.label.endsWith('PRIVATE KEY'))) {
    throw bad('--key', key.file, `no private key in it, ${holds(blocks)}`)
  }

  if (blocks.some((b) => b.label === 'ENCRYPTED PRIVATE KEY') || /Proc-Type: *4, *ENCRYPTED/.test(keyText)) {
    throw bad(
      '--key',
      key.file,
      'the key is encrypted, and mqctl cannot ask for its passphrase (openssl pkey decrypts it)',
    )
  }

  let privateKey: KeyObject
  try {
    privateKey = createPrivateKey(keyText)
  } catch (error) {
    throw bad('--key', key.file, `the key cannot be parsed (${(error as Error).message})`)
  }

  if (!leaf.checkPrivateKey(privateKey)) {
    throw new MqctlError('FILE_TLS', `--cert ${cert.file} and --key ${key.file} do not belong together`, {
      hint: 'give the private key the client certificate was issued for',
    })
  }
}
