import {reasonText} from '../connection/session.js'
import {MqctlError} from '../errors.js'
import type {ControlEndpoint} from './client.js'
import type {DynsecRequest, DynsecResponse} from './schemas.js'

/** Commands per PUBLISH; keeps each reply well under any broker's packet limits. */
const CHUNK = 100
/** Bytes per PUBLISH payload at most, below any maximum packet size the broker announces. */
const MAX_CHUNK_BYTES = 256 * 1024
/** Chunks on the wire before the first PUBACK at most (fewer when the broker's Receive Maximum says so). */
export const PIPELINE = 8

/**
 * Splits commands into request payloads: at most CHUNK commands, and small enough for the
 * broker's maximum packet size (CONNACK) with room for the topic and headers.
 */
export function chunkPayloads(commands: readonly DynsecRequest[], maxPacket?: number): Array<[number, string]> {
  const budget = Math.min(MAX_CHUNK_BYTES, (maxPacket ?? Number.POSITIVE_INFINITY) - 512)
  const chunks: Array<[number, string]> = []
  let parts: string[] = []
  let size = 14
  let first = 0
  let referenced = false
  commands.forEach((c, i) => {
    const text = JSON.stringify(c)
    const full = parts.length >= CHUNK || size + text.length + 1 > budget
    if (parts.length > 0 && (full || (referenced && c.command === 'deleteClient'))) {
      // A re-added ACL stays in its removal's request, so its role never lacks it between two.
      const carry = parts.length > 1 && reAdds(commands[i - 1], c) ? parts.pop()! : undefined
      chunks.push([i - first - (carry ? 1 : 0), `{"commands":[${parts.join(',')}]}`])
      parts = carry ? [carry] : []
      size = 14 + (carry ? Buffer.byteLength(carry) + 1 : 0)
      first = carry ? i - 1 : i
      referenced = false
    }

    referenced ||= answersByReference(c)
    parts.push(text)
    size += Buffer.byteLength(text) + 1
  })
  if (parts.length > 0) chunks.push([commands.length - first, `{"commands":[${parts.join(',')}]}`])
  return chunks
}

/**
 * A refused chunk when others were taken: its commands and those never sent are answered as not
 * applied, so the report tells them from the commands the broker did apply (pipelined chunks
 * after a refused one may be; a broker's message_size_limit refuses large chunks, not small).
 * When no chunk was taken, the refusal is the error, as for a single request.
 */
export function answerRefused(
  tagged: ReadonlyArray<DynsecRequest & {correlationData: string}>,
  answers: Map<string, DynsecResponse>,
  ends: readonly number[],
  refused: ReadonlyMap<number, number>,
  handed: number,
  endpoint: ControlEndpoint,
): void {
  const [first] = [...refused.entries()].sort(([a], [b]) => a - b)
  const reason = reasonText(first[1])
  if (refused.size === handed) {
    throw new MqctlError(
      'CONNECTION_NOT_AUTHORIZED',
      `the broker refused the request to ${endpoint.request}: ${reason}`,
      {
        // 0x95: mosquitto's message_size_limit, which a 2.0 broker does not announce in CONNACK.
        hint:
          first[1] === 0x95
            ? "the request is larger than the broker's message_size_limit: raise it, or send fewer or smaller commands"
            : endpoint.accessHint('publish'),
      },
    )
  }

  const answer = (i: number, error: string) =>
    answers.set(tagged[i].correlationData, {
      command: tagged[i].command,
      error,
      correlationData: tagged[i].correlationData,
    })
  for (const [k, rc] of refused) {
    for (let i = k === 0 ? 0 : ends[k - 1]; i < ends[k]; i++)
      answer(i, `refused by the broker (${reasonText(rc)}), not applied`)
  }

  for (let i = ends[handed - 1]; i < tagged.length; i++) {
    answer(i, `not sent: the broker refused an earlier part of the request (${reason})`)
  }
}

/**
 * The plugin (2.0.11, still 2.0.15) answers getGroup, and listGroups with verbose, with
 * references to its clients' usernames, read when the whole request's reply is sent: a
 * deleteClient later in the same request frees them (a batch printed "correlationData" as a
 * group's member). A deleteClient after one starts a new request.
 */
const answersByReference = (c: DynsecRequest): boolean => c.command === 'getGroup' || c.command === 'listGroups'

/** `add` puts back the ACL that `remove` took away (a priority change or an equal-priority move). */
function reAdds(remove: DynsecRequest, add: DynsecRequest): boolean {
  return (
    remove.command === 'removeRoleACL' &&
    add.command === 'addRoleACL' &&
    remove.rolename === add.rolename &&
    remove.acltype === add.acltype &&
    remove.topic === add.topic
  )
}
