import type {MqttClient} from 'mqtt'

import {MqctlError} from '../errors.js'
import type {ResolvedConnection} from '../connection/resolve.js'
import {closeSession, deadline, openSession, reasonText, type Deadline} from '../connection/session.js'
import type {DynsecRequest, DynsecResponse} from './schemas.js'

export const REQUEST_TOPIC = '$CONTROL/dynamic-security/v1'
export const RESPONSE_TOPIC = '$CONTROL/dynamic-security/v1/response'

let runs = 0
/**
 * Unique enough to tell this request's replies from other admins' (who see them too); no
 * secret, so no node:crypto (whose loading costs start-up time).
 */
const runId = () =>
  `${process.pid.toString(36)}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}${(runs++).toString(36)}`

/** Commands per PUBLISH; keeps each reply well under any broker's packet limits. */
const CHUNK = 100

const NO_PLUGIN_HINT =
  'the dynamic-security plugin is probably not loaded: add "plugin /usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so" and "plugin_opt_config_file <file>" to mosquitto.conf (mqctl dynsec init creates the file)'

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
}

/**
 * Sends commands to the plugin and returns one response per command, matched by
 * correlationData (replies go to every admin subscribed, so others' replies are ignored).
 */
export async function sendDynsecCommands(
  connection: ResolvedConnection,
  commands: readonly DynsecRequest[],
  options: DynsecSendOptions = {},
): Promise<DynsecResponse[]> {
  const limit = deadline(connection.timeoutMs)
  const session = await openDynsecSession(connection, {...options, limit})
  try {
    return await session.request(commands, limit)
  } finally {
    await session.close()
  }
}

/** One connection, subscribed to the plugin's replies, for many requests (the shell). */
export interface DynsecSession {
  /** Sends the commands; each call gets its own deadline of the connection's timeout unless given one. */
  request(commands: readonly DynsecRequest[], limit?: Deadline, endpoint?: ControlEndpoint): Promise<DynsecResponse[]>
  /** The same connection for another `$CONTROL` API (subscribed to on first use). */
  on(endpoint: ControlEndpoint): Pick<DynsecSession, 'request'>
  close(): Promise<void>
  /** Set once the broker has closed the connection. */
  readonly closed: MqctlError | undefined
  /** `$SYS/broker/version` (e.g. "mosquitto version 2.0.11"), or undefined when none came within `ms`. */
  brokerVersion(ms?: number): Promise<string | undefined>
}

