import type {DynsecRequest} from './schemas.js'

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
  commands.forEach((c, i) => {
    const text = JSON.stringify(c)
    if (parts.length > 0 && (parts.length >= CHUNK || size + text.length + 1 > budget)) {
      // A re-added ACL stays in its removal's request, so its role never lacks it between two.
      const carry = parts.length > 1 && reAdds(commands[i - 1], c) ? parts.pop()! : undefined
      chunks.push([i - first - (carry ? 1 : 0), `{"commands":[${parts.join(',')}]}`])
      parts = carry ? [carry] : []
      size = 14 + (carry ? Buffer.byteLength(carry) + 1 : 0)
      first = carry ? i - 1 : i
    }

    parts.push(text)
    size += Buffer.byteLength(text) + 1
  })
  if (parts.length > 0) chunks.push([commands.length - first, `{"commands":[${parts.join(',')}]}`])
  return chunks
}

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
