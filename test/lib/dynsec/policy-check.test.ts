import {describe, expect, it} from 'vitest'

import {rng} from '../../helpers/rng.js'
import {ACL_TYPES} from '../../../src/lib/dynsec/catalog.js'
import {checkPolicyShape} from '../../../src/lib/dynsec/policy-check.js'
import {policySchema} from '../../../src/lib/dynsec/policy-schema.js'

// The hand-written check against the zod schema it stands in for, on seeded values: valid
// policies with random optional parts, then the same with random damage (wrong types, unknown
// or missing keys, out-of-range and fractional priorities, empty names, undefined, null
// prototypes). Wherever the check accepts, zod accepts and gives the same value, key order
// included; wherever zod accepts, the check accepts (so a valid policy never needs zod).
type Json = Record<string, unknown>

/** Integers below n from the shared seeded generator. */
function ints(seed: number): (n: number) => number {
  const next = rng(seed)
  return (n) => Math.floor(next() * n)
}

function generate(seed: number): unknown {
  const next = ints(seed)
  const maybe = (o: Json, key: string, value: () => unknown) => {
    if (next(2)) o[key] = value()
  }

  const names = ['a', 'b', 'r/1', 'ü', 'x y', '\u0000', 'dev0001', '$CONTROL', '😀']
  const pick = () => names[next(names.length)]
  const prio = () => [0, 1, -1, 5, -2147483648, 2147483647, 3][next(7)]
  const link = (key: string) => () =>
    Array.from({length: next(3)}, () => {
      const l: Json = {[key]: pick()}
      maybe(l, 'priority', prio)
      return l
    })
  const text = (o: Json) => {
    maybe(o, 'textname', () => ['', 'T', 'long text'][next(3)])
    maybe(o, 'textdescription', () => ['', 'D'][next(2)])
  }

  const p: Json = {version: 1}
  maybe(p, 'defaultACLAccess', () => {
    const a: Json = {}
    for (const k of ['publishClientSend', 'publishClientReceive', 'subscribe', 'unsubscribe'])
      maybe(a, k, () => next(2) === 0)
    return a
  })
  maybe(p, 'anonymousGroup', pick)
  maybe(p, 'roles', () =>
    Array.from({length: next(4)}, () => {
      const r: Json = {rolename: pick()}
      text(r)
      maybe(r, 'acls', () =>
        Array.from({length: next(4)}, () => {
          const a: Json = {
            acltype: ACL_TYPES[next(ACL_TYPES.length)],
            topic: ['a/#', '', '+'][next(3)],
            allow: !next(2),
          }
          maybe(a, 'priority', prio)
          return a
        }),
      )
      maybe(r, 'allowwildcardsubs', () => !next(2))
      return r
    }),
  )
  maybe(p, 'groups', () =>
    Array.from({length: next(3)}, () => {
      const g: Json = {groupname: pick()}
      text(g)
      maybe(g, 'roles', link('rolename'))
      return g
    }),
  )
  maybe(p, 'clients', () =>
    Array.from({length: next(4)}, () => {
      const c: Json = {username: ['', ...names][next(names.length + 1)]}
      maybe(c, 'clientid', () => ['', 'id'][next(2)])
      text(c)
      maybe(c, 'disabled', () => !next(2))
      maybe(c, 'roles', link('rolename'))
      maybe(c, 'groups', link('groupname'))
      maybe(c, 'password', () => ({[['env', 'file', 'hash'][next(3)]]: pick()}))
      return c
    }),
  )
  // Key order of the input is not the schema's: shuffle some objects' keys.
  const shuffle = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(shuffle)
    if (typeof v !== 'object' || v === null) return v
    const entries = Object.entries(v).map(([k, x]) => [k, shuffle(x)] as const)
    if (next(3) === 0) entries.reverse()
    return Object.fromEntries(entries)
  }

  return damage(shuffle(p), next)
}

const WRONG: unknown[] = [
  null,
  undefined,
  0,
  -0,
  1.5,
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 53,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  '',
  'x',
  'subscribe',
  true,
  false,
  [],
  {},
  [1],
  2,
]

/** Damages the value in a few random places (or none). */
function damage(value: unknown, next: (n: number) => number): unknown {
  const times = next(4) === 0 ? 0 : 1 + next(3)
  for (let t = 0; t < times; t++) {
    // Walk to a random object or array.
    let node = value as Json | unknown[]
    for (let depth = 0; depth < 6; depth++) {
      const children = Object.values(node).filter((c) => typeof c === 'object' && c !== null) as Array<Json | unknown[]>
      if (children.length === 0 || next(3) === 0) break
      node = children[next(children.length)]
    }

    const keys = Object.keys(node)
    const what = next(6)
    if (what === 0 || keys.length === 0) (node as Json)[['extra', 'Version', 'priority', 'rolename'][next(4)]] = 1
    else if (what === 1) delete (node as Json)[keys[next(keys.length)]]
    else if (what === 2 && !Array.isArray(node)) Object.setPrototypeOf(node, null)
    else (node as Json)[keys[next(keys.length)]] = WRONG[next(WRONG.length)]
  }

  return value
}

describe('checkPolicyShape', () => {
  it('agrees with the zod schema on 20,000 generated values (verdict, value and key order)', () => {
    let accepted = 0
    let refused = 0
    for (let seed = 1; seed <= 20_000; seed++) {
      const value = generate(seed)
      const fast = checkPolicyShape(value)
      const zod = policySchema.safeParse(value)
      expect({seed, fast: fast !== undefined}).toEqual({seed, fast: zod.success})
      if (zod.success) {
        accepted++
        expect(fast).toStrictEqual(zod.data)
        expect(JSON.stringify(fast)).toBe(JSON.stringify(zod.data))
      } else refused++
    }

    // Both sides are exercised.
    console.log(`policy check: ${accepted} accepted, ${refused} refused by both`)
    expect(accepted).toBeGreaterThan(3000)
    expect(refused).toBeGreaterThan(3000)
  })

  it('copies: the value it gives shares no object with its input', () => {
    const input = {version: 1, clients: [{username: 'a', roles: [{rolename: 'r'}]}], roles: [{rolename: 'r'}]}
    const out = checkPolicyShape(input)!
    expect(out).toEqual(input)
    expect(out.clients![0]).not.toBe(input.clients[0])
  })
})
