import {MqctlError} from '../errors.js'
import {findDynsecCommand, type OutputKind} from './catalog.js'
import {formatResponse, type Layout} from './format.js'
import type {DynsecRequest, DynsecResponse} from './schemas.js'

/** 2.0.15+'s refusal; 2.0.0-2.0.14 crash instead. */
const ANON_DELETE = 'Deleting the anonymous group is forbidden'

/** Where requests go: a DynsecBackend, a DynsecSession. */
export interface Sender {
  send(commands: readonly DynsecRequest[]): Promise<DynsecResponse[]>
}

export interface DynsecOutcome {
  output: OutputKind
  /** The plugin's `data` (undefined for writes). */
  data: unknown
  /** mosquitto_ctrl's text for it. */
  lines: string[]
}

/**
 * Runs one catalog command over an open session: the refusals mosquitto_ctrl prints as
 * `<command>: Error: <text>`, the formatted reply. Shared by the dynsec commands, the fast
 * front end and the shell, so all three answer alike.
 */
export async function runDynsecRequest(
  session: Sender,
  request: DynsecRequest,
  layout: Layout = '2.0',
): Promise<DynsecOutcome> {
  const name = request.command
  // Through the batch guard: a deleteGroup of the anonymous group is refused, never sent.
  const [response] = await sendGuarded(session, [request])
  if (response.error !== undefined) {
    const text = `${name}: Error: ${response.error}`
    const hint = response.error === ANON_DELETE ? 'setAnonymousGroup another group first' : undefined
    throw new MqctlError('REFUSED_DYNSEC', text, {verbatim: text, hint})
  }

  const spec = findDynsecCommand(name)!
  return {output: spec.output, data: response.data, lines: formatResponse(spec.output, name, response.data, layout)}
}

/**
 * Sends requests in order over one session, as `batch` does, except for deleteGroup: mosquitto
 * 2.0.0-2.0.14 crash when the anonymous group is deleted (a batch line took a 2.0.11 broker
 * down), so before each one the broker is asked for its anonymous group, after every earlier
 * request, and a deleteGroup naming it is refused as 2.0.15+ refuses it, never sent.
 */
export async function sendGuarded(session: Sender, requests: readonly DynsecRequest[]): Promise<DynsecResponse[]> {
  const out: DynsecResponse[] = []
  let start = 0
  for (let i = 0; i < requests.length; i++) {
    if (requests[i].command !== 'deleteGroup') continue
    const replies = await session.send([...requests.slice(start, i), {command: 'getAnonymousGroup'}])
    const anon = replies.pop()
    for (const r of replies) out.push(r)
    const current = (anon?.data as {group?: {groupname?: string}} | undefined)?.group?.groupname
    if (current !== undefined && current === requests[i].groupname) {
      out.push({command: 'deleteGroup', error: ANON_DELETE})
      start = i + 1
    } else {
      start = i
    }
  }

  // A loop, not push(...): a batch of 200,000 lines would overflow the stack as arguments.
  if (start < requests.length) for (const r of await session.send(requests.slice(start))) out.push(r)
  return out
}

/** What `--json` prints for an outcome. */
export const outcomeJson = (name: string, outcome: DynsecOutcome): unknown =>
  outcome.output === 'none' ? {ok: true, command: name} : outcome.data
