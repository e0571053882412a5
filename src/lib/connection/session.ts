import type {IClientOptions, MqttClient} from 'mqtt'

import {MqctlError} from '../errors.js'
import {describeEndpoint, openTransport, transportError} from './transport.js'
import type {ResolvedConnection} from './resolve.js'

/** CONNACK reason codes (v5) and return codes (v3.1.1) in words. */
const CONNACK_REASONS: Record<number, string> = {
  1: 'unacceptable protocol version',
  2: 'identifier rejected',
  3: 'server unavailable',
  4: 'bad user name or password',
  5: 'not authorised',
  128: 'Unspecified error',
  129: 'Malformed Packet',
  130: 'Protocol Error',
  132: 'Unsupported Protocol Version',
  133: 'Client Identifier not valid',
  134: 'Bad User Name or Password',
  135: 'Not authorized',
  136: 'Server unavailable',
  137: 'Server busy',
  138: 'Banned',
  140: 'Bad authentication method',
  149: 'Packet too large',
}

export const reasonText = (code: number): string => CONNACK_REASONS[code] ?? `reason code 0x${code.toString(16)}`

/** The broker (or whatever listens there) hung up: noticed at once, never left to the timeout. */
export function closedByPeer(where: string, stage: string, hint?: string): MqctlError {
  return new MqctlError('CONNECTION_CLOSED', `connection closed by the broker (${where}) ${stage}`, {
    hint:
      hint ?? 'another client with the same client id (-i), a broker that kicked this session, or not an MQTT listener',
  })
}

export interface HangUpWatch {
  /** True once the connection has closed. */
  readonly closed: boolean
  /** Called once when the connection closes. */
  onClose(listener: () => void): void
  /** The promise, except that a failure caused by the peer hanging up becomes closedByPeer(stage). */
  guard<T>(promise: Promise<T>, stage: string): Promise<T>
}

/**
 * Watches an open session for the peer hanging up. mqtt.js fails pending SUBSCRIBE and PUBLISH
 * promises in its own words when the socket closes (or not at all); this turns every such
 * failure into one clear exit-3 error, at once.
 */
export function watchHangUp(client: MqttClient, where: string): HangUpWatch {
  let closed = !client.connected
  const listeners: Array<() => void> = []
  let hangUp: ((error: MqctlError) => void) | undefined
  const stages: string[] = []
  client.once('close', () => {
    closed = true
    hangUp?.(closedByPeer(where, stages.at(-1) ?? 'unexpectedly'))
    for (const listener of listeners) listener()
  })
  return {
    get closed() {
      return closed
    },
    onClose: (listener) => void listeners.push(listener),
    async guard(promise, stage) {
      if (closed) throw closedByPeer(where, stage)
      stages.push(stage)
      const closing = new Promise<never>((_, reject) => (hangUp = reject))
      try {
        return await Promise.race([promise, closing])
      } catch (error) {
        if (error instanceof MqctlError && !error.code.startsWith('CONNECTION_CLOSED')) throw error
        // mqtt.js may fail the promise a moment before its 'close' event.
        if (!closed) await new Promise((resolve) => setImmediate(resolve))
        if (closed || !client.connected) throw closedByPeer(where, stage)
        throw error
      } finally {
        hangUp = undefined
        stages.pop()
      }
    },
  }
}

export interface Deadline {
  /** Milliseconds left. */
  remaining(): number
  /** Rejects with a timeout error when the deadline passes first. */
  race<T>(promise: Promise<T>, what: string, hint?: string): Promise<T>
}

export function deadline(ms: number): Deadline {
  const end = Date.now() + ms
  return {
    remaining: () => Math.max(0, end - Date.now()),
    race(promise, what, hint) {
      let timer: NodeJS.Timeout | undefined
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new MqctlError('TIMEOUT', `${what} (no answer within ${ms / 1000} s)`, {hint})),
          Math.max(0, end - Date.now()),
        )
      })
      return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
    },
  }
}

/**
 * Connects (transport, then MQTT CONNECT) within the deadline. Clean start, no reconnect:
 * an admin tool must fail loudly, not retry forever.
 */
