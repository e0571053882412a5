import {isIP, connect as netConnect, type Socket} from 'node:net'
import type {ConnectionOptions as TlsOptions, TLSSocket} from 'node:tls'

import {MqctlError, fileError} from '../errors.js'
import {readInputFile} from '../files/input.js'
import type {ResolvedConnection} from './resolve.js'
import type {HashedDir} from './os-store.js'
import type * as OsStore from './os-store.js'
import type * as Pem from './pem.js'
import type {PemCertificate} from './pem.js'
import type * as TlsFiles from './tls-files.js'
import type * as TlsIdentity from './tls-identity.js'

/** PEM inputs are small; a bigger one is the wrong file. */
const MAX_PEM_BYTES = 4 * 1024 * 1024

// node:tls and the crypto it pulls in cost start-up time: loaded for TLS connections only.
let tlsModule: typeof import('node:tls')
// Its X509 checks load node:crypto: loaded with node:tls.
let identity: typeof TlsIdentity
// The PEM content checks and the system CA store (node:crypto too): loaded with node:tls.
let tlsFiles: typeof TlsFiles
let osStore: typeof OsStore
let pem: typeof Pem

/** `host:port` or the socket path, for messages. */
export const describeEndpoint = (c: ResolvedConnection): string => (c.unix ? c.unix : `${c.host}:${c.port}`)

const CERT_ERRORS = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_SIGNATURE_FAILURE',
])

/** Turns a socket-level failure into an exit-3 error with a hint that says what to check. */
export function transportError(error: NodeJS.ErrnoException, c: ResolvedConnection): MqctlError {
  const where = describeEndpoint(c)
  const code = error.code ?? ''
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new MqctlError('CONNECTION_DNS', `cannot resolve host "${c.host}" (Lookup error.)`, {
      hint: 'check -h/--host',
    })
  }

  if (code === 'ECONNREFUSED') {
    return new MqctlError('CONNECTION_REFUSED', `connection refused by ${where}`, {
      hint: 'is the broker running, and listening on that address and port (-h, -p, --unix)?',
    })
  }

  if (code === 'ENOENT' && c.unix)
    return new MqctlError('CONNECTION_REFUSED', `no socket at ${c.unix}`, {hint: 'check --unix'})
  if (
    CERT_ERRORS.has(code) ||
    code.startsWith('ERR_SSL') ||
    code.startsWith('ERR_TLS') ||
    /certificate|ssl|tls/i.test(error.message)
  ) {
    const store = trustNote ? ` (${trustNote})` : ''
    const untrusted =
      "give the CA that signed the broker's certificate with --cafile or --capath" +
      `${store}; --insecure does not skip this`
    const hint =
      code === 'ERR_TLS_CERT_ALTNAME_INVALID'
        ? 'connect with a name or address the certificate lists (-h), or issue one that lists this host (mqctl cert server --host/--ip); --insecure skips only this check'
        : code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID'
          ? "the broker's certificate is outside its validity dates (check the clocks, or renew it); --insecure does not skip this"
          : CERT_ERRORS.has(code)
            ? untrusted
            : 'is this a TLS listener, and do --tls-version/--ciphers/--psk match it?'
    return new MqctlError('CONNECTION_TLS', `TLS handshake with ${where} failed: ${error.message.trim()}`, {hint})
  }

  if (code === 'ECONNRESET' || code === 'EPIPE') {
    // Worded like every other hang-up (session.ts closedByPeer): a reset at once is one too.
    const stage = c.tls ? 'during the TLS handshake' : 'before CONNACK'
    return new MqctlError('CONNECTION_RESET', `connection closed by the broker (${where}) ${stage}`, {
      hint: c.tls
        ? 'the listener may not speak TLS, or refused the client certificate'
        : 'a TLS listener? then give --cafile or use port 8883',
    })
  }

  return new MqctlError('CONNECTION_FAILED', `cannot connect to ${where}: ${error.message.trim()}`)
}

/** A PEM input (CA, certificate, key): a regular file of sane size, or an exit-5 error naming it. */
function readPem(path: string, label: string, flag: string): Buffer {
  try {
    return readInputFile(path, {maxBytes: MAX_PEM_BYTES, label}).bytes
  } catch (error) {
    const e = error as MqctlError
    throw new MqctlError(
      e.code?.startsWith('FILE_') ? e.code : 'FILE_TLS',
      `Problem setting TLS options: ${flag}: ${e.message}`,
      {
        location: e.location,
      },
    )
  }
}

/** Set while building the store: what to add to the hint when the broker's certificate is not trusted. */
let trustNote: string | undefined

