import {readFileSync, readdirSync} from 'node:fs'
import {isIP, connect as netConnect, type Socket} from 'node:net'
import {join} from 'node:path'
import type {ConnectionOptions as TlsOptions, TLSSocket} from 'node:tls'

import {MqctlError} from '../errors.js'
import type {ResolvedConnection} from './resolve.js'

// node:tls and the crypto it pulls in cost start-up time: loaded for TLS connections only.
let tlsModule: typeof import('node:tls')

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
    return new MqctlError('CONNECTION_TLS', `TLS handshake with ${where} failed: ${error.message.trim()}`, {
      hint: CERT_ERRORS.has(code)
        ? "give the CA that signed the broker's certificate with --cafile (or --insecure to skip verification, which is unsafe)"
        : 'is this a TLS listener, and do --tls-version/--ciphers/--psk match it?',
    })
  }

  if (code === 'ECONNRESET' || code === 'EPIPE') {
    return new MqctlError('CONNECTION_RESET', `${where} closed the connection`, {
      hint: c.tls
        ? 'the listener may not speak TLS, or refused the client certificate'
        : 'a TLS listener? then give --cafile or use port 8883',
    })
  }

  return new MqctlError('CONNECTION_FAILED', `cannot connect to ${where}: ${error.message.trim()}`)
}

function loadCaBundle(tls: NonNullable<ResolvedConnection['tls']>): string[] | undefined {
  const cas: string[] = []
  try {
    if (tls.cafile) cas.push(readFileSync(tls.cafile, 'utf8'))
    if (tls.capath) {
      for (const name of readdirSync(tls.capath)) {
        const text = readFileSync(join(tls.capath, name), 'utf8')
        if (text.includes('-----BEGIN CERTIFICATE-----')) cas.push(text)
      }
    }
  } catch (error) {
    throw new MqctlError('FILE_TLS', `Problem setting TLS options: ${(error as Error).message}`)
  }

  if (cas.length === 0) return undefined
  return tls.useOsCerts ? [...tlsModule.rootCertificates, ...cas] : cas
}

function tlsOptions(c: ResolvedConnection): TlsOptions {
  const tls = c.tls!
  const options: TlsOptions = {
    rejectUnauthorized: !tls.insecure,
    ca: loadCaBundle(tls),
    ciphers: tls.ciphers,
    minVersion: tls.minVersion,
    servername: isIP(c.host) ? undefined : c.host,
    ALPNProtocols: tls.alpn ? [tls.alpn] : undefined,
  }
  if (tls.cert) {
    try {
      options.cert = readFileSync(tls.cert)
      options.key = readFileSync(tls.key!)
    } catch (error) {
      throw new MqctlError('FILE_TLS', `Problem setting TLS options: ${(error as Error).message}`)
    }
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

/** A minimal SOCKS5 CONNECT (RFC 1928/1929) where the proxy resolves the name, as socks5h means. */
async function socks5(c: ResolvedConnection): Promise<Socket> {
  const proxy = c.proxy!
  // Failures here name the proxy: the broker was never contacted.
  const socket = await waitFor(
    netConnect({host: proxy.host, port: proxy.port, localAddress: c.bindAddress}),
    'connect',
  ).catch((error: NodeJS.ErrnoException) => {
    throw new MqctlError(
      'CONNECTION_PROXY',
      `cannot reach the SOCKS proxy ${proxy.host}:${proxy.port}: ${error.code ?? error.message}`,
      {
        hint: 'check --proxy',
      },
    )
  })
  try {
    return await socks5Handshake(c, socket)
  } catch (error) {
    socket.destroy()
    if (error instanceof MqctlError) throw error
    const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message
    throw new MqctlError(
      'CONNECTION_PROXY',
      `the SOCKS proxy ${proxy.host}:${proxy.port} failed during the handshake: ${why}`,
      {hint: 'check --proxy'},
    )
  }
}

async function socks5Handshake(c: ResolvedConnection, socket: Socket): Promise<Socket> {
  const proxy = c.proxy!
  // Bytes are kept here between reads: a proxy may send a reply and what follows it in one
  // chunk, and a chunk pushed back with unshift() on a flowing socket would be lost.
  let pending = Buffer.alloc(0)
  const read = (n: number) =>
    new Promise<Buffer>((resolve, reject) => {
      const take = () => {
        if (pending.length < n) return false
        stop()
        const out = pending.subarray(0, n)
        pending = pending.subarray(n)
        resolve(out)
        return true
      }

      const onData = (chunk: Buffer) => {
        pending = Buffer.concat([pending, chunk])
        take()
      }

      const onEnd = () => {
        stop()
        reject(
          new MqctlError(
            'CONNECTION_PROXY',
            `the SOCKS proxy ${proxy.host}:${proxy.port} closed the connection during the handshake`,
          ),
        )
      }

      const stop = () => {
        socket.off('data', onData).off('error', reject).off('end', onEnd)
      }

      if (!take()) socket.on('data', onData).once('error', reject).once('end', onEnd)
    })
  const auth = proxy.username === undefined ? [0x00] : [0x02]
  socket.write(Buffer.from([0x05, auth.length, ...auth]))
  const [, method] = await read(2)
  if (method === 0x02) {
    const u = Buffer.from(proxy.username ?? '')
    const p = Buffer.from(proxy.password ?? '')
    socket.write(Buffer.concat([Buffer.from([0x01, u.length]), u, Buffer.from([p.length]), p]))
    const [, status] = await read(2)
    if (status !== 0) throw new MqctlError('CONNECTION_PROXY', 'the SOCKS proxy refused the username/password')
  } else if (method !== 0x00) {
    throw new MqctlError('CONNECTION_PROXY', 'the SOCKS proxy accepts none of the offered authentication methods')
  }

  const host = Buffer.from(c.host)
  const port = Buffer.from([c.port >> 8, c.port & 0xff])
  socket.write(Buffer.concat([Buffer.from([0x05, 0x01, 0x00, 0x03, host.length]), host, port]))
  const head = await read(5)
  if (head[1] !== 0x00)
    throw new MqctlError('CONNECTION_PROXY', `the SOCKS proxy could not reach ${c.host}:${c.port} (reply ${head[1]})`)
  const rest = head[3] === 0x01 ? 4 + 2 - 1 : head[3] === 0x04 ? 16 + 2 - 1 : head[4] + 2
  await read(rest)
  // Paused until MQTT takes the stream over, so nothing the broker sends is dropped meanwhile.
  socket.pause()
  if (pending.length > 0) socket.unshift(pending)
  return socket
}

/** Opens the byte stream MQTT will run over: TCP, TLS, a Unix socket, or through a SOCKS5 proxy. */
export async function openTransport(c: ResolvedConnection): Promise<Socket | TLSSocket> {
  try {
    let socket: Socket
    if (c.unix) socket = await waitFor(netConnect({path: c.unix}), 'connect')
    else if (c.proxy) socket = await socks5(c)
    else socket = await waitFor(netConnect({host: c.host, port: c.port, localAddress: c.bindAddress}), 'connect')
    if (c.nodelay) socket.setNoDelay(true)
    if (!c.tls) return socket
    tlsModule ??= await import('node:tls')
    const tlsSocket = tlsModule.connect({...tlsOptions(c), socket})
    return await waitFor(tlsSocket, 'secureConnect')
  } catch (error) {
    if (error instanceof MqctlError) throw error
    throw transportError(error as NodeJS.ErrnoException, c)
  }
}