export async function openSession(
  c: ResolvedConnection,
  limit: Deadline,
  log?: (line: string) => void,
  implementation: 'mqtt' | 'wire' = 'mqtt',
): Promise<MqttClient> {
  const where = c.proxy
    ? `${describeEndpoint(c)} through the SOCKS proxy ${c.proxy.host}:${c.proxy.port}`
    : describeEndpoint(c)
  let handshaking = false
  const stream = await limit
    .race(
      openTransport(c, () => (handshaking = true)),
      `no connection to ${where}`,
      'is the host reachable? a firewall dropping packets looks like this',
    )
    .catch((error: unknown) => {
      // The port took the connection and then said nothing to the ClientHello: no reachability problem.
      if (!handshaking || !(error instanceof MqctlError) || error.code !== 'TIMEOUT') throw error
      throw new MqctlError('TIMEOUT', error.message.replace('no connection to', 'no TLS handshake with'), {
        hint: 'the port accepted the connection but never answered the TLS handshake: is it the TLS listener?',
      })
    })
  // A peer that hangs up at once can do so before mqtt.js holds the stream, and mqtt.js then
  // never notices: watch the stream itself from here on.
  let hungUp = stream.destroyed
  let onHangUp: (() => void) | undefined
  stream.once('close', () => {
    hungUp = true
    onHangUp?.()
  })
  type ClientClass = typeof import('mqtt').MqttClient
  let MqttClient: ClientClass
  if (implementation === 'wire') {
    // The admin requests' few packets (lib/wire): loading mqtt.js costs more than the whole request.
    MqttClient = (await import('../wire/client.js')).WireClient as unknown as ClientClass
  } else {
    // The client module alone: mqtt's index also loads websockets and more, ~8x the start-up cost.
    const clientModule: string = 'mqtt/lib/client'
    const loaded = (await import(clientModule)) as {default: ClientClass | {default: ClientClass}}
    MqttClient = 'default' in loaded.default ? loaded.default.default : loaded.default
  }
  const options: IClientOptions = {
    protocolVersion: c.protocolVersion,
    // MQTT 3.1 names its protocol MQIsdp; mqtt.js sends "MQTT" unless told, which brokers refuse.
    protocolId: c.protocolVersion === 3 ? 'MQIsdp' : 'MQTT',
    clientId: c.clientId ?? (c.protocolVersion === 5 ? '' : `mqctl-${process.pid}-${Date.now().toString(36)}`),
    username: c.username,
    password: c.password,
    clean: true,
    keepalive: 60,
    reconnectPeriod: 0,
    connectTimeout: limit.remaining(),
    manualConnect: false,
  }
  const client = new MqttClient(() => stream, options)
  if (log) {
    client.on('packetsend', (p) => log(`sent ${p.cmd}`))
    client.on('packetreceive', (p) => log(`received ${p.cmd}`))
  }

  try {
    const closedEarly = () =>
      closedByPeer(
        where,
        'before CONNACK',
        'a TLS listener spoken to without TLS, or a protocol version it does not accept (-V)?',
      )
    await limit.race(
      new Promise<void>((resolve, reject) => {
        onHangUp = () => reject(closedEarly())
        if (hungUp) onHangUp()
        client.once('connect', () => resolve())
        client.once('error', (error: Error & {code?: number | string}) => {
          if (typeof error.code === 'number') {
            reject(
              new MqctlError(
                'CONNECTION_NOT_AUTHORIZED',
                `${where} refused the connection: ${reasonText(error.code)}`,
                {
                  details: {reasonCode: error.code},
                  hint:
                    error.code === 135 || error.code === 134 || error.code === 5 || error.code === 4
                      ? 'check the username and password (-u, -P) and, for dynsec clients, the client id'
                      : undefined,
                },
              ),
            )
          } else if (typeof error.code === 'string') {
            reject(transportError(error as unknown as NodeJS.ErrnoException, c))
          } else {
            reject(new MqctlError('CONNECTION_FAILED', `MQTT connection to ${where} failed: ${error.message}`))
          }
        })
        client.once('close', () => reject(closedEarly()))
      }),
      `${where} did not answer CONNECT`,
      'is this an MQTT listener? a TLS listener needs --cafile or port 8883',
    )
  } catch (error) {
    client.end(true)
    throw error
  } finally {
    onHangUp = undefined
  }

  return client
}

/** Disconnects politely, but never waits long for it. */
export async function closeSession(client: MqttClient): Promise<void> {
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      client.end(true)
      resolve()
    }, 500)
    client.end(false, {}, () => {
      clearTimeout(timer)
      resolve()
    })
  })
}