/**
 * The CAs the broker's certificate is checked against, as libmosquitto assembles them (lib/net_mosq.c,
 * net__tls_load_ca): OpenSSL's default verify paths when the OS store is in use (--tls-use-os-certs, or
 * port 8883 / mqtts:// without --cafile/--capath), plus --cafile, plus --capath. Always given to node as
 * `ca`, so node's bundled Mozilla list (tls.rootCertificates) is never what decides. Undefined for PSK:
 * no certificate is exchanged.
 */
function trustedCas(tls: NonNullable<ResolvedConnection['tls']>): string[] | undefined {
  if (tls.psk) return undefined
  trustNote = undefined
  // CA files are in the store from the start (the system file, NODE_EXTRA_CA_CERTS, --cafile);
  // the directories (the system's, then --capath) are asked only for names not found there.
  const eager: PemCertificate[] = []
  const dirs: PemCertificate[][] = []
  if (tls.cafile) eager.push(...tlsFiles.checkCaFile(tls.cafile, readPem(tls.cafile, 'CA file', '--cafile')))
  if (tls.useOsCerts) {
    eager.push(...extraCerts())
    const store = osStore.loadOsStore(process.env, osStore.systemOpensslDir(), eager)
    eager.push(...store.file)
    dirs.push(...store.dirs)
    const count = osStore.uniqueCertificates([...store.file, ...store.dirs.flat()]).length
    trustNote = `the system store (${store.paths.from}) holds ${count} CA certificate(s)`
  }

  if (tls.capath) {
    let dir: HashedDir
    try {
      dir = osStore.loadHashedDir(tls.capath, undefined, osStore.keysOf(eager))
    } catch (error) {
      throw new MqctlError('FILE_TLS', `Problem setting TLS options: ${fileError(tls.capath, error).message}`)
    }

    dirs.push(dir.certificates)
    if (dir.certificates.length === 0 && dir.unhashed > 0) {
      trustNote =
        `--capath ${tls.capath} has no certificate under its subject-hash name (<hash>.0), ` +
        `the only name OpenSSL (and mosquitto) looks for: run \`openssl rehash ${tls.capath}\``
    }
  }

  return osStore.assembleTrust(eager, dirs).map((c) => c.text)
}

/**
 * NODE_EXTRA_CA_CERTS, which node adds to its default store: here to the system store it stands in
 * for. bin/run.js moves the variable to MQCTL_NODE_EXTRA_CA_CERTS so that node 20 does not parse it
 * on every run (~50 ms); a warning like node's when that file cannot be read. When node read it
 * itself (`node bin/run.js`), it has warned already. Plain CERTIFICATE blocks only, up to the
 * first broken one, as node reads the file (a TRUSTED CERTIFICATE block is skipped there).
 */
function extraCerts(env = process.env): PemCertificate[] {
  const byNode = env.NODE_EXTRA_CA_CERTS
  const file = byNode || env.MQCTL_NODE_EXTRA_CA_CERTS
  if (!file) return []
  let text: string
  try {
    text = readInputFile(file, {label: 'NODE_EXTRA_CA_CERTS file'}).bytes.toString('utf8')
  } catch (error) {
    if (!byNode)
      process.stderr.write(`Warning: Ignoring extra certs from \`${file}\`, load failed: ${(error as Error).message}\n`)
    return []
  }

  const plain = text.match(/-----BEGIN (X509 )?CERTIFICATE-----\r?\n[\s\S]*?-----END \1?CERTIFICATE-----/g) ?? []
  return pem.readCertificates(plain.join('\n')).certificates
}

function tlsOptions(c: ResolvedConnection): TlsOptions {
  const tls = c.tls!
  const host = identity.bareHost(c.host)
  const options: TlsOptions = {
    // The chain (trust, dates, signatures) is always verified; --insecure, as in mosquitto_ctrl,
    // only skips the host check below.
    rejectUnauthorized: true,
    ca: trustedCas(tls),
    ciphers: tls.ciphers,
    minVersion: tls.minVersion,
    host,
    // SNI carries host names only (RFC 6066); Node refuses an IP literal there.
    servername: isIP(host) ? undefined : host,
    ALPNProtocols: tls.alpn ? [tls.alpn] : undefined,
    checkServerIdentity: (_name, cert) => {
      // No host check over a Unix socket (libmosquitto skips it for port 0) or with --insecure.
      if (tls.insecure || c.unix) return undefined
      const mismatch = identity.checkBrokerIdentity(host, cert.raw)
      return mismatch ? identity.identityError(mismatch) : undefined
    },
  }
  if (tls.cert) {
    options.cert = readPem(tls.cert, 'certificate file', '--cert')
    options.key = readPem(tls.key!, 'key file', '--key')
    tlsFiles.checkClientPair({file: tls.cert, pem: options.cert}, {file: tls.key!, pem: options.key})
  }

  if (tls.psk) {
    const psk = Buffer.from(tls.psk.key, 'hex')
    const identity = tls.psk.identity
    options.pskCallback = () => ({psk, identity})
    options.ciphers = tls.ciphers ?? 'PSK'
    // Node offers PSK with TLS 1.2 only.
    options.maxVersion = 'TLSv1.2'
    options.checkServerIdentity = () => undefined
  }

  return options
}

