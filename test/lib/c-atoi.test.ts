import {describe, expect, it} from 'vitest'

import {atoi, isCInteger} from '../../src/lib/c-atoi.js'
import {isLoopbackHost} from '../../src/lib/connection/loopback.js'

describe('atoi and the loopback check', () => {
  it('reads numbers as C atoi does', () => {
    expect([atoi(' 12abc'), atoi('abc'), atoi('-7'), atoi('+3'), atoi(''), atoi('99999999999')]).toEqual([
      12, 0, -7, 3, 0, 2_147_483_647,
    ])
    expect([isCInteger(' 12 '), isCInteger('12x'), isCInteger('')]).toEqual([true, false, false])
  })

  it('knows loopback hosts', () => {
    for (const h of ['localhost', 'a.localhost', '127.0.0.1', '127.3.2.1', '::1', '[::1]', '::ffff:127.0.0.1'])
      expect(isLoopbackHost(h), h).toBe(true)
    for (const h of ['0.0.0.0', '10.0.0.1', '::', 'localhost.example.com', 'example.com', undefined])
      expect(isLoopbackHost(h), String(h)).toBe(false)
  })
})
