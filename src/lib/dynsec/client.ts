import type {MqttClient} from 'mqtt'

import {MqctlError} from '../errors.js'
import type {ResolvedConnection} from '../connection/resolve.js'
import {
  closedByPeer,
  closeSession,
  deadline,
  openSession,
  reasonText,
  watchHangUp,
  type Deadline,
} from '../connection/session.js'
import type {DynsecBackend} from './backend.js'
import {answerRefused, chunkPayloads, PIPELINE} from './chunks.js'
import type {DynsecRequest, DynsecResponse} from './schemas.js'

export const REQUEST_TOPIC = '$CONTROL/dynamic-security/v1'
export const RESPONSE_TOPIC = '$CONTROL/dynamic-security/v1/response'

const NO_PLUGIN_HINT =
  'the dynamic-security plugin is probably not loaded: add "plugin /usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so" and "plugin_opt_config_file <file>" to mosquitto.conf (mqctl dynsec init creates the file)'

let runs = 0
/**
 * Unique enough to tell this request's replies from other admins' (who see them too); no
 * secret, so no node:crypto (whose loading costs start-up time).
 */
const runId = () =>
  `${process.pid.toString(36)}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}${(runs++).toString(36)}`

/** A `$CONTROL` API: where requests go, where replies come, and what to say when nothing answers. */
export interface ControlEndpoint {
  request: string
  response: string
  /** "the dynamic-security plugin", for "no reply from …". */
  what: string
  /** "dynamic-security", for "the … endpoint is not available". */
  name: string
  /** Why nothing answers, most likely. */
  noReplyHint: string
  /** Who may use it, for refused SUBSCRIBE/PUBLISH. */
  accessHint: (verb: 'subscribe' | 'publish') => string
}

export const DYNSEC_ENDPOINT: ControlEndpoint = {
  request: REQUEST_TOPIC,
  response: RESPONSE_TOPIC,
  what: 'the dynamic-security plugin',
  name: 'dynamic-security',
  noReplyHint: NO_PLUGIN_HINT,
  accessHint: (verb) =>
    verb === 'subscribe'
      ? 'this user may not use the dynamic-security API: it needs a role with subscribePattern and publishClientReceive on $CONTROL/dynamic-security/# (dynsec init creates such an admin)'
      : 'this user may not use the dynamic-security API: give it a role with publishClientSend on $CONTROL/dynamic-security/# (dynsec init creates such an admin)',
}

export interface DynsecSendOptions {
  log?: (line: string) => void
  /** The API the session talks to: the dynamic-security plugin's unless given (broker commands). */
  endpoint?: ControlEndpoint
  /** Told after each chunk is answered: commands answered so far, total. */
  onProgress?: (done: number, total: number) => void
}

/** What one send achieved when the broker closed the connection part-way (a kick). */
export interface PartialSend {
  /** One entry per command; undefined where no answer arrived. */
  responses: Array<DynsecResponse | undefined>
  /** Set when the connection closed before every command was answered. */
  closed?: MqctlError
}

/** What the broker's CONNACK (v5) says about what it accepts. */
interface BrokerLimits {
  maximumPacketSize?: number
  receiveMaximum?: number
}

/** One subscribed connection to the plugin, for several requests (readers, plans, batches). */
export interface DynsecSession {
  send(commands: readonly DynsecRequest[], options?: DynsecSendOptions): Promise<DynsecResponse[]>
  /** As send, but a closed connection returns what was answered instead of throwing. */
  sendPartial(commands: readonly DynsecRequest[], options?: DynsecSendOptions): Promise<PartialSend>
  close(): Promise<void>
  /** Set once the broker has closed the connection. */
  readonly closed: MqctlError | undefined
  /** `$SYS/broker/version` (e.g. "mosquitto version 2.0.11"), or undefined when none came within `ms`. */
  brokerVersion(ms?: number): Promise<string | undefined>
}

/** One message on the response topic, judged (pure, so the 2.1 reply bytes are tested without a 2.1 broker). */
export type Reply = {kind: 'responses'; responses: DynsecResponse[]} | {kind: 'unavailable'; error: string}

