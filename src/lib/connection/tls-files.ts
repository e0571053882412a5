import {X509Certificate, createPrivateKey, type KeyObject} from 'node:crypto'

import {MqctlError} from '../errors.js'

/**
 * The PEM files given to --cafile, --cert and --key, checked before anything is sent: a file
 * that holds no certificate, a certificate OpenSSL cannot parse, a key that is no key, or a
 * certificate and key that do not belong together is bad input (exit 5, naming the flag and
 * the file), not a failed TLS handshake. Node's TLS layer skips PEM blocks it cannot use
 * (`ca` given a private key trusts nothing, and the handshake then blames the broker's
 * certificate), and mosquitto_ctrl reports all of these as "A TLS error occurred." (exit 8).
 * Loaded with node:tls, for TLS connections only (it pulls in node:crypto).
 */
const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g

interface PemBlock {
  label: string
  text: string
}

const blocksOf = (pem: string): PemBlock[] => [...pem.matchAll(BLOCK)].map((m) => ({label: m[1], text: m[0]}))

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

/** Every CERTIFICATE block parsed (OpenSSL refuses the whole file when one of them is broken). */
function certificatesOf(flag: string, file: string, pem: string): X509Certificate[] {
  const blocks = blocksOf(pem)
  const certs = blocks.filter((b) => b.label === 'CERTIFICATE' || b.label === 'TRUSTED CERTIFICATE')
  if (certs.length === 0) throw bad(flag, file, `no certificate in it, ${holds(blocks)}`)
  return certs.map((b, i) => {
    try {
      return new X509Certificate(b.text)
    } catch (error) {
      throw bad(flag, file, `certificate ${i + 1} cannot be parsed (${(error as Error).message})`)
    }
  })
}

/** --cafile: at least one certificate, each of them parseable. */
export function checkCaFile(file: string, pem: Buffer): void {
  certificatesOf('--cafile', file, pem.toString('utf8'))
}

/** --cert and --key: a certificate, a private key, and the key the certificate was issued for. */
export function checkClientPair(cert: {file: string; pem: Buffer}, key: {file: string; pem: Buffer}): void {
  const [leaf] = certificatesOf('--cert', cert.file, cert.pem.toString('utf8'))
  const keyText = key.pem.toString('utf8')
  const blocks = blocksOf(keyText)
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
