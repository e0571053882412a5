import {describe, expect, it} from 'vitest'

import {evaluateAcl} from '../../../src/lib/acl/evaluate.js'
import {lintAclText, lintParsedAcl} from '../../../src/lib/acl/lint.js'
import {parseAclFile} from '../../../src/lib/acl/parse.js'

// Each case below is a class the hand corpora missed (issue 9); the generated differential test
// (test/integration/acl-agreement.test.ts) checks the same rules against the real broker.
const check = (text: string | Buffer, topic: string, access: 'read' | 'write', username?: string, clientId = 'c') =>
  evaluateAcl(parseAclFile(text), {username, clientId, topic, access})

describe('acl__check_dollar: string prefixes', () => {
  it('allows writing the bridge status topic and denies $SYSTEM/x by the $SYS prefix', () => {
    const acl = 'topic readwrite $SYS/#\ntopic readwrite $SYSTEM/#\n'
    expect(check(acl, '$SYS/broker/connection/b1/state', 'write').allowed).toBe(true)
    expect(check(acl, '$SYS/broker/x', 'write').allowed).toBe(false)
    expect(check(acl, '$SYSTEM/x', 'write')).toMatchObject({allowed: false, dollar: true})
    expect(check(acl, '$SYSTEM/x', 'read').allowed).toBe(true)
  })

  it('denies $shared/x both ways by the $share prefix', () => {
    const acl = 'topic readwrite $shared/#\n'
    expect(check(acl, '$shared/x', 'write')).toMatchObject({allowed: false, dollar: true})
    expect(check(acl, '$shared/x', 'read')).toMatchObject({allowed: false, dollar: true})
  })

  it('never delivers $CONTROL/… publishes, and says what a will message would get', () => {
    const d = check('topic readwrite $CONTROL/#\n', '$CONTROL/x', 'read')
    expect(d.allowed).toBe(false)
    expect(d.reason).toMatch(/never delivered.*will message would be allowed/)
    expect(check('topic readwrite $CONTROL/#\n', '$CONTROL/x', 'write').allowed).toBe(true)
  })
})

describe('parser details the broker has', () => {
  it('trims tabs before the topic (misc__trimblanks), but a tab after the access word joins the words', () => {
    expect(check('topic read \tfoo\n', 'foo', 'read').allowed).toBe(true)
    const joined = parseAclFile('topic read\tfoo\n').rules[0]
    expect([joined.topic, joined.access]).toEqual(['read\tfoo', 'readwrite'])
    expect(lintAclText('topic read\tfoo\n', 'f').map((f) => f.rule)).toContain('acl/tab')
  })

  it('loads topics with invalid UTF-8, which then match nothing', () => {
    const bytes = Buffer.concat([
      Buffer.from('topic readwrite a/'),
      Buffer.from([0xff]),
      Buffer.from('/#\ntopic read b\n'),
    ])
    const acl = parseAclFile(bytes)
    expect(acl.errors).toEqual([])
    expect(acl.rules[0].invalidUtf8).toBe(true)
    expect(check(bytes, 'a/\uFFFD/x', 'read').allowed).toBe(false)
    expect(lintParsedAcl(acl).find((f) => f.line === 1)?.rule).toBe('acl/never-matches')
  })

  it('a NUL byte ends the file: the line and all after it are ignored when the file ends with a newline', () => {
    const withNewline = Buffer.from('topic read a\ntopic read b\u0000junk\ntopic read c\n')
    const acl = parseAclFile(withNewline)
    expect(acl.errors).toEqual([])
    expect(acl.rules.map((r) => r.topic)).toEqual(['a'])
    expect(acl.warnings.map((w) => [w.rule, w.line])).toEqual([['acl/nul-byte', 2]])
    // Without a final newline the text before the NUL is read as the last line.
    const without = parseAclFile(Buffer.from('topic read a\ntopic read b\u0000junk\ntopic read c'))
    expect(without.rules.map((r) => r.topic)).toEqual(['a', 'b'])
  })

  it('refuses more than 200 levels, as mosquitto_sub_topic_check does', () => {
    expect(parseAclFile(`topic read ${'a/'.repeat(200)}a\n`).errors).toEqual([])
    expect(parseAclFile(`topic read ${'a/'.repeat(201)}a\n`).errors[0].rule).toBe('acl/invalid-topic')
  })

  it('reports which deny decided in the broker order (last deny first)', () => {
    expect(check('topic deny a/#\ntopic deny a/b\n', 'a/b', 'read').rule?.line).toBe(2)
  })
})

describe('acl lint on $SYS writes', () => {
  it('does not flag $SYS/broker/connection/+/state (the broker allows it) nor $SYS/#, flags $SYS/x and $SYSTEM/x', () => {
    const ids = (t: string) => lintAclText(t, 'f').map((f) => f.rule)
    expect(ids('topic write $SYS/broker/connection/+/state\n')).not.toContain('acl/sys-write')
    expect(ids('topic readwrite $SYS/#\n')).not.toContain('acl/sys-write')
    expect(ids('topic write $SYS/broker/+\n')).toContain('acl/sys-write')
    expect(ids('topic write $SYSTEM/x\n')).toContain('acl/sys-write')
    expect(ids('topic read $shared/x\n')).toContain('acl/never-matches')
  })
})

describe('linear time', () => {
  it('parses a line of 160,000 spaces and a 5 MB line in well under a second each', () => {
    // The old trailing-whitespace regex took 11 s on the first and hours on the second.
    for (const text of [`topic read a${' '.repeat(160_000)}x\n`, `topic read ${'a'.repeat(5_000_000)} \n`]) {
      const t0 = performance.now()
      parseAclFile(text)
      expect(performance.now() - t0).toBeLessThan(2000)
    }
  })

  it('lints 100,000 identical lines without a quadratic scan', () => {
    const t0 = performance.now()
    const findings = lintAclText('topic read a/b\n'.repeat(100_000), 'f')
    expect(findings.filter((f) => f.rule === 'acl/duplicate')).toHaveLength(99_999)
    expect(performance.now() - t0).toBeLessThan(10_000)
  })
})

describe('bounded findings', () => {
  it('lists 1000 findings per rule id and counts the rest', async () => {
    const {mkdtempSync, writeFileSync} = await import('node:fs')
    const {tmpdir} = await import('node:os')
    const {join} = await import('node:path')
    const {lintAclFile} = await import('../../../src/lib/acl/lint-file.js')
    const file = join(mkdtempSync(join(tmpdir(), 'mqctl-acl-')), 'acl')
    writeFileSync(file, 'topic read a/b\n'.repeat(5000))
    const report = await lintAclFile(file)
    expect(report.findings.filter((f) => f.rule === 'acl/duplicate')).toHaveLength(1000)
    expect(report.omitted).toEqual({'acl/duplicate': 3999})
    expect(report.warnings).toBe(4999)
  })
})
