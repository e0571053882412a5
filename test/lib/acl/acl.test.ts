import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {evaluateAcl} from '../../../src/lib/acl/evaluate.js'
import {FilterIndex} from '../../../src/lib/acl/filter-index.js'
import {filterCovers, lintAclText} from '../../../src/lib/acl/lint.js'
import {parseAclFile} from '../../../src/lib/acl/parse.js'
import {topicMatches} from '../../../src/lib/topic.js'

// Grammar and semantics from mosquitto-spec.md section 4.
describe('acl_file parser', () => {
  it('follows the broker grammar', () => {
    const acl = parseAclFile('# c\ntopic read\ntopic  read   a b\nuser  bob smith\ntopic deny x\npattern write %u/#\n')
    expect(acl.errors).toEqual([])
    expect(acl.rules.map((r) => [r.kind, r.access, r.topic, r.user, r.line])).toEqual([
      ['topic', 'readwrite', 'read', undefined, 2],
      ['topic', 'read', 'a b', undefined, 3],
      ['topic', 'deny', 'x', 'bob smith', 5],
      ['pattern', 'write', '%u/#', undefined, 6],
    ])
  })

  it.each([
    ['  # indented', 'Invalid line in acl_file "f": #.', 1, 3],
    ['topic\tread\tfoo', 'Invalid line in acl_file "f": topic\tread\tfoo.', 1, 1],
    ['topic', 'Empty topic in acl_file "f".', 1, 6],
    ['topic readonly a', 'Invalid topic access type "readonly" in acl_file "f".', 1, 7],
    ['topic read a/#/b', 'Invalid ACL topic "a/#/b" in acl_file "f".', 1, 12],
    ['topic read a/+b', 'Invalid ACL topic "a/+b" in acl_file "f".', 1, 12],
    ['user', 'Missing username in acl_file "f".', 1, 5],
    ['Topic read a', 'Invalid line in acl_file "f": Topic.', 1, 1],
  ])('refuses %j with the broker wording', (text, message, line, column) => {
    const [e] = parseAclFile(text, 'f').errors
    expect(e.message.startsWith(message)).toBe(true)
    expect([e.line, e.column]).toEqual([line, column])
  })

  it('never throws on random input', () => {
    fc.assert(
      fc.property(fc.string({unit: 'binary'}), (text) => {
        const acl = parseAclFile(text)
        expect(Array.isArray(acl.rules)).toBe(true)
      }),
    )
  })
})

describe('acl evaluation (observed 2.0.11 behaviour, spec 4.2)', () => {
  const acl = parseAclFile(
    'topic read public/#\ntopic deny public/secret\nuser alice\ntopic readwrite alice/#\ntopic read shared/#\ntopic deny shared/private\npattern readwrite users/%u/#\npattern read clients/%c/#\n',
  )
  const check = (username: string | undefined, clientId: string, topic: string, access: 'read' | 'write') =>
    evaluateAcl(acl, {username, clientId, topic, access}).allowed

  it('matches the observed deliveries and publishes', () => {
    expect(check(undefined, 'anon1', 'public/a', 'read')).toBe(true)
    expect(check(undefined, 'anon1', 'clients/anon1/1', 'read')).toBe(true)
    expect(check(undefined, 'anon1', 'public/secret', 'read')).toBe(false)
    expect(check('alice', 'alicecid', 'alice/x', 'read')).toBe(true)
    expect(check('alice', 'alicecid', 'shared/x', 'read')).toBe(true)
    expect(check('alice', 'alicecid', 'users/alice/1', 'read')).toBe(true)
    expect(check('alice', 'alicecid', 'clients/alicecid/1', 'read')).toBe(true)
    expect(check('alice', 'alicecid', 'shared/private', 'read')).toBe(false)
    expect(check('alice', 'alicecid', 'shared/x', 'write')).toBe(false)
    expect(check('alice', 'alicecid', 'alice/y', 'write')).toBe(true)
    expect(check('bob', 'bobcid', 'users/bob/x', 'write')).toBe(true)
    expect(check('bob', 'bobcid', 'public/a', 'read')).toBe(false)
  })

  it('denies $SYS publishes, dangerous usernames, and everything with an empty file', () => {
    expect(
      evaluateAcl(parseAclFile('topic readwrite $SYS/#\n'), {clientId: 'c', topic: '$SYS/x', access: 'write'}).allowed,
    ).toBe(false)
    expect(check('a+b', 'c', 'users/a+b/x', 'write')).toBe(false)
    expect(evaluateAcl(parseAclFile('# only a comment\n'), {clientId: 'c', topic: 'a', access: 'read'}).allowed).toBe(
      false,
    )
    expect(
      evaluateAcl(parseAclFile('topic readwrite #\n'), {clientId: 'c', topic: '$SYS/x', access: 'read'}).allowed,
    ).toBe(false)
  })
})

