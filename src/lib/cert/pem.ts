import {X509Certificate, createPrivateKey, type KeyObject} from 'node:crypto'

import {MqctlError} from '../errors.js'
import {readInputFile} from '../files/input.js'

/**
 * Reading the CA a certificate is signed with, checked before anything is signed. Every refusal
 * is a FILE_* error (exit 5) naming the file:
 * - FILE_NOT_REGULAR / FILE_TOO_LARGE: a FIFO, /dev/zero, a directory, more than 1 MiB;
 * - FILE_CA_CERT: empty, binary, DER instead of PEM, a truncated or damaged PEM block;
 * - FILE_CA_KEY: the key is no PKCS#8 PEM private key;
 * - FILE_CA_NOT_CA: the certificate is no CA (basicConstraints CA:TRUE, and keyCertSign when it
 *   has a keyUsage extension), so OpenSSL would refuse what it signs;
 * - FILE_CA_MISMATCH: ca.key is not the key of ca.crt.
 */
export const MAX_PEM_BYTES = 1024 * 1024

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----\r?\n[\s\S]*?-----END CERTIFICATE-----/

export function readCertificatePem(path: string, label = 'certificate'): {pem: string; cert: X509Certificate} {
  const {bytes} = readInputFile(path, {maxBytes: MAX_PEM_BYTES, label})
  const bad = (why: string, hint?: string) => new MqctlError('FILE_CA_CERT', `${label} ${path} ${why}`, {hint})
  if (bytes.length === 0) throw bad('is empty')
  const text = bytes.toString('latin1')
  const block = CERT_BLOCK.exec(text)
  if (!block) {
    if (bytes[0] === 0x30) {
      throw bad('is DER, not PEM', `mosquitto reads PEM: openssl x509 -inform der -in ${path} -out ca.pem`)
    }

    throw bad(
      text.includes('-----BEGIN CERTIFICATE-----')
        ? 'has a truncated PEM block (no END line)'
        : 'holds no PEM certificate',
    )
  }

  try {
    return {pem: block[0] + '\n', cert: new X509Certificate(block[0])}
  } catch {
    throw bad('has a damaged PEM certificate (it does not parse)')
  }
}

export function readPrivateKeyPem(path: string, label = 'private key'): {pem: string; key: KeyObject} {
  const {bytes} = readInputFile(path, {maxBytes: MAX_PEM_BYTES, label})
  const text = bytes.toString('latin1')
  try {
    if (!text.includes('-----BEGIN')) throw new Error('no PEM')
    return {pem: text, key: createPrivateKey({key: text, format: 'pem'})}
  } catch {
    throw new MqctlError('FILE_CA_KEY', `${label} ${path} is not a PEM private key`)
  }
}

/** keyCertSign is bit 5 of keyUsage; Node reports the extension only as text, so read the DER. */
function keyUsageAllowsCertSign(cert: X509Certificate): boolean | undefined {
  const der = cert.raw
  // id-ce-keyUsage 2.5.29.15: 06 03 55 1d 0f, then optional critical BOOLEAN, then OCTET STRING
  // wrapping a BIT STRING (03 len unused bits...).
  const oid = Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x0f])
  let i = der.indexOf(oid)
  if (i === -1) return undefined
  i += oid.length
  if (der[i] === 0x01) i += 3 // critical flag
  if (der[i] !== 0x04) return undefined
  i += 2
  if (der[i] !== 0x03) return undefined
  const first = der[i + 3] ?? 0
  return (first & 0x04) !== 0
}

/** Refuses a CA certificate that cannot sign certificates, and a key that is not its own. */
export function checkCaPair(certPath: string, cert: X509Certificate, keyPath: string, key: KeyObject): void {
  if (!cert.ca) {
    throw new MqctlError('FILE_CA_NOT_CA', `${certPath} is not a CA certificate (no basicConstraints CA:TRUE)`, {
      hint: 'give the directory of "mqctl cert ca", not a server or client certificate',
    })
  }

  if (keyUsageAllowsCertSign(cert) === false) {
    throw new MqctlError('FILE_CA_NOT_CA', `${certPath} may not sign certificates (keyUsage without keyCertSign)`, {})
  }

  if (!cert.checkPrivateKey(key)) {
    throw new MqctlError('FILE_CA_MISMATCH', `${keyPath} is not the private key of ${certPath}`, {
      hint: 'the two files come from different "mqctl cert ca" runs; recreate the CA with --force',
    })
  }
}
