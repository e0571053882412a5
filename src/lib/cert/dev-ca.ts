import {randomBytes, webcrypto} from 'node:crypto'
import {existsSync} from 'node:fs'
import {mkdir, stat} from 'node:fs/promises'
import {isIP} from 'node:net'
import {dirname, join, resolve} from 'node:path'

import {MqctlError, fileError} from '../errors.js'
import {writeFileAtomic} from '../files/atomic.js'
import {writePair, repairPair} from './pair.js'
import {checkCaPair, readCertificatePem, readPrivateKeyPem} from './pem.js'

/**
 * A small development CA: ECDSA P-256 keys, PEM files, keys 0600 (also when --force replaces a
 * more open one), with the key usages mosquitto's OpenSSL expects. Key and certificate are
 * replaced as a pair (pair.ts); the CA is checked before it signs (pem.ts). Files: ca.crt/ca.key, server.crt/server.key, client.crt/client.key;
 * server and client directories get a copy of ca.crt, so a directory is all `config gen
 * --cert-dir` needs.
 */
type X509 = typeof import('@peculiar/x509')

const ALGORITHM = {name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256'} as const
const DAY = 24 * 60 * 60 * 1000

async function x509(): Promise<X509> {
  const lib = await import('@peculiar/x509')
  lib.cryptoProvider.set(webcrypto as never)
  return lib
}

const pem = (label: string, der: ArrayBuffer) =>
  `-----BEGIN ${label}-----\n${Buffer.from(der)
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n')}\n-----END ${label}-----\n`

function serial(): string {
  const bytes = randomBytes(16)
  bytes[0] &= 0x7f // positive
  return bytes.toString('hex')
}

// One level at a time, not mkdir({recursive}): Node's recursive mkdir spins forever where every
// level answers ENOENT (/proc) and reports ENOENT instead of EROFS on a read-only file system.
async function makeDirs(dir: string): Promise<void> {
  try {
    await mkdir(dir, {mode: 0o755})
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EEXIST' && (await stat(dir)).isDirectory()) return
    const parent = dirname(dir)
    if (code !== 'ENOENT' || parent === dir) throw error
    await makeDirs(parent)
    await mkdir(dir, {mode: 0o755})
  }
}

async function ensureDir(dir: string): Promise<void> {
  try {
    await makeDirs(resolve(dir))
  } catch (error) {
    throw fileError(dir, error, 'create directory')
  }
}

export interface CaOptions {
  out: string
  commonName?: string
  days?: number
  force?: boolean
}

export async function createCa(options: CaOptions): Promise<string[]> {
  const lib = await x509()
  await ensureDir(options.out)
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])
  const name = `CN=${options.commonName ?? 'mqctl development CA'}`
  const now = Date.now()
  const cert = await lib.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + (options.days ?? 3650) * DAY),
    signingAlgorithm: ALGORITHM,
    keys: keys as never,
    extensions: [
      new lib.BasicConstraintsExtension(true, 0, true),
      new lib.KeyUsagesExtension(lib.KeyUsageFlags.keyCertSign | lib.KeyUsageFlags.cRLSign, true),
      await lib.SubjectKeyIdentifierExtension.create(keys.publicKey as never),
    ],
  })
  const keyDer = await webcrypto.subtle.exportKey('pkcs8', (keys as webcrypto.CryptoKeyPair).privateKey)
  return writePair(
    {dir: options.out, key: 'ca.key', cert: 'ca.crt'},
    {keyPem: pem('PRIVATE KEY', keyDer), certPem: cert.toString('pem') + '\n', force: options.force ?? false},
  )
}

/**
 * The CA in `dir`, checked before it signs anything (cert/pem.ts): readable regular PEM files, a
 * real CA certificate, and ca.key its own key. An interrupted `cert ca --force` is finished first.
 */
