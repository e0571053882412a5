import {describe, expect, it} from 'vitest'

import {executeCommand} from '../../../../src/lib/dynsec/state/execute.js'
import {emptyState} from '../../../../src/lib/dynsec/state/model.js'
import {byteOrder, findSorted, insertSorted} from '../../../../src/lib/dynsec/state/plugin-json.js'

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

describe('findSorted', () => {
  it('finds every name of a sorted list with a logarithmic number of reads after one order check', () => {
    const list = Array.from({length: 100_000}, (_, i) => ({n: `c${String(i).padStart(6, '0')}`}))
    let reads = 0
    const name = (x: {n: string}) => (reads++, x.n)
    expect(findSorted(list, 'c000007', name)).toBe(list[7])
    reads = 0
    for (const i of [0, 1, 49_999, 99_999]) expect(findSorted(list, list[i].n, name)).toBe(list[i])
    expect(findSorted(list, 'c1', name)).toBeUndefined()
    expect(findSorted(list, '', name)).toBeUndefined()
    expect(reads).toBeLessThan(5 * 20)
  })

  it('scans a list that is not in order (a hand-made state) instead of missing names', () => {
    const list = [{n: 'b'}, {n: 'a'}, {n: 'c'}]
    expect(list.map((x) => findSorted(list, x.n, (y) => y.n))).toEqual(list)
    expect(findSorted(list, 'd', (y) => y.n)).toBeUndefined()
  })

  it('the file model refuses a duplicate among 20,000 roles created in shuffled order, as the plugin does', () => {
    let seed = 7
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648
    const names = Array.from({length: 20_000}, (_, i) => `role-${i}`).sort(() => random() - 0.5)
    const state = emptyState()
    const ctx = {passwords: new Map<string, string | null>()}
    for (const rolename of names)
      expect(executeCommand(state, {command: 'createRole', rolename}, ctx).error).toBeUndefined()
    for (const rolename of names.slice(0, 500)) {
      expect(executeCommand(state, {command: 'createRole', rolename}, ctx).error).toBe('Role already exists')
    }

    expect(executeCommand(state, {command: 'deleteRole', rolename: names[3]}, ctx).error).toBeUndefined()
    expect(executeCommand(state, {command: 'getRole', rolename: names[3]}, ctx).error).toBe('Role not found')
    expect(executeCommand(state, {command: 'getRole', rolename: names[4]}, ctx).error).toBeUndefined()
    expect(state.roles.map((r) => r.rolename)).toEqual([...names.slice(0, 3), ...names.slice(4)].sort(byteOrder))
  })
})