export function classifyReply(payload: Buffer): Reply | undefined {
  const json = safeJson(payload)
  // 2.1 answers a request no plugin handles with `{"error": "endpoint not available"}`
  // (src/control.c): no responses array, no correlationData, sent to the requesting client
  // only, so it is this session's.
  if (json && typeof json === 'object' && !Array.isArray(json) && !('responses' in json)) {
    const error = (json as {error?: unknown}).error
    return typeof error === 'string' ? {kind: 'unavailable', error} : undefined
  }

  const responses = envelopeResponses(json)
  if (!responses) return undefined
  const unavailable = responses.find((r) => /endpoint not available/i.test(r.error ?? ''))
  return unavailable ? {kind: 'unavailable', error: unavailable.error!} : {kind: 'responses', responses}
}

/**
 * The exit-4 error when the broker says nothing serves the topic: for the broker API that is
 * "enable_control_api" missing, not the plugin (a real 2.1.2 broker answers both the same way).
 */
export const endpointUnavailable = (error: string, endpoint: ControlEndpoint = DYNSEC_ENDPOINT): MqctlError =>
  new MqctlError('TIMEOUT_NO_PLUGIN', `the broker says the ${endpoint.name} endpoint is not available ("${error}")`, {
    hint: endpoint.noReplyHint,
  })

/**
 * Sends commands to the plugin and returns one response per command, matched by
 * correlationData (replies go to every admin subscribed, so others' replies are ignored).
 */
export async function sendDynsecCommands(
  connection: ResolvedConnection,
  commands: readonly DynsecRequest[],
  options: DynsecSendOptions = {},
): Promise<DynsecResponse[]> {
  const session = await openDynsecSession(connection, options)
  try {
    return await session.send(commands, options)
  } finally {
    await session.close()
  }
}

/** Connects, subscribes to the response topic and waits for SUBACK. */
export async function openDynsecSession(
  connection: ResolvedConnection,
  options: DynsecSendOptions = {},
): Promise<DynsecSession> {
  const limit = deadline(connection.timeoutMs)
  const endpoint = options.endpoint ?? DYNSEC_ENDPOINT
  // The admin requests' few packets (lib/wire): loading mqtt.js costs more than the whole request.
  const client = await openSession(connection, limit, options.log, 'wire')
  const where = connection.unix ?? `${connection.host}:${connection.port}`
  const peer = watchHangUp(client, where)
  try {
    await subscribe(client, connection, limit, peer, endpoint)
  } catch (error) {
    await closeSession(client)
    throw error
  }

  const limits = (client as unknown as {connackPacket?: {properties?: BrokerLimits}}).connackPacket?.properties ?? {}
  let closed: MqctlError | undefined
  let unavailable: string | undefined
  /** Where a hang-up would interrupt the exchange, for its message. */
  const stage = {now: 'before the plugin answered'}
  const waiters = new Set<() => void>()
  const listeners = new Set<(r: DynsecResponse) => void>()
  client.on('message', (topic, payload) => {
    if (topic !== endpoint.response) return
    const reply = classifyReply(payload)
    if (reply?.kind === 'unavailable') unavailable ??= reply.error
    else if (reply) for (const response of reply.responses) for (const l of listeners) l(response)
    for (const w of waiters) w()
  })
  peer.onClose(() => {
    closed ??= closedByPeer(
      where,
      stage.now,
      "another client with the same client id (-i), or the broker kicked this session (a change to the admin's own client, roles or groups does that)",
    )
    for (const w of waiters) w()
  })

  const sendPartial = async (commands: readonly DynsecRequest[], opts: DynsecSendOptions = {}) => {
    if (closed) return {responses: commands.map(() => undefined), closed}
    const run = runId()
    const tagged = commands.map((c, i) => ({...c, correlationData: `mqctl-${run}-${i}`}))
    const answers = new Map<string, DynsecResponse>()
    const listener = (r: DynsecResponse) => {
      if (typeof r.correlationData === 'string' && r.correlationData.startsWith(`mqctl-${run}-`)) {
        answers.set(r.correlationData, r)
      }
    }

    listeners.add(listener)
    try {
      await exchange(client, connection, tagged, answers, limits, opts, waiters, {
        stage,
        isClosed: () => closed,
        unavailable: () => unavailable,
        hungUp: async () => {
          // mqtt.js may fail a pending publish a moment before its 'close' event.
          if (!closed) await new Promise((resolve) => setImmediate(resolve))
          if (!closed && !client.connected) closed = closedByPeer(where, stage.now)
          return closed
        },
        guard: (promise, at) => peer.guard(promise, at),
        endpoint,
      })
    } finally {
      listeners.delete(listener)
    }

    if (unavailable !== undefined) throw endpointUnavailable(unavailable, endpoint)
    const responses = tagged.map((c) => answers.get(c.correlationData))

    return responses.includes(undefined) ? {responses, closed} : {responses}
  }

  return {
    sendPartial,
    async send(commands, opts) {
      const result = await sendPartial(commands, opts)
      if (result.closed) throw result.closed
      return result.responses as DynsecResponse[]
    },
    close: () => closeSession(client),
    get closed() {
      return closed
    },
    brokerVersion: (ms = 1000) => readBrokerVersion(client, ms),
  }
}

