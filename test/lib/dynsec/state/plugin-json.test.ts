import {describe, expect, it} from 'vitest'

import {insertSorted} from '../../../../src/lib/dynsec/state/plugin-json.js'

const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b))

describe('insertSorted', () => {
  it('keeps the list in byte order for any insertion order (seeded), duplicates after their equals', () => {
    let seed = 42
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648
    const names = Array.from({length: 3000}, () => `r${Math.floor(random() * 1000)}${random() < 0.1 ? 'é' : ''}`)
    const list: Array<{n: string; i: number}> = []
    names.forEach((n, i) => insertSorted(list, {n, i}, (x) => x.n))
    const expected = names.map((n, i) => ({n, i})).sort((a, b) => byBytes(a.n, b.n) || a.i - b.i)
    expect(list).toEqual(expected)
  })

  it('stays fast out of order: 60,000 names r1, r2, … (a batch of creates) in well under the quadratic time', () => {
    const list: string[] = []
    const started = Date.now()
    for (let i = 1; i <= 60_000; i++) insertSorted(list, `r${i}`, (x) => x)
    // a linear scan took about 1 minute for this; the binary search takes well under a second
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(list.slice(0, 4)).toEqual(['r1', 'r10', 'r100', 'r1000'])
  })
})
