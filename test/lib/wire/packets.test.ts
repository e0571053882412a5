import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {
  PacketReader,
  connackProperties,
  decodePublish,
  encodeAck,
  encodeConnect,
  encodePublish,
  encodeSubscribe,
  subackCodes,
} from '../../../src/lib/wire/packets.js'

describe('MQTT packets', () => {
  it('encodes CONNECT as the specification lays it out', () => {
    // MQTT 3.1.1 §3.1: "MQTT", level 4, flags user+password+clean, keepalive 60, then the payload.
    const bytes = encodeConnect({
      version: 4,
      protocolId: 'MQTT',
      clientId: 'c',
      username: 'u',
      password: 'p',
      keepalive: 60,
    })
    expect([...bytes]).toEqual([
      0x10, 19, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 0xc2, 0, 60, 0, 1, 0x63, 0, 1, 0x75, 0, 1, 0x70,
    ])
    // v5 adds an empty property block after the keepalive.
    const v5 = encodeConnect({version: 5, protocolId: 'MQTT', clientId: '', keepalive: 0})
    expect([...v5]).toEqual([0x10, 13, 0, 4, 0x4d, 0x51, 0x54, 0x54, 5, 0x02, 0, 0, 0, 0, 0])
    expect([...encodeSubscribe(4, 1, 'a', 1)]).toEqual([0x82, 6, 0, 1, 0, 1, 0x61, 1])
    expect([...encodeAck(6, 0x0102)]).toEqual([0x62, 2, 1, 2])
  })

  it('reads back PUBLISH (every version, QoS) and SUBACK, whatever the chunking', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(3, 4, 5) as fc.Arbitrary<3 | 4 | 5>,
        fc.integer({min: 0, max: 2}),
        fc.string({maxLength: 20}),
        fc.uint8Array({maxLength: 400}),
        fc.array(fc.integer({min: 1, max: 50}), {minLength: 1, maxLength: 20}),
        (version, qos, topic, payload, cuts) => {
          const packet = encodePublish(version, topic || 't', Buffer.from(payload), qos, 77)
          const stream = Buffer.concat([
            packet,
            Buffer.from([0x90, version === 5 ? 4 : 3, 0, 9, ...(version === 5 ? [0] : []), 1]),
          ])
          const reader = new PacketReader()
          const got = []
          let at = 0
          for (let i = 0; at < stream.length; i++) {
            const n = cuts[i % cuts.length]
            got.push(...reader.push(stream.subarray(at, at + n)))
            at += n
          }

          expect(got.map((p) => p.type)).toEqual([3, 9])
          const message = decodePublish(version, got[0])
          expect(message).toEqual({topic: topic || 't', payload: Buffer.from(payload), qos, id: qos > 0 ? 77 : 0})
          expect(subackCodes(version, got[1])).toEqual({id: 9, codes: [1]})
        },
      ),
      {numRuns: 500, seed: 5},
    )
  })

  it("reads the broker's maximum packet size and Receive Maximum among CONNACK's v5 properties", () => {
    // session present 0, reason 0, properties: receive maximum (0x21, 2 bytes), assigned client id
    // (0x12, string "ab"), maximum packet size (0x27, 4 bytes), topic alias maximum (0x22).
    const props = [0x21, 0, 10, 0x12, 0, 2, 0x61, 0x62, 0x27, 0, 1, 0, 0, 0x22, 0, 5]
    const body = Buffer.from([0, 0, props.length, ...props])
    expect(connackProperties(5, {type: 2, flags: 0, body})).toEqual({maximumPacketSize: 65_536, receiveMaximum: 10})
    expect(connackProperties(4, {type: 2, flags: 0, body: Buffer.from([0, 0])})).toEqual({})
  })

  it('encodes lengths over 127 with continuation bytes', () => {
    const big = encodePublish(4, 't', Buffer.alloc(20_000), 0, 0)
    expect([...big.subarray(0, 4)]).toEqual([0x30, 0xa3, 0x9c, 0x01])
    expect(new PacketReader().push(big)[0].body.length).toBe(20_003)
  })
})