/** The broker's retained `$SYS/broker/version`, when this user may read it. */
async function readBrokerVersion(client: MqttClient, ms: number): Promise<string | undefined> {
  const topic = '$SYS/broker/version'
  let onMessage: ((t: string, payload: Buffer) => void) | undefined
  let timer: NodeJS.Timeout | undefined
  const version = new Promise<string | undefined>((resolve) => {
    onMessage = (t, payload) => {
      if (t === topic) resolve(payload.toString('utf8'))
    }

    client.on('message', onMessage)
    timer = setTimeout(() => resolve(undefined), ms)
  })
  try {
    const granted = await Promise.race([client.subscribeAsync(topic, {qos: 0}), version.then(() => [])])
    if (granted.length > 0 && (granted[0]?.qos ?? 128) >= 128) return undefined
    return await version
  } catch {
    return undefined
  } finally {
    clearTimeout(timer)
    if (onMessage) client.off('message', onMessage)
  }
}

/**
 * The reply envelope's responses, checked by hand to the rules of dynsecResponseEnvelopeSchema
 * (test/lib/dynsec/client-envelope.test.ts holds them together): zod costs start-up time here.
 */
function envelopeResponses(parsed: unknown): DynsecResponse[] | undefined {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined
  const list = (parsed as {responses?: unknown}).responses
  if (!Array.isArray(list)) return undefined
  const ok = list.every(
    (r: unknown) =>
      typeof r === 'object' &&
      r !== null &&
      !Array.isArray(r) &&
      typeof (r as DynsecResponse).command === 'string' &&
      ((r as DynsecResponse).error === undefined || typeof (r as DynsecResponse).error === 'string'),
  )
  return ok ? (list as DynsecResponse[]) : undefined
}

/** The responses of a reply payload, or none when it is not a reply envelope. */
export const readEnvelope = (payload: Buffer): DynsecResponse[] => envelopeResponses(safeJson(payload)) ?? []

async function subscribe(
  client: MqttClient,
  connection: ResolvedConnection,
  limit: Deadline,
  peer: ReturnType<typeof watchHangUp>,
  endpoint: ControlEndpoint,
): Promise<void> {
  const notAllowedToSubscribe = (reason: string) =>
    new MqctlError('CONNECTION_NOT_AUTHORIZED', `not allowed to subscribe to ${endpoint.response}: ${reason}`, {
      hint: endpoint.accessHint('subscribe'),
    })
  const granted = await peer
    .guard(
      limit.race(
        client.subscribeAsync(endpoint.response, {qos: connection.qos}),
        'the broker did not answer SUBSCRIBE',
      ),
      'before SUBACK',
    )
    .catch((error: unknown) => {
      if (error instanceof MqctlError) throw error
      throw notAllowedToSubscribe((error as Error).message.replace(/^Subscribe error: /, ''))
    })
  const code = granted[0]?.qos ?? 128
  if (code >= 128) throw notAllowedToSubscribe(reasonText(code))
}

