/**
 * The few MQTT control packets an admin request needs (CONNECT, SUBSCRIBE, PUBLISH and the
 * acknowledgements), for MQTT 3.1, 3.1.1 and 5. Loading mqtt.js costs more start-up time than
 * everything else a dynsec command does; these ~200 lines are all of it that runs.
 */

export type Version = 3 | 4 | 5

export const PACKET = {
  connect: 1,
  connack: 2,
  publish: 3,
  puback: 4,
  pubrec: 5,
  pubrel: 6,
  pubcomp: 7,
  subscribe: 8,
  suback: 9,
  pingreq: 12,
  pingresp: 13,
  disconnect: 14,
  auth: 15,
} as const

export const PACKET_NAMES = [
  'reserved',
  'connect',
  'connack',
  'publish',
  'puback',
  'pubrec',
  'pubrel',
  'pubcomp',
  'subscribe',
  'suback',
  'unsubscribe',
  'unsuback',
  'pingreq',
  'pingresp',
  'disconnect',
  'auth',
]

function varint(n: number): Buffer {
  const bytes: number[] = []
  do {
    let b = n % 128
    n = Math.floor(n / 128)
    if (n > 0) b |= 0x80
    bytes.push(b)
  } while (n > 0)
  return Buffer.from(bytes)
}

const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff])
const str = (s: string | Buffer) => {
  const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : s
  return Buffer.concat([u16(b.length), b])
}

const packet = (first: number, body: Buffer[]): Buffer => {
  const rest = Buffer.concat(body)
  return Buffer.concat([Buffer.from([first]), varint(rest.length), rest])
}

/** No properties (v5 only). */
const props = (v: Version) => (v === 5 ? [Buffer.from([0])] : [])

export interface ConnectFields {
  version: Version
  protocolId: string
  clientId: string
  username?: string
  password?: string | Buffer
  keepalive: number
}

export function encodeConnect(c: ConnectFields): Buffer {
  let flags = 0x02 // clean start
  if (c.username !== undefined) flags |= 0x80
  if (c.password !== undefined) flags |= 0x40
  const payload = [str(c.clientId)]
  if (c.username !== undefined) payload.push(str(c.username))
  if (c.password !== undefined) payload.push(str(c.password))
  return packet(0x10, [
    str(c.protocolId),
    Buffer.from([c.version, flags]),
    u16(c.keepalive),
    ...props(c.version),
    ...payload,
  ])
}

export const encodeSubscribe = (v: Version, id: number, topic: string, qos: number): Buffer =>
  packet(0x82, [u16(id), ...props(v), str(topic), Buffer.from([qos])])

export function encodePublish(v: Version, topic: string, payload: Buffer, qos: number, id: number): Buffer {
  return packet(0x30 | (qos << 1), [str(topic), ...(qos > 0 ? [u16(id)] : []), ...props(v), payload])
}

/** PUBACK, PUBREC, PUBREL, PUBCOMP: the packet id alone means success in every version. */
export const encodeAck = (type: number, id: number): Buffer =>
  packet((type << 4) | (type === PACKET.pubrel ? 2 : 0), [u16(id)])

export const PINGREQ = Buffer.from([0xc0, 0])
export const DISCONNECT = Buffer.from([0xe0, 0])

export interface Packet {
  type: number
  flags: number
  body: Buffer
}

/** Splits a byte stream into packets; keeps a partial one for the next chunk. */
export class PacketReader {
  private pending: Buffer = Buffer.alloc(0)

  push(chunk: Buffer): Packet[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk])
    const out: Packet[] = []
    for (;;) {
      const buf = this.pending
      if (buf.length < 2) break
      let length = 0
      let mult = 1
      let i = 1
      for (;;) {
        if (i >= buf.length) return out
        const b = buf[i++]
        length += (b & 0x7f) * mult
        mult *= 128
        if ((b & 0x80) === 0) break
        if (i > 4) throw new Error('malformed packet length')
      }

      if (buf.length < i + length) break
      out.push({type: buf[0] >> 4, flags: buf[0] & 0x0f, body: buf.subarray(i, i + length)})
      this.pending = buf.subarray(i + length)
    }

    return out
  }
}

/** Reads a v5 property block's length at `at` and returns the offset after the block. */
export function skipProperties(body: Buffer, at: number): number {
  let length = 0
  let mult = 1
  for (;;) {
    const b = body[at++]
    length += (b & 0x7f) * mult
    mult *= 128
    if ((b & 0x80) === 0) break
  }

  return at + length
}

export interface Publish {
  topic: string
  payload: Buffer
  qos: number
  id: number
}

export function decodePublish(v: Version, p: Packet): Publish {
  const qos = (p.flags >> 1) & 3
  const topicLength = p.body.readUInt16BE(0)
  const topic = p.body.toString('utf8', 2, 2 + topicLength)
  let at = 2 + topicLength
  let id = 0
  if (qos > 0) {
    id = p.body.readUInt16BE(at)
    at += 2
  }

  if (v === 5) at = skipProperties(p.body, at)
  return {topic, payload: p.body.subarray(at), qos, id}
}

/** CONNACK's return code (3.x) or reason code (5). */
export const connackCode = (p: Packet): number => p.body[1] ?? 0

/** SUBACK's granted QoS or reason codes. */
export function subackCodes(v: Version, p: Packet): {id: number; codes: number[]} {
  const id = p.body.readUInt16BE(0)
  const at = v === 5 ? skipProperties(p.body, 2) : 2
  return {id, codes: [...p.body.subarray(at)]}
}

/** The packet id and reason code of PUBACK/PUBREC/PUBREL/PUBCOMP (absent code = success). */
export const ackOf = (p: Packet): {id: number; code: number} => ({
  id: p.body.readUInt16BE(0),
  code: p.body.length > 2 ? p.body[2] : 0,
})

const BYTE_PROPS = new Set([0x01, 0x17, 0x19, 0x24, 0x25, 0x28, 0x29, 0x2a])
const FOUR_BYTE_PROPS = new Set([0x02, 0x11, 0x27])
const TWO_BYTE_PROPS = new Set([0x13, 0x21, 0x22, 0x23])
const STRING_PROPS = new Set([0x03, 0x08, 0x09, 0x12, 0x15, 0x16, 0x1a, 0x1c, 0x1f])

/** The v5 CONNACK properties the admin requests use (maximum packet size, Receive Maximum for pipelining). */
export function connackProperties(v: Version, p: Packet): {maximumPacketSize?: number; receiveMaximum?: number} {
  if (v !== 5 || p.body.length < 3) return {}
  const end = skipProperties(p.body, 2)
  let at = 2 // the property block's length varint, stepped over here
  while (p.body[at] & 0x80) at++
  at++
  const out: {maximumPacketSize?: number; receiveMaximum?: number} = {}
  while (at < end) {
    const id = p.body[at++]
    if (FOUR_BYTE_PROPS.has(id)) {
      if (id === 0x27) out.maximumPacketSize = p.body.readUInt32BE(at)
      at += 4
    } else if (BYTE_PROPS.has(id)) at += 1
    else if (TWO_BYTE_PROPS.has(id)) {
      if (id === 0x21) out.receiveMaximum = p.body.readUInt16BE(at)
      at += 2
    } else if (STRING_PROPS.has(id)) at += 2 + p.body.readUInt16BE(at)
    else if (id === 0x26) {
      at += 2 + p.body.readUInt16BE(at)
      at += 2 + p.body.readUInt16BE(at)
    } else if (id === 0x0b) {
      while (p.body[at] & 0x80) at++
      at++
    } else break // unknown property: stop rather than misread
  }

  return out
}
