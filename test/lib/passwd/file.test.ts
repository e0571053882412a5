import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {removeEntry, upgradeEntries, upsertEntry} from '../../../src/lib/passwd/edit.js'
import {
  classifyLine,
  dominantEol,
  makeEntryLine,
  parsePasswdFile,
  serializePasswdFile,
  trimBlanks,
  type PasswdLine,
} from '../../../src/lib/passwd/file.js'

const buf = (s: string) => Buffer.from(s, 'utf8')
const parse = (s: string | Buffer) => parsePasswdFile(typeof s === 'string' ? buf(s) : s)
const text = (lines: readonly PasswdLine[]) => serializePasswdFile(lines).toString('utf8')
const ENC = '$7$101$AAAAAAAAAAAAAAAA$' + 'B'.repeat(86) + '=='

/** Bytes that matter to the line and field rules, plus anything else. */
const interestingByte = fc.oneof(
  {weight: 3, arbitrary: fc.constantFrom(0x0a, 0x0d, 0x3a, 0x23, 0x00, 0x20, 0x09, 0x24, 0x0b, 0x0c)},
  {weight: 2, arbitrary: fc.constantFrom(0xc3, 0xa9, 0xff, 0xfe, 0x80, 0xe2, 0x82, 0xac)},
  {weight: 4, arbitrary: fc.integer({min: 0x61, max: 0x7a})},
  {weight: 2, arbitrary: fc.integer({min: 0, max: 255})},
)
const anyBytes = fc.array(interestingByte, {maxLength: 400}).map((a) => Buffer.from(a))

describe('parse → serialize is byte-identical', () => {
  it.each([
    ['empty', ''],
    ['LF', 'a:b\nc:d\n'],
    ['CRLF', 'a:b\r\nc:d\r\n'],
    ['mixed and no final newline', 'a:b\r\n# c\n\nx:y'],
    ['lone CR', 'a:b\rc:d\r'],
    ['CR CR LF', 'a:b\r\r\n'],
    ['only newlines', '\n\n\r\n\n'],
  ])('%s', (_name, content) => {
    expect(serializePasswdFile(parse(content)).equals(buf(content))).toBe(true)
  })

  it('invalid UTF-8 and NUL bytes survive', () => {
    const content = Buffer.from([0xff, 0x3a, 0xfe, 0x00, 0x0a, 0x63, 0x61, 0x66, 0xe9, 0x3a, 0x78, 0x0d, 0x0a, 0xc3])
    expect(serializePasswdFile(parsePasswdFile(content)).equals(content)).toBe(true)
  })

  it('property: any Buffer', () => {
    fc.assert(
      fc.property(anyBytes, (content) => {
        const lines = parsePasswdFile(content)
        expect(serializePasswdFile(lines).equals(content)).toBe(true)
      }),
      {numRuns: 2000},
    )
  })

  it('property: line structure (numbers, eol only missing at the end, no LF inside a line)', () => {
    fc.assert(
      fc.property(anyBytes, (content) => {
        const lines = parsePasswdFile(content)
        const lfCount = content.filter((b) => b === 0x0a).length
        const endsWithLf = content.length > 0 && content.at(-1) === 0x0a
        expect(lines.length).toBe(lfCount + (content.length > 0 && !endsWithLf ? 1 : 0))
        lines.forEach((l, i) => {
          expect(l.number).toBe(i + 1)
          expect(l.raw.includes(0x0a)).toBe(false)
          if (i < lines.length - 1) expect(l.eol).not.toBe('')
          // a line ending '\r' before the LF is a CRLF line, so an LF line never ends with CR
          if (l.eol === '\n') expect(l.raw.at(-1)).not.toBe(0x0d)
          expect(['entry', 'comment', 'blank', 'invalid']).toContain(l.kind)
          if (l.kind === 'entry') {
            expect(l.username).not.toBe('')
            expect(l.secret).not.toBe('')
            expect(l.username).not.toContain(':')
            expect(l.secret).not.toContain(':')
          }
        })
      }),
      {numRuns: 1000},
    )
  })
})