function waitFor<T extends Socket>(socket: T, event: string): Promise<T> {
  return new Promise((resolve, reject) => {
    socket.once(event, () => {
      socket.off('error', reject)
      resolve(socket)
    })
    socket.once('error', reject)
  })
}

/** SOCKS5 CONNECT through the `socks` package; the proxy resolves the broker's name, as socks5h means. */
async function socks5(c: ResolvedConnection): Promise<Socket> {
  const proxy = c.proxy!
  const named = `the SOCKS proxy ${proxy.host}:${proxy.port}`
  // The TCP connection is made here, so a proxy that is down is told apart from one that fails
  // the handshake: the broker was never contacted either way.
  const socket = await waitFor(
    netConnect({host: proxy.host, port: proxy.port, localAddress: c.bindAddress}),
    'connect',
  ).catch((error: NodeJS.ErrnoException) => {
    throw new MqctlError('CONNECTION_PROXY', `cannot reach ${named}: ${error.code ?? error.message}`, {
      hint: 'check --proxy',
    })
  })
  let socketCode: string | undefined
  socket.once('error', (error: NodeJS.ErrnoException) => (socketCode = error.code))
  const {SocksClient} = await import('socks')
  try {
    await SocksClient.createConnection({
      command: 'connect',
      destination: {host: c.host, port: c.port},
      proxy: {host: proxy.host, port: proxy.port, type: 5, userId: proxy.username, password: proxy.password},
      existing_socket: socket,
      // The caller's deadline decides; this only keeps the library from giving up first.
      timeout: c.timeoutMs + 60_000,
    })
  } catch (error) {
    socket.destroy()
    const text = (error as Error).message
    if (/authentication failed/i.test(text))
      throw new MqctlError('CONNECTION_PROXY', `${named} refused the username/password`, {hint: 'check --proxy'})
    if (/no accepted authentication type/i.test(text))
      throw new MqctlError('CONNECTION_PROXY', `${named} accepts none of the offered authentication methods`, {
        hint: 'check --proxy (user and password in the URL)',
      })
    const rejected = /proxy rejected connection - (\w+)/i.exec(text)
    if (rejected)
      throw new MqctlError('CONNECTION_PROXY', `${named} could not reach ${c.host}:${c.port} (${rejected[1]})`, {
        hint: 'check -h/-p: the proxy resolves and connects to them',
      })
    throw new MqctlError('CONNECTION_PROXY', `${named} failed during the handshake: ${socketCode ?? text}`, {
      hint: 'check --proxy',
    })
  }

  // socks resumes the socket on the next turn to replay bytes read past its reply. MQTT and TLS
  // both speak first, so there are none; pausing keeps what the broker sends until MQTT reads.
  await new Promise((resolve) => setImmediate(resolve))
  socket.pause()
  return socket
}

/**
 * Opens the byte stream MQTT will run over: TCP, TLS, a Unix socket, or through a SOCKS5 proxy.
 * `onConnected` is called once the connection is up and the TLS handshake starts.
 */
export async function openTransport(c: ResolvedConnection, onConnected?: () => void): Promise<Socket | TLSSocket> {
  try {
    // The TLS files are read and checked before any connection: a wrong file is the user's input
    // (exit 5), whether or not the broker is up.
    let secure: TlsOptions | undefined
    if (c.tls) {
      tlsModule ??= await import('node:tls')
      identity ??= await import('./tls-identity.js')
      tlsFiles ??= await import('./tls-files.js')
      osStore ??= await import('./os-store.js')
      pem ??= await import('./pem.js')
      secure = tlsOptions(c)
    }

    let socket: Socket
    if (c.unix) socket = await waitFor(netConnect({path: c.unix}), 'connect')
    else if (c.proxy) socket = await socks5(c)
    else socket = await waitFor(netConnect({host: c.host, port: c.port, localAddress: c.bindAddress}), 'connect')
    if (c.nodelay) socket.setNoDelay(true)
    if (!secure) return socket
    // Told so a deadline passing from here on is named the handshake's, not the connection's.
    onConnected?.()
    const tlsSocket = tlsModule.connect({...secure, socket})
    return await waitFor(tlsSocket, 'secureConnect')
  } catch (error) {
    if (error instanceof MqctlError) throw error
    throw transportError(error as NodeJS.ErrnoException, c)
  }
}