async function loadCa(
  lib: X509,
  dir: string,
): Promise<{cert: InstanceType<X509['X509Certificate']>; key: webcrypto.CryptoKey; pem: string}> {
  const certPath = join(dir, 'ca.crt')
  const keyPath = join(dir, 'ca.key')
  await repairPair({dir, key: 'ca.key', cert: 'ca.crt'}).catch(() => {
    // A CA directory this account may only read: judge the pair as it is.
  })
  const missing = [certPath, keyPath].find((p) => !existsSync(p))
  if (missing) {
    throw new MqctlError('FILE_CA', `cannot read the CA in ${dir}: ${missing} does not exist`, {
      hint: 'give the directory "mqctl cert ca --out" wrote (ca.crt and ca.key)',
    })
  }

  const {pem: certPem, cert: nodeCert} = readCertificatePem(certPath, 'CA certificate')
  const {pem: keyPem, key: keyObject} = readPrivateKeyPem(keyPath, 'CA key')
  checkCaPair(certPath, nodeCert, keyPath, keyObject)
  const der = Buffer.from(keyPem.replaceAll(/-----[^-]+-----|\s/g, ''), 'base64')
  try {
    const key = await webcrypto.subtle.importKey('pkcs8', der, ALGORITHM, false, ['sign'])
    return {cert: new lib.X509Certificate(certPem), key, pem: certPem}
  } catch {
    throw new MqctlError('FILE_CA_KEY', `${keyPath} is not an ECDSA P-256 PKCS#8 key made by "mqctl cert ca"`)
  }
}

export interface LeafOptions {
  ca: string
  out: string
  /** server: DNS names and IP addresses; client: the common name. */
  hosts?: string[]
  ips?: string[]
  commonName?: string
  days?: number
  force?: boolean
}

async function createLeaf(kind: 'server' | 'client', options: LeafOptions): Promise<string[]> {
  const lib = await x509()
  const ca = await loadCa(lib, options.ca)
  await ensureDir(options.out)
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])
  const now = Date.now()
  const hosts = options.hosts ?? []
  const ips = options.ips ?? []
  for (const ip of ips) if (!isIP(ip)) throw new MqctlError('USAGE_IP', `--ip ${ip} is not an IP address`)
  const cn = options.commonName ?? hosts[0] ?? ips[0] ?? kind
  const extensions: Array<InstanceType<X509['Extension']>> = [
    new lib.BasicConstraintsExtension(false, undefined, true),
    new lib.KeyUsagesExtension(lib.KeyUsageFlags.digitalSignature | lib.KeyUsageFlags.keyAgreement, true),
    new lib.ExtendedKeyUsageExtension([
      kind === 'server' ? lib.ExtendedKeyUsage.serverAuth : lib.ExtendedKeyUsage.clientAuth,
    ]),
    await lib.SubjectKeyIdentifierExtension.create(keys.publicKey as never),
    await lib.AuthorityKeyIdentifierExtension.create(ca.cert),
  ]
  if (kind === 'server') {
    extensions.push(
      new lib.SubjectAlternativeNameExtension([
        ...hosts.map((value) => ({type: 'dns' as const, value})),
        ...ips.map((value) => ({type: 'ip' as const, value})),
      ]),
    )
  }

  const cert = await lib.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${cn.replaceAll(/([,+"\\<>;=])/g, '\\$1')}`,
    issuer: ca.cert.subject,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + (options.days ?? 825) * DAY),
    signingAlgorithm: ALGORITHM,
    publicKey: (keys as webcrypto.CryptoKeyPair).publicKey as never,
    signingKey: ca.key as never,
    extensions,
  })
  const keyDer = await webcrypto.subtle.exportKey('pkcs8', (keys as webcrypto.CryptoKeyPair).privateKey)
  const files = await writePair(
    {dir: options.out, key: `${kind}.key`, cert: `${kind}.crt`},
    {keyPem: pem('PRIVATE KEY', keyDer), certPem: cert.toString('pem') + '\n', force: options.force ?? false},
  )
  // The CA's own directory keeps its ca.crt; elsewhere a copy makes the directory complete.
  const caCopy = join(options.out, 'ca.crt')
  if (resolve(options.out) !== resolve(options.ca)) await writeFileAtomic(caCopy, ca.pem, {mode: 0o644})
  return [...files, caCopy]
}

export const createServerCert = (options: LeafOptions) => createLeaf('server', options)
export const createClientCert = (options: LeafOptions) => createLeaf('client', options)
