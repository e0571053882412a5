import {describe, expect, it} from 'vitest'

import {decodeHash, hashPassword, verifyPassword} from '../../../src/lib/passwd/hash.js'

// The compiled module, whose worker threads run dist/lib/passwd/hash-worker.js (built by
// pretest); from the TypeScript sources hashMany would fall back to the one-by-one path.
const distModule: string = '../../../dist/lib/passwd/hash-many.js'
const {hashMany} = (await import(distModule)) as typeof import('../../../src/lib/passwd/hash-many.js')

describe('hashMany (-U on many entries, spread over the cores)', () => {
  it('gives each password its own salt and a hash that verifies, in input order', async () => {
    const passwords = Array.from({length: 2500}, (_, i) => Buffer.from(`pw-${i}-é`))
    const encoded = await hashMany(passwords, {type: 'sha512-pbkdf2', iterations: 101, saltBytes: 12})
    expect(encoded).toHaveLength(passwords.length)
    const salts = new Set<string>()
    for (const [i, e] of encoded.entries()) {
      const d = decodeHash(e, [12])
      expect(typeof d === 'object' && d.type === 'sha512-pbkdf2' && d.iterations === 101).toBe(true)
      if (typeof d === 'object' && d.type === 'sha512-pbkdf2') salts.add(d.salt.toString('hex'))
      // every 50th is checked both ways: the right password and its neighbour's
      if (i % 50 === 0) {
        expect(await verifyPassword(e, passwords[i])).toBe(true)
        expect(await verifyPassword(e, passwords[(i + 1) % passwords.length])).toBe(false)
      }
    }

    expect(salts.size).toBe(passwords.length)
  })

  it('agrees with hashPassword for the same salt (the last chunk, the main thread and the workers alike)', async () => {
    const passwords = Array.from({length: 1500}, (_, i) => Buffer.from(`p${i}`))
    const encoded = await hashMany(passwords, {type: 'sha512-pbkdf2', iterations: 150, saltBytes: 64})
    for (const i of [0, 127, 128, 129, 700, 1499]) {
      const d = decodeHash(encoded[i], [64])
      if (typeof d !== 'object' || d.type !== 'sha512-pbkdf2') throw new Error(`not a $7$ hash: ${encoded[i]}`)
      expect(await hashPassword(passwords[i], {type: 'sha512-pbkdf2', iterations: 150, saltBytes: 64}, d.salt)).toBe(
        encoded[i],
      )
    }
  })

  it('small jobs and $6$ take the one-by-one path and still verify', async () => {
    const few = await hashMany([Buffer.from('a'), Buffer.from('b')], {
      type: 'sha512-pbkdf2',
      iterations: 1000,
      saltBytes: 12,
    })
    expect(await verifyPassword(few[1], Buffer.from('b'))).toBe(true)
    const sha = await hashMany([Buffer.from('x')], {type: 'sha512', iterations: 0, saltBytes: 12})
    expect(sha[0].startsWith('$6$')).toBe(true)
    expect(await verifyPassword(sha[0], Buffer.from('x'))).toBe(true)
  })
})