describe('line classification (spec 1.8 / 1.9)', () => {
  it('# only in column 1 makes a comment', () => {
    expect(classifyLine('# a comment')).toEqual({kind: 'comment'})
    expect(classifyLine('#alice:' + ENC)).toEqual({kind: 'comment'})
    expect(classifyLine('#')).toEqual({kind: 'comment'})
    const indented = classifyLine(' # text: more')
    expect(indented.kind).toBe('entry')
    expect(indented.username).toBe('# text')
    expect(indented.secret).toBe('more')
  })

  it('blank lines (empty or only blanks)', () => {
    expect(classifyLine('')).toEqual({kind: 'blank'})
    expect(classifyLine('   \t ')).toEqual({kind: 'blank'})
    expect(parse('\r\n')[0]).toMatchObject({kind: 'blank', eol: '\r\n'})
    expect(parse('\r\n')[0].raw.length).toBe(0)
  })

  it('lines without a second non-empty field are invalid', () => {
    for (const t of ['alice', 'alice:', 'alice:   ', 'alice::', ':alice', ':::', ' : x', '\t:\t']) {
      expect(classifyLine(t).kind, JSON.stringify(t)).toBe('invalid')
    }
  })

  it('username and password are trimmed; columns are 1-based', () => {
    expect(classifyLine('alice:' + ENC)).toEqual({
      kind: 'entry',
      username: 'alice',
      secret: ENC,
      extraFields: 0,
      usernameColumn: 1,
      secretColumn: 7,
    })
    expect(classifyLine('  bob  :  $7$x  ')).toMatchObject({
      username: 'bob',
      secret: '$7$x',
      usernameColumn: 3,
      secretColumn: 11,
    })
    expect(classifyLine('bob:\tpw\r')).toMatchObject({username: 'bob', secret: 'pw', secretColumn: 6})
  })

  it('strtok-like splitting: leading colons skipped, runs of colons collapse', () => {
    expect(classifyLine(':alice:pw')).toMatchObject({
      kind: 'entry',
      username: 'alice',
      secret: 'pw',
      usernameColumn: 2,
      secretColumn: 8,
    })
    expect(classifyLine('::alice:::pw')).toMatchObject({
      username: 'alice',
      secret: 'pw',
      extraFields: 0,
      secretColumn: 11,
    })
    expect(classifyLine('alice::pw')).toMatchObject({username: 'alice', secret: 'pw', extraFields: 0})
  })

  it('u:pa:ss → secret pa, one extra field (spec 1.7)', () => {
    expect(classifyLine('u:pa:ss')).toMatchObject({kind: 'entry', username: 'u', secret: 'pa', extraFields: 1})
    expect(classifyLine('u:pa:ss:tt:')).toMatchObject({secret: 'pa', extraFields: 2})
  })

  it('parsePasswdFile keeps eol per line and raw without it', () => {
    const lines = parse('a:1\r\nb:2\n# c\r\nd:4')
    expect(lines.map((l) => l.eol)).toEqual(['\r\n', '\n', '\r\n', ''])
    expect(lines.map((l) => l.raw.toString())).toEqual(['a:1', 'b:2', '# c', 'd:4'])
    expect(lines.map((l) => l.kind)).toEqual(['entry', 'entry', 'comment', 'entry'])
    expect(lines.map((l) => l.username)).toEqual(['a', 'b', undefined, 'd'])
  })

  it('dominantEol: the majority, LF on a tie or when nothing ends a line', () => {
    expect(dominantEol(parse('a:1\r\nb:2\r\nc:3\n'))).toBe('\r\n')
    expect(dominantEol(parse('a:1\r\nb:2\n'))).toBe('\n')
    expect(dominantEol(parse('a:1'))).toBe('\n')
    expect(dominantEol([])).toBe('\n')
  })
})

describe('makeEntryLine (its shortcut must agree with classifyLine)', () => {
  const field = fc.string({
    unit: fc.constantFrom('a', 'b', ' ', '\t', ':', '#', '$', '\u00A0', 'é', '\r', '7'),
    maxLength: 8,
  })
  it('gives the fields classifyLine reads back from the same text', () => {
    fc.assert(
      fc.property(field, field, (username, encoded) => {
        const made = makeEntryLine(username, encoded, '\n', 3)
        expect(made).toEqual({
          number: 3,
          raw: Buffer.from(`${username}:${encoded}`),
          eol: '\n',
          ...classifyLine(`${username}:${encoded}`),
        })
      }),
      {numRuns: 2000},
    )
  })

  it('trimBlanks trims what C isspace() calls blank, and nothing else', () => {
    expect(trimBlanks(' \t\n\v\f\rx y\r\n ')).toBe('x y')
    expect(trimBlanks('\u00A0x\u00A0')).toBe('\u00A0x\u00A0')
    expect(trimBlanks(' \t ')).toBe('')
  })
})

