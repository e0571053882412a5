import {describe, expect, it} from 'vitest'
import {parse, stringify} from 'yaml'

import {rng} from '../../helpers/rng.js'
import {policyYaml} from '../../../src/lib/dynsec/policy-yaml.js'

// The hand-written YAML of an exported policy against the yaml library's, on seeded documents
// whose strings come from names, topics and texts as operators write them, YAML's keywords and
// number look-alikes, indicator characters and random printable ASCII: wherever policyYaml
// answers, its text is the library's, byte for byte (and reads back as the document).
/** Integers below n from the shared seeded generator. */
function ints(seed: number): (n: number) => number {
  const next = rng(seed)
  return (n) => Math.floor(next() * n)
}

const POOL = [
  'admin',
  'dev00001',
  'r0',
  'Dynsec admin user',
  '$CONTROL/dynamic-security/#',
  'dev/0/#',
  'a/+/b',
  'sensor-1.site_a',
  '#',
  'true',
  'False',
  'NULL',
  'null',
  '~',
  'yes',
  'on',
  'NaN',
  '.inf',
  '1e3',
  '012',
  '0x1F',
  '+1',
  '-1',
  '1_000',
  '',
  ' a',
  'a ',
  'a  b',
  'a #b',
  'a#b',
  'a: b',
  'a:b',
  '-',
  '- a',
  '? x',
  '#x',
  '&a',
  '*a',
  '!t',
  '|',
  '>',
  "'q'",
  '"q"',
  '%x',
  '@x',
  '`x',
  '[a]',
  '{a}',
  'a,b',
  '#',
  '#/a',
  '# a',
  '#a  b',
  '+',
  '+/#',
  '/#',
  '/a',
  '+a',
  '+.5',
  '+.inf',
  '-x',
  '#' + 'x'.repeat(200),
  'a/'.repeat(150),
  'é',
  'line\nbreak',
  'tab\there',
  '\u0000',
]

function generate(seed: number): Record<string, unknown> {
  const next = ints(seed)
  const ascii = () => Array.from({length: 1 + next(6)}, () => String.fromCharCode(32 + next(95))).join('')
  // Mostly plain strings, so that whole documents are often plain; a damaged one in a few.
  const tricky = next(2) === 0
  const str = () => (tricky && next(30) === 0 ? ascii() : POOL[next(tricky && next(15) === 0 ? POOL.length : 9)])
  const num = () => [0, 1, -1, 7, 2147483647, -2147483648, -0][next(7)]
  const link = (key: string) =>
    Array.from({length: next(3)}, () => ({[key]: str(), ...(next(2) ? {priority: num()} : {})}))
  const texts = () => ({...(next(2) ? {textname: str()} : {}), ...(next(3) ? {} : {textdescription: str()})})
  return {
    version: 1,
    defaultACLAccess: {
      publishClientSend: !next(2),
      publishClientReceive: !next(2),
      subscribe: !next(2),
      unsubscribe: true,
    },
    ...(next(3) === 0 ? {anonymousGroup: str()} : {}),
    roles: Array.from({length: next(4)}, () => ({
      rolename: str(),
      ...texts(),
      ...(next(4) === 0 ? {allowwildcardsubs: !next(2)} : {}),
      acls: Array.from({length: next(3)}, () => ({
        acltype: 'subscribePattern',
        topic: str(),
        allow: !next(2),
        priority: num(),
      })),
    })),
    groups: Array.from({length: next(3)}, () => ({groupname: str(), ...texts(), roles: link('rolename')})),
    clients: Array.from({length: next(4)}, () => ({
      username: str(),
      ...(next(4) === 0 ? {clientid: str()} : {}),
      ...texts(),
      ...(next(4) === 0 ? {disabled: true} : {}),
      roles: link('rolename'),
      groups: link('groupname'),
      ...(next(5) === 0 ? {password: {hash: str()}} : {}),
    })),
  }
}

describe('policyYaml', () => {
  it('writes what the yaml library writes, on 5,000 generated documents', () => {
    let answered = 0
    for (let seed = 1; seed <= 5000; seed++) {
      const doc = generate(seed)
      const fast = policyYaml(doc)
      if (fast === undefined) continue
      answered++
      expect({seed, fast}).toEqual({seed, fast: stringify(doc, {lineWidth: 0, flowCollectionPadding: false})})
      expect(parse(fast)).toEqual(doc)
    }

    console.log(`policy yaml: ${answered} of 5000 documents written by hand, the rest by the yaml library`)
    expect(answered).toBeGreaterThan(2000)
  })

  it('answers for a plain export of device clients (the common large case)', () => {
    const doc = {
      version: 1,
      defaultACLAccess: {publishClientSend: false},
      roles: [
        {
          rolename: 'admin',
          acls: [{acltype: 'publishClientSend', topic: '$CONTROL/dynamic-security/#', allow: true, priority: 0}],
        },
      ],
      groups: [],
      clients: Array.from({length: 50}, (_, i) => ({
        username: `dev${i}`,
        textname: 'Device number one',
        roles: [{rolename: 'admin', priority: i}],
        groups: [],
      })),
    }
    expect(policyYaml(doc)).toBe(stringify(doc, {lineWidth: 0, flowCollectionPadding: false}))
  })
})