async function exchange(
  client: MqttClient,
  connection: ResolvedConnection,
  tagged: ReadonlyArray<DynsecRequest & {correlationData: string}>,
  answers: Map<string, DynsecResponse>,
  limits: BrokerLimits,
  options: DynsecSendOptions,
  waiters: Set<() => void>,
  state: {
    stage: {now: string}
    isClosed: () => MqctlError | undefined
    unavailable: () => string | undefined
    hungUp: () => Promise<MqctlError | undefined>
    guard: <T>(promise: Promise<T>, stage: string) => Promise<T>
    endpoint: ControlEndpoint
  },
): Promise<void> {
  const {isClosed, endpoint} = state
  const chunks = chunkPayloads(tagged, limits.maximumPacketSize)
  // Every chunk goes out at once (the broker handles one connection's messages in order, so
  // later chunks see earlier changes); each chunk has its own deadline, so a large plan on a
  // broker that rewrites its file after every command is not cut off by a fixed total.
  let sent = 0
  const ends: number[] = []
  for (const [count] of chunks) ends.push((sent += count))
  state.stage.now = 'before acknowledging the request'
  /** Publishes one chunk: true when the peer hung up (the caller stops), the reason code of a refusal. */
  const publish = async (payload: string): Promise<boolean | number> => {
    const limit = deadline(connection.timeoutMs)
    try {
      // mqtt.js keeps an unacknowledged QoS 1 publish for a resend and never fails it when the
      // connection closes: the guard races it with the close.
      await state.guard(
        limit.race(
          client.publishAsync(endpoint.request, payload, {qos: connection.qos}),
          'the broker did not acknowledge the request',
        ),
        state.stage.now,
      )
      return false
    } catch (error) {
      if (error instanceof MqctlError && error.code !== 'CONNECTION_CLOSED') throw error
      if (await state.hungUp()) return true
      const rc = (error as {code?: number}).code
      if (typeof rc === 'number' && rc >= 128) return rc

      throw new MqctlError('CONNECTION_FAILED', `sending the request failed: ${(error as Error).message}`)
    }
  }

  // Pipelined: the next chunk is on the wire while the broker works on the one before (it
  // handles one connection's packets in order, so later chunks still see earlier changes),
  // with no more unacknowledged chunks than the broker's Receive Maximum allows.
  const window = Math.max(1, Math.min(PIPELINE, limits.receiveMaximum ?? PIPELINE))
  const inflight = new Set<Promise<boolean | number>>()
  /** Chunk index → reason code of the chunks the broker refused (PUBACK >= 128). */
  const refused = new Map<number, number>()
  let stop = false
  let handed = 0
  for (const [k, [, payload]] of chunks.entries()) {
    // After a refusal nothing more goes out (the chunks already on the wire may be applied).
    if (stop || refused.size > 0 || isClosed() || state.unavailable()) break
    handed = k + 1
    const p = publish(payload)
    p.catch(() => {}) // awaited below; this only keeps a second failure from going unhandled
    inflight.add(p)
    void p.then(
      (result) => {
        inflight.delete(p)
        if (result === true) stop = true
        else if (typeof result === 'number') refused.set(k, result)
      },
      () => {},
    )
    if (inflight.size >= window) await Promise.race(inflight)
  }

  const results = await Promise.all(inflight)
  if (stop || results.includes(true)) return
  if (refused.size > 0) answerRefused(tagged, answers, ends, refused, handed, endpoint)

  state.stage.now = 'before the plugin answered'
  // The broker writes the reply right after its PUBACK, and with Nagle's algorithm on its socket
  // the reply waits until this side ACKs the PUBACK, which a delayed ACK holds back ~40 ms. Any
  // packet sent now carries that ACK at once (mosquitto_ctrl pays the 40 ms; mqctl need not).
  if (connection.qos > 0 && answers.size < tagged.length && !isClosed()) client.sendPing()

  const answered = (n: number) => {
    for (let i = 0; i < n; i++) if (!answers.has(tagged[i].correlationData)) return false
    return true
  }

  const noPlugin = () => state.unavailable() !== undefined
  for (const end of ends) {
    const limit = deadline(connection.timeoutMs)
    await limit.race(
      new Promise<void>((resolve) => {
        const check = () => {
          if (isClosed() || answered(end) || noPlugin()) {
            waiters.delete(check)
            resolve()
          }
        }

        waiters.add(check)
        check()
      }),
      `no reply from ${endpoint.what}`,
      connection.protocolVersion === 5
        ? endpoint.noReplyHint
        : `${endpoint.noReplyHint}; with MQTT ${connection.protocolVersion === 4 ? '3.1.1' : '3.1'} a request the broker refuses (this user may not publish to ${endpoint.request}) looks the same: -V 5 tells them apart`,
    )
    if (isClosed() || noPlugin()) return
    options.onProgress?.(end, tagged.length)
  }
}

function safeJson(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8'))
  } catch {
    return undefined
  }
}

/** A live broker as a DynsecBackend: one subscribed connection for every send until close. */
export interface SessionBackend extends DynsecBackend {
  readonly kind: 'broker'
  readonly session: DynsecSession
  readonly connection: ResolvedConnection
}

export async function openSessionBackend(
  connection: ResolvedConnection,
  options: DynsecSendOptions = {},
): Promise<SessionBackend> {
  const session = await openDynsecSession(connection, options)
  return {
    kind: 'broker',
    session,
    connection,
    send: (commands) => session.send(commands, options),
    close: () => session.close(),
    brokerVersion: () => session.brokerVersion(),
  }
}