describe('edits keep every other line byte for byte', () => {
  it('update replaces the user line in place with the same eol', () => {
    const before = '# users\r\nalice:old1\r\n\r\nbob:old2\r\n  odd line\r\n'
    const {lines, action} = upsertEntry(parse(before), 'bob', ENC)
    expect(action).toBe('updated')
    expect(text(lines)).toBe(`# users\r\nalice:old1\r\n\r\nbob:${ENC}\r\n  odd line\r\n`)
  })

  it('update replaces every duplicate of the user (matched after trimming)', () => {
    const {lines, action} = upsertEntry(parse('bob:1\nalice:2\n  bob :3\n'), 'bob', ENC)
    expect(action).toBe('updated')
    expect(text(lines)).toBe(`bob:${ENC}\nalice:2\nbob:${ENC}\n`)
  })

  it('comments and invalid lines naming the user are not entries', () => {
    const {lines, action} = upsertEntry(parse('#bob:x\nbob\n'), 'bob', ENC)
    expect(action).toBe('added')
    expect(text(lines)).toBe(`#bob:x\nbob\nbob:${ENC}\n`)
  })

  it('add appends with the dominant eol', () => {
    expect(text(upsertEntry(parse('a:1\r\nb:2\r\n'), 'c', ENC).lines)).toBe(`a:1\r\nb:2\r\nc:${ENC}\r\n`)
    expect(text(upsertEntry(parse('a:1\nb:2\n'), 'c', ENC).lines)).toBe(`a:1\nb:2\nc:${ENC}\n`)
  })

  it('add to a file without final newline adds one first', () => {
    expect(text(upsertEntry(parse('a:1\nb:2'), 'c', ENC).lines)).toBe(`a:1\nb:2\nc:${ENC}\n`)
    expect(text(upsertEntry(parse('a:1\r\nb:2'), 'c', ENC).lines)).toBe(`a:1\r\nb:2\r\nc:${ENC}\r\n`)
    expect(text(upsertEntry(parse('# only a comment'), 'c', ENC).lines)).toBe(`# only a comment\nc:${ENC}\n`)
  })

  it('add to an empty file', () => {
    const {lines, action} = upsertEntry([], 'c', ENC)
    expect(action).toBe('added')
    expect(text(lines)).toBe(`c:${ENC}\n`)
  })

  it('the new line is an entry again when parsed', () => {
    const out = parse(text(upsertEntry(parse('a:1\n'), 'new', ENC).lines))
    expect(out[1]).toMatchObject({kind: 'entry', username: 'new', secret: ENC})
  })

  it('remove drops every line of the user and nothing else', () => {
    const {lines, removed} = removeEntry(parse('a:1\r\nbob:2\n# bob:3\n bob :4\nc:5'), 'bob')
    expect(removed).toBe(2)
    expect(text(lines)).toBe('a:1\r\n# bob:3\nc:5')
  })

  it('remove of an absent user changes nothing', () => {
    const before = parse('a:1\nb:2')
    const {lines, removed} = removeEntry(before, 'zed')
    expect(removed).toBe(0)
    expect(serializePasswdFile(lines).equals(serializePasswdFile(before))).toBe(true)
  })

  it('upgrade hashes only plain-text entries and counts', async () => {
    const before = [
      '# header',
      'plain:secret',
      `v6:$6$${'A'.repeat(16)}$${'B'.repeat(86)}==`,
      `v7:${ENC}`,
      'v8:$argon2id$v=19$m=47104,t=1,p=1$c2FsdA$aGFzaA',
      '',
      'u:pa:ss',
      'spaced :  pw 2  ',
      'broken',
      'crlf:pw3',
    ]
    const content = before.slice(0, -1).join('\n') + '\n' + before.at(-1) + '\r\n'
    const seen: string[] = []
    const fake = async (password: Buffer) => {
      seen.push(password.toString('utf8'))
      return `$7$1$HASHED(${password.toString('utf8')})`
    }

    const result = await upgradeEntries(parse(content), async (passwords) => Promise.all(passwords.map(fake)))
    expect(result.converted).toBe(4)
    expect(result.skipped).toBe(3)
    expect(seen.sort()).toEqual(['pa', 'pw 2', 'pw3', 'secret'])
    const expected = [
      '# header',
      'plain:$7$1$HASHED(secret)',
      before[2],
      before[3],
      before[4],
      '',
      'u:$7$1$HASHED(pa)',
      'spaced:$7$1$HASHED(pw 2)',
      'broken',
    ]
    expect(text(result.lines)).toBe(expected.join('\n') + '\ncrlf:$7$1$HASHED(pw3)\r\n')
  })

  it('upgrade of an all-hashed file converts nothing', async () => {
    const result = await upgradeEntries(parse(`a:${ENC}\nb:${ENC}\n`), async () => {
      throw new Error('must not hash')
    })
    expect(result.converted).toBe(0)
    expect(result.skipped).toBe(2)
  })
})

// ---- property: random files + random edit ----------------------------------------------------