describe('acl lint', () => {
  it('finds the traps', () => {
    const rules = lintAclText(
      'topic read\ntopic readwrite #\ntopic deny a/#\ntopic read a/b\ntopic read a/b\npattern read x/#\ntopic read u/%u\ntopic write $SYS/x\n',
      'f',
    ).map((f) => `${f.line}:${f.rule}`)
    expect(rules).toEqual(
      expect.arrayContaining([
        '1:acl/access-word-as-topic',
        '2:acl/anonymous-broad',
        '4:acl/shadowed-by-deny',
        '5:acl/duplicate',
        '6:acl/pattern-without-substitution',
        '7:acl/literal-substitution',
        '8:acl/sys-write',
        '1:acl/no-subscribe-control',
      ]),
    )
    expect(
      lintAclText('user carol\ntopic read a\n', 'f', {knownUsers: new Set(['alice'])}).map((f) => f.rule),
    ).toContain('acl/unknown-user')
    const more = lintAclText(
      'user alice\ntopic readwrite a/#\ntopic read a/b\ntopic write a/+/c\ntopic read $share/g/x\ntopic read b/#\ntopic readwrite b/x\n',
      'f',
    )
    expect(more.filter((f) => f.severity === 'warning').map((f) => `${f.line}:${f.rule}`)).toEqual([
      '3:acl/redundant',
      '4:acl/redundant',
      '5:acl/never-matches',
    ])
    const sameTopic = lintAclText('topic read a/b\ntopic readwrite a/b\ntopic readwrite a/b\n', 'f').filter(
      (f) => f.severity === 'warning',
    )
    expect(sameTopic.map((f) => `${f.line}:${f.rule}`)).toEqual(['1:acl/redundant', '3:acl/duplicate'])
  })

  it('a redundant, shadowed or never-matching rule changes no decision when removed', () => {
    const line = fc.oneof(
      fc.constant('user alice'),
      fc.constant('user bob'),
      fc
        .tuple(
          fc.constantFrom('topic', 'pattern'),
          fc.constantFrom('read', 'write', 'readwrite', 'deny'),
          fc.constantFrom('a', 'a/b', 'a/+', 'a/#', '#', '+/b', '$share/g/a', '%u/#', '%u/x', 'b/%c'),
        )
        .map(([kind, access, topic]) => `${kind} ${access} ${topic}`),
    )
    const query = fc.record({
      username: fc.constantFrom(undefined, 'alice', 'bob', 'carol'),
      clientId: fc.constantFrom('c1', 'alice'),
      topic: fc.constantFrom('a', 'a/b', 'a/c', 'a/b/c', 'b', 'b/x', 'alice/x', 'bob/x', 'b/c1', 'x/b'),
      access: fc.constantFrom('read' as const, 'write' as const),
    })
    fc.assert(
      fc.property(
        fc.array(line, {minLength: 1, maxLength: 8}),
        fc.array(query, {minLength: 1, maxLength: 12}),
        (lines, queries) => {
          const text = lines.join('\n') + '\n'
          const idle = lintAclText(text, 'f').filter((f) =>
            ['acl/redundant', 'acl/shadowed-by-deny', 'acl/never-matches'].includes(f.rule),
          )
          for (const finding of idle) {
            const without = lines.filter((_, i) => i !== finding.line - 1).join('\n') + '\n'
            for (const q of queries) {
              expect(
                evaluateAcl(parseAclFile(without), q).allowed,
                `${finding.rule} line ${finding.line} of\n${text}${JSON.stringify(q)}`,
              ).toBe(evaluateAcl(parseAclFile(text), q).allowed)
            }
          }
        },
      ),
      {numRuns: 400},
    )
  })

  it('FilterIndex finds a covering filter exactly when a scan with filterCovers does', () => {
    const level = fc.constantFrom('a', 'b', '', '+', '#', '$SYS', '%c')
    // valid filters only (# last, $ only first), as the parser lets through
    const filter = fc
      .array(level, {minLength: 1, maxLength: 4})
      .map((l) => l.join('/'))
      .filter((f) => !/#./.test(f) && !f.slice(1).includes('$'))
    fc.assert(
      fc.property(fc.array(filter, {maxLength: 30}), filter, fc.nat(), (filters, query, skip) => {
        const index = new FilterIndex<number>()
        for (const [i, f] of filters.entries()) index.add(f, i)
        const accept = (i: number) => i % 7 !== skip % 7 // some items refused, as lint refuses the rule itself
        const found = index.findCovering(query, accept)
        const byScan = filters.findIndex((f, i) => filterCovers(f, query) && accept(i))
        expect(found === undefined, `${JSON.stringify(filters)} ∋ cover of ${query}`).toBe(byScan === -1)
        if (found !== undefined) expect(filterCovers(filters[found], query) && accept(found)).toBe(true)
      }),
      {numRuns: 2000},
    )
  })

  it('filterCovers agrees with topic matching on sample topics', () => {
    const level = fc.constantFrom('a', 'b', '+', '#', '$SYS')
    const filter = fc
      .array(level, {minLength: 1, maxLength: 4})
      .map((l) => l.join('/'))
      .filter((f) => !/#./.test(f) && !f.includes('/$SYS'))
    const topic = fc
      .array(fc.constantFrom('a', 'b', '$SYS'), {minLength: 1, maxLength: 4})
      .map((l) => l.join('/'))
      .filter((t) => !t.slice(1).includes('$'))
    fc.assert(
      fc.property(filter, filter, fc.array(topic, {maxLength: 20}), (a, b, topics) => {
        if (!filterCovers(a, b)) return
        for (const t of topics) if (topicMatches(b, t)) expect(topicMatches(a, t)).toBe(true)
      }),
    )
  })
})
