import {describe, expect, it} from 'vitest'

import {byteOrder} from '../../../../src/lib/dynsec/state/plugin-json.js'

// The plugin sorts names with strcmp on UTF-8 bytes; byteOrder does it on code units without
// encoding (read-broker, file-codec and execute sort with it). Seeded strings across every UTF-8
// length and both sides of the surrogate range, judged by the bytes themselves.
describe('byteOrder', () => {
  it('orders as strcmp on the UTF-8 bytes', () => {
    const points = [0x00, 0x41, 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xe000, 0xfffd, 0xffff, 0x10000, 0x1f600, 0x10ffff]
    let seed = 11
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648)
    const word = () =>
      Array.from({length: next() % 4}, () => String.fromCodePoint(points[next() % points.length])).join('')
    for (let i = 0; i < 20000; i++) {
      const a = word()
      const b = word()
      expect([a, b, Math.sign(byteOrder(a, b))]).toEqual([
        a,
        b,
        Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))),
      ])
    }
  })
})
