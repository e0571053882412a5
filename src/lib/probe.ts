import {randomBytes} from 'node:crypto'

import type {MqttClient} from 'mqtt'

import {MqctlError} from './errors.js'
import type {ResolvedConnection} from './connection/resolve.js'
import {closeSession, deadline, openSession, reasonText, watchHangUp} from './connection/session.js'
import {verdictOf, type Verdict} from './output/verdict.js'
import {checkTopicFilter, checkTopicName, describeTopicProblem} from './topic.js'

/**
 * What a broker really allows one identity: CONNACK, SUBACK per filter, PUBACK per topic
 * (MQTT 5 reason codes), and whether a message published to a subscribed topic comes back.
 */
export interface ProbeRequest {
  subscribe: string[]
  publish: string[]
  loopback: boolean
  /** How long to wait for a looped-back message, in ms. */
  waitMs: number
}

export interface ProbeCheck {
  kind: 'connect' | 'subscribe' | 'publish' | 'receive'
  target: string
  allowed: boolean | undefined
  reasonCode?: number
  reason: string
  /** What an MQTT 3.1.1 client would see instead, where that differs. */
  v311?: string
  /** A step taken only to make another check possible (the loopback subscription): not judged by --expect. */
  auxiliary?: boolean
}

/**
 * The checks --expect judges: the connection only when it was refused or when nothing else was
 * asked (a login is the precondition of every other check, not a verdict on it), never the
 * loopback's helper subscriptions.
 */
export function judgedChecks(checks: readonly ProbeCheck[]): ProbeCheck[] {
  const rest = checks.filter((c) => c.kind !== 'connect' && !c.auxiliary)
  const connect = checks.find((c) => c.kind === 'connect')
  if (connect && (connect.allowed === false || rest.length === 0)) return [connect]
  return rest
}

/** The shared verdict shape: allow when every judged check was allowed, else deny. */
export function probeVerdict(checks: readonly ProbeCheck[]): Verdict {
  return verdictOf(judgedChecks(checks).every((c) => c.allowed === true))
}

/** The judged checks that do not have the expected outcome (unknown fails "allow", never "deny"). */
export function unmetExpectations(checks: readonly ProbeCheck[], expect: Verdict): ProbeCheck[] {
  return judgedChecks(checks).filter((c) => (expect === 'allow' ? c.allowed !== true : c.allowed === true))
}

export function validateProbeRequest(request: ProbeRequest): void {
  for (const f of request.subscribe) {
    const p = checkTopicFilter(f)
    if (p) throw new MqctlError('USAGE_TOPIC', `--sub "${f}": ${describeTopicProblem(p)}`)
  }

  for (const t of request.publish) {
    const p = checkTopicName(t)
    if (p) throw new MqctlError('USAGE_TOPIC', `--pub "${t}": ${describeTopicProblem(p)}`)
  }
}

/** The reason code of a refused SUBSCRIBE or PUBLISH (mqtt.js puts it on the error or on the SUBACK packet). */
const codeOf = (error: unknown): number | undefined => {
  const e = error as {code?: unknown; packet?: {granted?: unknown[]}}
  if (typeof e.code === 'number') return e.code
  const refused = e.packet?.granted?.find((g): g is number => typeof g === 'number' && g >= 0x80)
  return refused
}