const USERS = ['alice', 'bob', 'carol', 'dave', 'ünï']
const eolArb = fc.constantFrom<PasswdLine['eol']>('\n', '\r\n')
const lineText = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('', ' ', '\t', ':'),
      fc.constantFrom(...USERS),
      fc.constantFrom('', ' '),
      fc.constantFrom(':', '::', ' : '),
      fc.constantFrom(ENC, 'plain', 'pa:ss', '$6$x$y', ' pw \r'),
    )
    .map((p) => Buffer.from(p.join(''), 'utf8')),
  fc
    .constantFrom('# comment', '#alice:x', '', '   ', 'garbage', 'alice:', ':bob', '\u0000:x')
    .map((t) => Buffer.from(t, 'utf8')),
  fc
    .array(
      interestingByte.filter((b) => b !== 0x0a),
      {maxLength: 30},
    )
    .map((a) => Buffer.from(a)),
)
const fileArb = fc
  .tuple(fc.array(fc.tuple(lineText, eolArb), {maxLength: 25}), fc.boolean())
  .map(([lines, finalEol]) => {
    let content = Buffer.concat(lines.map(([t, e]) => Buffer.concat([t, Buffer.from(e)])))
    if (!finalEol && content.length > 0) content = content.subarray(0, content.at(-2) === 0x0d ? -2 : -1)
    return content
  })
const editArb = fc.record({op: fc.constantFrom('upsert', 'remove'), user: fc.constantFrom(...USERS, 'newuser')})

describe('property: edits leave untouched lines identical', () => {
  it('upsert / remove on random files', () => {
    fc.assert(
      fc.property(fileArb, editArb, (content, edit) => {
        const before = parsePasswdFile(content)
        const isTarget = (l: PasswdLine) => l.kind === 'entry' && l.username === edit.user
        const targets = before.filter(isTarget).length
        // independent dominant-eol count
        const crlf = before.filter((l) => l.eol === '\r\n').length
        const lf = before.filter((l) => l.eol === '\n').length
        const dominant = crlf > lf ? '\r\n' : '\n'

        if (edit.op === 'remove') {
          const {lines, removed} = removeEntry(before, edit.user)
          expect(removed).toBe(targets)
          const expected = before.filter((l) => !isTarget(l))
          expect(lines).toHaveLength(expected.length)
          lines.forEach((l, i) => {
            expect(l.raw.equals(expected[i].raw)).toBe(true)
            expect(l.eol).toBe(expected[i].eol)
          })
          expect(
            serializePasswdFile(lines).equals(
              Buffer.concat(expected.map((l) => Buffer.concat([l.raw, Buffer.from(l.eol)]))),
            ),
          ).toBe(true)
          return
        }

        const {lines, action} = upsertEntry(before, edit.user, ENC)
        const newRaw = Buffer.from(`${edit.user}:${ENC}`, 'utf8')
        if (targets > 0) {
          expect(action).toBe('updated')
          expect(lines).toHaveLength(before.length)
          before.forEach((old, i) => {
            expect(lines[i].eol).toBe(old.eol)
            expect(lines[i].raw.equals(isTarget(old) ? newRaw : old.raw)).toBe(true)
          })
        } else {
          expect(action).toBe('added')
          expect(lines).toHaveLength(before.length + 1)
          before.forEach((old, i) => {
            expect(lines[i].raw.equals(old.raw)).toBe(true)
            const last = i === before.length - 1
            expect(lines[i].eol).toBe(last && old.eol === '' ? dominant : old.eol)
          })
          expect(lines.at(-1)!.raw.equals(newRaw)).toBe(true)
          expect(lines.at(-1)!.eol).toBe(dominant)
          const out = serializePasswdFile(lines)
          expect(out.subarray(0, content.length).equals(content)).toBe(true)
        }

        // written and read back: the user's lines (or the one new line) all hold the new hash
        const reparsed = parsePasswdFile(serializePasswdFile(lines)).filter(
          (l) => l.kind === 'entry' && l.username === edit.user,
        )
        expect(reparsed.length).toBe(Math.max(targets, 1))
        for (const l of reparsed) expect(l.secret).toBe(ENC)
      }),
      {numRuns: 1500},
    )
  })

  it('upgrade on random files changes only plain-text entries', async () => {
    await fc.assert(
      fc.asyncProperty(fileArb, async (content) => {
        const before = parsePasswdFile(content)
        const {lines, converted, skipped} = await upgradeEntries(before, async (passwords) =>
          passwords.map((p) => `$7$1$H${p.length}`),
        )
        expect(lines).toHaveLength(before.length)
        let c = 0
        let s = 0
        before.forEach((old, i) => {
          expect(lines[i].eol).toBe(old.eol)
          const plain = old.kind === 'entry' && !/^\$(6|7|argon2id)\$/.test(old.secret!)
          if (old.kind === 'entry') {
            if (plain) c++
            else s++
          }
          if (plain) {
            expect(lines[i].raw.toString('utf8')).toBe(`${old.username}:$7$1$H${Buffer.byteLength(old.secret!)}`)
          } else {
            expect(lines[i].raw.equals(old.raw)).toBe(true)
          }
        })
        expect(converted).toBe(c)
        expect(skipped).toBe(s)
      }),
      {numRuns: 500},
    )
  })
})