export async function openDynsecSession(
  connection: ResolvedConnection,
  options: DynsecSendOptions & {limit?: Deadline; endpoint?: ControlEndpoint} = {},
): Promise<DynsecSession> {
  const endpoint = options.endpoint ?? DYNSEC_ENDPOINT
  const limit = options.limit ?? deadline(connection.timeoutMs)
  const client = await openSession(connection, limit, options.log, 'wire')
  let closedEarly: MqctlError | undefined
  const waiting = new Set<() => void>()
  const answers = new Map<string, DynsecResponse>()
  const pending = new Set<string>()
  const subscribed = new Map<string, Promise<void>>()
  client.on('message', (topic, payload) => {
    if (!subscribed.has(topic)) return
    for (const response of readEnvelope(payload)) {
      if (typeof response.correlationData === 'string' && pending.has(response.correlationData)) {
        answers.set(response.correlationData, response)
      }
    }

    for (const notify of waiting) notify()
  })
  client.on('close', () => {
    closedEarly = new MqctlError('CONNECTION_CLOSED', 'the broker closed the connection before answering', {
      hint: 'another client with the same client id (-i), or the broker kicked this session',
    })
    for (const notify of waiting) notify()
  })

  const subscribe = (to: ControlEndpoint, within: Deadline) => {
    let done = subscribed.get(to.response)
    if (!done) {
      done = subscribeReplies(client, connection, within, to)
      subscribed.set(to.response, done)
      done.catch(() => subscribed.delete(to.response))
    }

    return done
  }

  try {
    await subscribe(endpoint, limit)
  } catch (error) {
    client.end(true)
    throw error
  }

  const request = async (commands: readonly DynsecRequest[], requestLimit?: Deadline, to = endpoint) => {
    const within = requestLimit ?? deadline(connection.timeoutMs)
    await subscribe(to, within)
    return exchange(client, connection, commands, within, {
      answers,
      pending,
      waiting,
      endpoint: to,
      closed: () => closedEarly,
    })
  }

  return {
    get closed() {
      return closedEarly
    },
    request,
    on: (to) => ({request: (commands, requestLimit) => request(commands, requestLimit, to)}),
    brokerVersion: (ms = 1000) => readBrokerVersion(client, ms),
    close: () => closeSession(client),
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

async function subscribeReplies(
  client: MqttClient,
  connection: ResolvedConnection,
  limit: Deadline,
  endpoint: ControlEndpoint,
): Promise<void> {
  const notAllowedToSubscribe = (reason: string) =>
    new MqctlError('CONNECTION_NOT_AUTHORIZED', `not allowed to subscribe to ${endpoint.response}: ${reason}`, {
      hint: endpoint.accessHint('subscribe'),
    })
  const granted = await limit
    .race(client.subscribeAsync(endpoint.response, {qos: connection.qos}), 'the broker did not answer SUBSCRIBE')
    .catch((error: unknown) => {
      if (error instanceof MqctlError) throw error
      throw notAllowedToSubscribe((error as Error).message.replace(/^Subscribe error: /, ''))
    })
  const code = granted[0]?.qos ?? 128
  if (code >= 128) throw notAllowedToSubscribe(reasonText(code))
}

interface Shared {
  answers: Map<string, DynsecResponse>
  /** The correlation ids still awaited; replies to anything else are other admins'. */
  pending: Set<string>
  endpoint: ControlEndpoint
  waiting: Set<() => void>
  closed: () => MqctlError | undefined
}

async function exchange(
  client: MqttClient,
  connection: ResolvedConnection,
  commands: readonly DynsecRequest[],
  limit: Deadline,
  shared: Shared,
): Promise<DynsecResponse[]> {
  const run = runId()
  const tagged = commands.map((c, i) => ({...c, correlationData: `mqctl-${run}-${i}`}))
  const {answers} = shared
  if (shared.closed()) throw shared.closed()
  for (const c of tagged) shared.pending.add(c.correlationData)
  try {
    return await publishAndWait(client, connection, tagged, limit, shared)
  } finally {
    for (const c of tagged) {
      shared.pending.delete(c.correlationData)
      answers.delete(c.correlationData)
    }
  }
}

async function publishAndWait(
  client: MqttClient,
  connection: ResolvedConnection,
  tagged: ReadonlyArray<DynsecRequest & {correlationData: string}>,
  limit: Deadline,
  shared: Shared,
): Promise<DynsecResponse[]> {
  const {answers} = shared
  const mine = () => tagged.filter((c) => answers.has(c.correlationData)).length
  for (let start = 0; start < tagged.length; start += CHUNK) {
    const payload = JSON.stringify({commands: tagged.slice(start, start + CHUNK)})
    try {
      await limit.race(
        client.publishAsync(shared.endpoint.request, payload, {qos: connection.qos}),
        'the broker did not acknowledge the request',
      )
    } catch (error) {
      const rc = (error as {code?: number}).code
      if (typeof rc === 'number' && rc >= 128) {
        throw new MqctlError(
          'CONNECTION_NOT_AUTHORIZED',
          `the broker refused the request to ${shared.endpoint.request}: ${reasonText(rc)}`,
          {hint: shared.endpoint.accessHint('publish')},
        )
      }

      if (shared.closed()) throw shared.closed()
      throw error
    }
  }

  // The broker writes the reply right after its PUBACK, and with Nagle's algorithm on its socket
  // the reply waits until this side ACKs the PUBACK, which a delayed ACK holds back ~40 ms. Any
  // packet sent now carries that ACK at once (mosquitto_ctrl pays the 40 ms; mqctl need not).
  if (connection.qos > 0 && mine() < tagged.length) client.sendPing()

  let notify: (() => void) | undefined
  try {
    await limit.race(
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (shared.closed()) reject(shared.closed())
          else if (mine() === tagged.length) resolve()
          else if (tagged.some((c) => /endpoint not available/i.test(answers.get(c.correlationData)?.error ?? '')))
            resolve()
        }

        notify = check
        shared.waiting.add(check)
        check()
      }),
      `no reply from ${shared.endpoint.what}`,
      connection.protocolVersion === 5
        ? shared.endpoint.noReplyHint
        : `${shared.endpoint.noReplyHint}; with MQTT ${connection.protocolVersion === 4 ? '3.1.1' : '3.1'} a request the broker refuses (this user may not publish to ${shared.endpoint.request}) looks the same: -V 5 tells them apart`,
    )
  } finally {
    if (notify) shared.waiting.delete(notify)
  }

  const responses = tagged.map((c) => answers.get(c.correlationData))
  if (responses.some((r) => r && /endpoint not available/i.test(r.error ?? ''))) {
    throw new MqctlError('TIMEOUT_NO_PLUGIN', `the broker says the ${shared.endpoint.name} endpoint is not available`, {
      hint: shared.endpoint.noReplyHint,
    })
  }

  return responses.map((r) => r!)
}

/**
 * The reply envelope `{"responses": [{command, error?, data?, correlationData?}, …]}`; anything
 * else is someone else's traffic and ignored. Checked by hand: zod costs start-up time here.
 */
export function readEnvelope(payload: Buffer): DynsecResponse[] {
  const parsed = safeJson(payload) as {responses?: unknown} | undefined
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray(parsed.responses)) return []
  const ok = parsed.responses.every(
    (r: unknown) =>
      typeof r === 'object' &&
      r !== null &&
      !Array.isArray(r) &&
      typeof (r as DynsecResponse).command === 'string' &&
      ((r as DynsecResponse).error === undefined || typeof (r as DynsecResponse).error === 'string'),
  )
  return ok ? (parsed.responses as DynsecResponse[]) : []
}

function safeJson(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8'))
  } catch {
    return undefined
  }
}
