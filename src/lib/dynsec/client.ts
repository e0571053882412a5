import {randomBytes} from 'node:crypto'

import type {MqttClient} from 'mqtt'

import {MqctlError} from '../errors.js'
import type {ResolvedConnection} from '../connection/resolve.js'
import {closedByPeer, closeSession, deadline, openSession, reasonText, watchHangUp} from '../connection/session.js'
import {dynsecResponseEnvelopeSchema, type DynsecRequest, type DynsecResponse} from './schemas.js'

export const REQUEST_TOPIC = '$CONTROL/dynamic-security/v1'
export const RESPONSE_TOPIC = '$CONTROL/dynamic-security/v1/response'

/** Commands per PUBLISH; keeps each reply well under any broker's packet limits. */
const CHUNK = 100

const NO_PLUGIN_HINT =
  'the dynamic-security plugin is probably not loaded: add "plugin /usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so" and "plugin_opt_config_file <file>" to mosquitto.conf (mqctl dynsec init creates the file)'

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
  const client = await openSession(connection, limit, options.log)
  try {
    return await exchange(client, connection, commands, limit)
  } finally {
    await closeSession(client)
  }
}

/**
 * What came back on the response topic, judged one message at a time (pure, so the 2.1 reply
 * bytes can be tested without a 2.1 broker).
 */
export class ReplyCollector {
  readonly answers = new Map<string, DynsecResponse>()
  /** Set when the broker says no plugin serves the topic (mosquitto 2.1, src/control.c). */
  unavailable?: string

  constructor(
    private readonly prefix: string,
    private readonly expected: number,
  ) {}

  accept(topic: string, payload: Buffer): void {
    if (topic !== RESPONSE_TOPIC) return
    const json = safeJson(payload)
    // 2.1 answers a request no plugin handles with `{"error": "endpoint not available"}`: no
    // responses array and no correlationData, sent to the requesting client only, so it is ours.
    if (json && typeof json === 'object' && !Array.isArray(json) && !('responses' in json)) {
      const error = (json as {error?: unknown}).error
      if (typeof error === 'string') this.unavailable = error
      return
    }

    const parsed = dynsecResponseEnvelopeSchema.safeParse(json)
    if (!parsed.success) return
    for (const response of parsed.data.responses) {
      if (typeof response.correlationData === 'string' && response.correlationData.startsWith(this.prefix)) {
        this.answers.set(response.correlationData, response)
        if (/endpoint not available/i.test(response.error ?? '')) this.unavailable = response.error
      }
    }
  }

  get done(): boolean {
    return this.unavailable !== undefined || this.answers.size >= this.expected
  }

  /** The error to end with when the endpoint is not there, else undefined. */
  failure(): MqctlError | undefined {
    if (this.unavailable === undefined) return undefined
    return new MqctlError(
      'TIMEOUT_NO_PLUGIN',
      `the broker says the dynamic-security endpoint is not available ("${this.unavailable}")`,
      {hint: NO_PLUGIN_HINT},
    )
  }
}

async function exchange(
  client: MqttClient,
  connection: ResolvedConnection,
  commands: readonly DynsecRequest[],
  limit: ReturnType<typeof deadline>,
): Promise<DynsecResponse[]> {
  const run = randomBytes(6).toString('hex')
  const tagged = commands.map((c, i) => ({...c, correlationData: `mqctl-${run}-${i}`}))
  const replies = new ReplyCollector(`mqctl-${run}-`, tagged.length)
  const where = connection.unix ?? `${connection.host}:${connection.port}`
  const peer = watchHangUp(client, where)
  let notify: (() => void) | undefined
  client.on('message', (topic, payload) => {
    replies.accept(topic, payload)
    notify?.()
  })
  peer.onClose(() => notify?.())

  const notAllowedToSubscribe = (reason: string) =>
    new MqctlError('CONNECTION_NOT_AUTHORIZED', `not allowed to subscribe to ${RESPONSE_TOPIC}: ${reason}`, {
      hint: 'this user may not use the dynamic-security API: it needs a role with subscribePattern and publishClientReceive on $CONTROL/dynamic-security/# (dynsec init creates such an admin)',
    })
  const granted = await peer
    .guard(
      limit.race(client.subscribeAsync(RESPONSE_TOPIC, {qos: connection.qos}), 'the broker did not answer SUBSCRIBE'),
      'before SUBACK',
    )
    .catch((error: unknown) => {
      if (error instanceof MqctlError) throw error
      throw notAllowedToSubscribe((error as Error).message.replace(/^Subscribe error: /, ''))
    })
  const code = granted[0]?.qos ?? 128
  if (code >= 128) throw notAllowedToSubscribe(reasonText(code))

  for (let start = 0; start < tagged.length; start += CHUNK) {
    const payload = JSON.stringify({commands: tagged.slice(start, start + CHUNK)})
    try {
      await peer.guard(
        limit.race(
          client.publishAsync(REQUEST_TOPIC, payload, {qos: connection.qos}),
          'the broker did not acknowledge the request',
        ),
        'before acknowledging the request',
      )
    } catch (error) {
      const rc = (error as {code?: number}).code
      if (typeof rc === 'number' && rc >= 128) {
        throw new MqctlError(
          'CONNECTION_NOT_AUTHORIZED',
          `the broker refused the request to ${REQUEST_TOPIC}: ${reasonText(rc)}`,
          {
            hint: 'this user may not use the dynamic-security API: give it a role with publishClientSend on $CONTROL/dynamic-security/# (dynsec init creates such an admin)',
          },
        )
      }

      if (error instanceof MqctlError) throw error
      throw new MqctlError('CONNECTION_FAILED', `sending the request to ${where} failed: ${(error as Error).message}`)
    }
  }

  // The broker writes the reply right after its PUBACK, and with Nagle's algorithm on its socket
  // the reply waits until this side ACKs the PUBACK, which a delayed ACK holds back ~40 ms. Any
  // packet sent now carries that ACK at once (mosquitto_ctrl pays the 40 ms; mqctl need not).
  if (connection.qos > 0 && !replies.done && !peer.closed) client.sendPing()

  await limit.race(
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (replies.done) resolve()
        else if (peer.closed) reject(closedByPeer(where, 'before the plugin answered'))
      }

      notify = check
      check()
    }),
    'no reply from the dynamic-security plugin',
    connection.protocolVersion === 5
      ? NO_PLUGIN_HINT
      : `${NO_PLUGIN_HINT}; with MQTT ${connection.protocolVersion === 4 ? '3.1.1' : '3.1'} a request the broker refuses (this user may not publish to ${REQUEST_TOPIC}) looks the same: -V 5 tells them apart`,
  )

  const failure = replies.failure()
  if (failure) throw failure
  return tagged.map((c) => replies.answers.get(c.correlationData)!)
}

function safeJson(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8'))
  } catch {
    return undefined
  }
}
