import {REQUEST_TOPIC, RESPONSE_TOPIC} from './client.js'
import {evaluateDynsec, type CheckAccess} from './evaluate.js'
import type {DynsecState} from './state/model.js'

/**
 * The lock-out guard: can this admin still use the dynamic-security API in a state? The API
 * needs three decisions of the plugin's evaluator (the one behind `dynsec check`): publish the
 * request, subscribe to the reply, receive the reply.
 */
const NEEDS: Array<[CheckAccess, string, string]> = [
  ['publishClientSend', REQUEST_TOPIC, 'publish to'],
  ['subscribe', RESPONSE_TOPIC, 'subscribe to'],
  ['publishClientReceive', RESPONSE_TOPIC, 'receive'],
]

/** What the admin would lose, in words; empty when it keeps the API. */
export function apiAccessProblems(state: DynsecState, username: string | undefined): string[] {
  const who = username === undefined ? 'anonymous clients' : `"${username}"`
  const client = username === undefined ? undefined : state.clients.find((c) => c.username === username)
  if (username !== undefined && !client) return [`${who} would no longer exist`]
  if (client?.disabled) return [`${who} would be disabled`]
  // The admin connects as it does now: with the client id its client is bound to, if any.
  const clientId = client?.clientid ?? 'mqctl-admin'
  return NEEDS.filter(
    ([access, topic]) => evaluateDynsec(state, {username, clientId, topic, access}).verdict !== 'allow',
  ).map(([, topic, verb]) => `${who} could not ${verb} ${topic}`)
}