export async function runProbe(connection: ResolvedConnection, request: ProbeRequest): Promise<ProbeCheck[]> {
  validateProbeRequest(request)
  const checks: ProbeCheck[] = []
  const limit = deadline(connection.timeoutMs)
  const target = connection.unix ?? `${connection.host}:${connection.port}`
  const v5 = connection.protocolVersion === 5
  let client: MqttClient
  try {
    client = await openSession(connection, limit)
  } catch (error) {
    const code = (error as MqctlError).details?.reasonCode
    if (typeof code === 'number') {
      checks.push({kind: 'connect', target, allowed: false, reasonCode: code, reason: reasonText(code)})
      return checks
    }

    throw error
  }

  checks.push({kind: 'connect', target, allowed: true, reasonCode: 0, reason: 'Success'})
  const peer = watchHangUp(client, target)
  try {
    const received = new Map<string, Buffer[]>()
    client.on('message', (topic, payload) => received.set(topic, [...(received.get(topic) ?? []), payload]))

    const subscribeOne = async (filter: string): Promise<ProbeCheck> => {
      try {
        const granted = await peer.guard(
          limit.race(client.subscribeAsync(filter, {qos: 1}), `no SUBACK for ${filter}`),
          `before SUBACK for ${filter}`,
        )
        const code = granted[0]?.qos ?? 0x80
        return {
          kind: 'subscribe',
          target: filter,
          allowed: code < 0x80,
          reasonCode: code,
          reason: code < 0x80 ? `Granted QoS ${code}` : reasonText(code),
        }
      } catch (error) {
        const code = codeOf(error)
        if (code === undefined) throw error
        return {
          kind: 'subscribe',
          target: filter,
          allowed: false,
          reasonCode: code,
          reason: reasonText(code),
          v311: v5 ? 'SUBACK 0x80 (Failure)' : undefined,
        }
      }
    }

    for (const filter of request.subscribe) checks.push(await subscribeOne(filter))

    const marker = randomBytes(8).toString('hex')
    for (const topic of request.publish) {
      let loopSubscribed = false
      if (request.loopback) {
        const sub = await subscribeOne(topic)
        loopSubscribed = sub.allowed === true
        if (!request.subscribe.includes(topic))
          checks.push({...sub, target: `${topic} (for loopback)`, auxiliary: true})
      }

      const payload = `mqctl-probe ${marker} ${topic}`
      try {
        await peer.guard(
          limit.race(client.publishAsync(topic, payload, {qos: 1}), `no PUBACK for ${topic}`),
          `before PUBACK for ${topic}`,
        )
        checks.push(
          v5
            ? {kind: 'publish', target: topic, allowed: true, reasonCode: 0, reason: 'Success'}
            : {
                kind: 'publish',
                target: topic,
                allowed: undefined,
                reason: 'PUBACK (MQTT 3.x acknowledges a denied publish too: --loopback or -V 5 tells)',
              },
        )
      } catch (error) {
        const code = codeOf(error)
        if (code === undefined) throw error
        const allowed = code < 0x80
        checks.push({
          kind: 'publish',
          target: topic,
          allowed,
          reasonCode: code,
          reason: reasonText(code),
          v311: allowed ? undefined : 'no answer at all: a normal PUBACK, and the message is dropped silently',
        })
      }

      if (request.loopback) {
        if (!loopSubscribed) {
          checks.push({
            kind: 'receive',
            target: topic,
            allowed: undefined,
            reason: 'unknown: the subscription was refused',
          })
          continue
        }

        const until = Date.now() + request.waitMs
        while (Date.now() < until && !(received.get(topic) ?? []).some((p) => p.toString() === payload)) {
          await new Promise((r) => setTimeout(r, 20))
        }

        const got = (received.get(topic) ?? []).some((p) => p.toString() === payload)
        const publish = checks.at(-1)!
        // Under MQTT 3.x the PUBACK says nothing: a message that comes back shows the publish
        // was allowed; one that does not leaves both unknown.
        if (got && publish.allowed === undefined) Object.assign(publish, {allowed: true, reason: 'delivered back'})
        const published = publish.allowed
        checks.push({
          kind: 'receive',
          target: topic,
          allowed: got ? true : published ? false : undefined,
          reason: got
            ? 'message delivered'
            : published
              ? `not delivered within ${request.waitMs} ms (receive denied: the broker says nothing)`
              : published === undefined
                ? `not delivered within ${request.waitMs} ms: under MQTT 3.x a denied publish looks the same`
                : 'unknown: the publish was refused',
        })
      }
    }
  } finally {
    await closeSession(client)
  }

  return checks
}
