import {describe, expect, it} from 'vitest'

import {evaluateAcl} from '../../../src/lib/acl/evaluate.js'
import {parseAclFile} from '../../../src/lib/acl/parse.js'
import {evaluateDynsec} from '../../../src/lib/dynsec/evaluate.js'
import {migrate, type MigrationTarget} from '../../../src/lib/dynsec/migrate.js'
import {parsePasswdFile} from '../../../src/lib/passwd/file.js'
import {rng} from '../../helpers/rng.js'

const b64 = (n: number, fill: number) => Buffer.alloc(n, fill).toString('base64')
const h7 = (salt = 12) => `$7$101$${b64(salt, 1)}$${b64(64, 2)}`
const h6 = () => `$6$${b64(12, 3)}$${b64(64, 4)}`
const USERS = ['alice', 'bob', 'x+y']
const passwdText = [...USERS, 'a/b'].map((u) => `${u}:${h7()}`).join('\n') + '\n'

function run(acl: string, target: MigrationTarget, passwd = passwdText) {
  const parsed = parseAclFile(acl, 'acl')
  return {
    parsed,
    result: migrate({
      passwd: {name: 'passwd', lines: parsePasswdFile(Buffer.from(passwd))},
      acl: {name: 'acl', parsed},
      target,
    }),
  }
}

describe('migrate decides as acl_file did (the acl evaluator agrees with the broker; see the broker proof too)', () => {
  for (const target of ['2.0', '2.1'] as const) {
    it(`on generated files, target ${target}`, () => {
      const next = rng(target === '2.0' ? 20 : 21)
      const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]
      let compared = 0
      let allowed = 0
      for (let file = 0; file < 200; file++) {
        const level = () => pick(['a', 'b', 'alice', 'c1', '+', '%u', '%c', '$x'])
        const lines: string[] = []
        for (let i = 0; i < 2 + Math.floor(next() * 7); i++) {
          if (next() < 0.2) lines.push(`user ${pick(USERS)}`)
          else {
            const kind = next() < 0.5 ? 'pattern' : 'topic'
            const levels = Array.from({length: 1 + Math.floor(next() * 3)}, level).map((l, j) =>
              l === '$x' && j > 0 ? 'b' : l,
            )
            if (next() < 0.3) levels.push('#')
            lines.push(`${kind} ${pick(['read', 'write', 'readwrite', 'deny'])} ${levels.join('/')}`)
          }
        }

        const passwd = USERS.map((u) => `${u}:${h7()}`).join('\n') + '\n'
        const {parsed, result} = run(lines.join('\n') + '\n', target, passwd)
        if (result.lossy) continue
        for (const username of [undefined, 'alice', 'bob', 'x+y']) {
          for (let k = 0; k < 8; k++) {
            const clientId = pick(['c1', 'alice', 'b'])
            const topic = Array.from({length: 1 + Math.floor(next() * 3)}, () =>
              pick(['a', 'b', 'alice', 'bob', 'c1', '$x']),
            )
              .map((l, j) => (l === '$x' && j > 0 ? 'a' : l))
              .join('/')
            const access = pick(['read', 'write'] as const)
            const before = evaluateAcl(parsed, {username, clientId, topic, access}).allowed
            const after = evaluateDynsec(
              result.state,
              {username, clientId, topic, access: access === 'read' ? 'publishClientReceive' : 'publishClientSend'},
              {layout: target, passwordsKnown: true},
            )
            expect(
              after.verdict === 'allow',
              `${lines.join(' | ')} :: ${username} ${clientId} ${access} ${topic}`,
            ).toBe(before)
            compared++
            if (before) allowed++
            for (const filter of ['#', '$SYS/#', '$CONTROL/#', 'a/+', '$x/#']) {
              for (const a of ['subscribe', 'unsubscribe'] as const) {
                const v = evaluateDynsec(result.state, {username, clientId, topic: filter, access: a}, {layout: target})
                expect(v.verdict, `${a} ${filter} ${username}`).toBe('allow')
              }
            }
          }
        }
      }

      expect(compared).toBeGreaterThan(1500)
      expect(allowed).toBeGreaterThan(100)
    })
  }
})

describe('migrate reports what cannot be carried', () => {
  it('names $6$ users (lossy), plain-text users and unknown sections (notices), duplicates (lossy)', () => {
    const passwd = `alice:${h7()}\nsix:${h6()}\nplain:secret\nalice:${h7()}\n`
    const {result} = run('user ghost\ntopic read a\n', '2.0', passwd)
    const by = (u: string) => result.items.filter((i) => i.username === u).map((i) => `${i.severity} ${i.location}`)
    expect(by('six')).toEqual(['lossy passwd:2'])
    expect(by('plain')).toEqual(['notice passwd:3'])
    expect(by('alice')).toEqual(['lossy passwd:4'])
    expect(by('ghost')).toEqual(['notice acl:1'])
    expect(result.state.clients.map((c) => c.username)).toEqual([])
  })

  it('%c patterns are lossy on 2.0 and carried on 2.1; 2.1 refuses %u inside a level and literal %u topics', () => {
    const acl = 'pattern read c/%c/#\npattern write u/x%u\ntopic read lit/%u\n'
    const lossy = (t: MigrationTarget) =>
      run(acl, t)
        .result.items.filter((i) => i.severity === 'lossy')
        .map((i) => i.location)
    expect(lossy('2.0')).toEqual(['acl:1'])
    expect(lossy('2.1')).toEqual(['acl:2', 'acl:3', 'passwd:4'])
    // Usernames with / cannot match a 2.1 %u.
    expect(
      run('pattern read u/%u\n', '2.1')
        .result.items.filter((i) => i.severity === 'lossy')
        .map((i) => i.username),
    ).toEqual(['a/b'])
  })

  it('carries $7$ exactly: 2.0 triple, 2.1 encoded; a 64-byte salt only to 2.1', () => {
    const passwd = `alice:${h7()}\nbig:${h7(64)}\n`
    const v20 = run('', '2.0', passwd).result
    expect(v20.state.clients.find((c) => c.username === 'alice')?.stored).toEqual({
      password: b64(64, 2),
      salt: b64(12, 1),
      iterations: 101,
    })
    expect(v20.state.clients.some((c) => c.username === 'big')).toBe(false)
    const v21 = run('', '2.1', passwd).result
    expect(v21.state.clients.find((c) => c.username === 'big')?.stored).toEqual({encoded_password: h7(64)})
  })
})
