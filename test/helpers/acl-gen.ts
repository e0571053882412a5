/**
 * Seeded generator of acl_file contents and access queries, covering the classes hand-written
 * corpora missed: $-topics, invalid UTF-8 and NUL bytes, tabs and runs of spaces, CRLF,
 * indented comments, one-word `topic read`, %u/%c with dangerous names, deny-first ordering,
 * user sections, empty files, and wildcard rules. The broker judges every case
 * (test/helpers/acl-differential.ts).
 */

export type Rand = () => number
export const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]
const chance = (r: Rand, p: number) => r() < p

/** Users with a password (the test clients); "d+1" and "d#2" are the dangerous ones. */
export const USERS = ['alice', 'bob', 'carol', 'd+1', 'd#2'] as const
/** Client ids handed out without repeats among the clients of one broker. */
export const IDS = ['c1', 'c2', 'alice', 'bob', 'c+x', 'c#y', 'c/1', '$c', 'x'] as const

const PLAIN = ['a', 'b', 'x', 'alice', 'bob', 'c1', 'c2', 'users', 'é', 'a b', 'broker', 'connection', 'state', 'v1']
const DOLLAR = ['$SYS', '$SYSTEM', '$share', '$shared', '$CONTROL', '$c', '$x']

/** A topic name a client can publish (or receive): the query side. */
export function queryTopic(r: Rand): string {
  const special = [
    '$SYS/broker/connection/x/state',
    '$SYS/broker/connection/c1/state',
    '$SYS/broker/x',
    '$SYS/x',
    '$SYSTEM/x',
    '$shared/x',
    '$sharedx',
    '$CONTROL/x',
    '$CONTROL/dynamic-security/v1',
    '$c/x',
    '$x',
  ]
  if (chance(r, 0.3)) return pick(r, special)
  const levels = Array.from({length: 1 + Math.floor(r() * 3)}, () => (chance(r, 0.1) ? '' : pick(r, PLAIN)))
  if (chance(r, 0.1))
    levels[0] = pick(
      r,
      DOLLAR.filter((d) => d !== '$share'),
    )
  const t = levels.join('/')
  return t === '' ? 'a' : t
}

/** A filter for a rule: wildcards, substitutions, $-levels, and now and then hostile bytes. */
function ruleTopic(r: Rand, pattern: boolean): string {
  const level = () => {
    const x = r()
    if (x < 0.15) return '+'
    if (x < 0.3 && pattern) return pick(r, ['%u', '%c', 'u%u', '%c%u'])
    if (x < 0.33) return pick(r, ['\u00ff', 'a\u00c3', '\u00e9']) // latin1 here: invalid UTF-8 once encoded
    if (x < 0.35) return 'a\tb'
    if (x < 0.37) return '%u'
    return pick(r, PLAIN)
  }

  const levels = Array.from({length: 1 + Math.floor(r() * 3)}, level)
  if (chance(r, 0.2)) levels[0] = pick(r, DOLLAR)
  if (chance(r, 0.08)) levels.splice(0, levels.length, '$SYS', 'broker', 'connection', '+', 'state')
  if (chance(r, 0.25)) levels.push('#')
  if (chance(r, 0.05)) return '#'
  return levels.join('/')
}

const SEP = [' ', ' ', ' ', '  ', ' \t', ' \t ', '\t', '   ']
const ACCESS = ['read', 'write', 'readwrite', 'deny']

/** One generated line, as latin1 text (each char one byte), without its newline. */
function ruleLine(r: Rand, broken: boolean): string {
  const kind = chance(r, 0.35) ? 'pattern' : 'topic'
  const lead = chance(r, 0.1) ? pick(r, ['  ', ' ']) : ''
  if (broken) {
    return pick(r, [
      '  # indented comment',
      '\t# tab comment',
      `${kind}\tread\ta`,
      kind,
      `${kind} readonly a`,
      `${kind} Read a`,
      `${kind} read a/#/b`,
      `${kind} read a/+b`,
      `${kind} read ${'a/'.repeat(201)}a`,
      'user',
      'user   ',
      'Topic read a',
      'bogus',
      `user\talice`,
    ])
  }

  if (chance(r, 0.08)) return `${lead}${kind} ${pick(r, ACCESS)}` // one word: the topic is "read" etc.
  const access = chance(r, 0.15) ? '' : pick(r, ACCESS)
  const topic = ruleTopic(r, kind === 'pattern')
  if (access === '') return `${lead}${kind}${pick(r, [' ', '  '])}${topic}`
  return `${lead}${kind}${pick(r, [' ', '  '])}${access}${pick(r, SEP)}${topic}`
}

export interface GeneratedAcl {
  bytes: Buffer
  /** Expected to be refused (a broken line was put in): a hint for balance, not the verdict. */
  broken: boolean
}

export function generateAcl(r: Rand): GeneratedAcl {
  const lines: string[] = []
  const broken = chance(r, 0.25)
  const n = chance(r, 0.07) ? 0 : 2 + Math.floor(r() * 9)
  for (let i = 0; i < n; i++) {
    const x = r()
    if (x < 0.15) lines.push(`user${pick(r, [' ', '  ', ' \t'])}${pick(r, [...USERS, 'al ice', 'zed'])}`)
    else if (x < 0.22) lines.push(pick(r, ['# comment', '#topic read #', '', '   ', ' \t ']))
    else lines.push(ruleLine(r, false))
  }

  if (broken) lines.splice(Math.floor(r() * (lines.length + 1)), 0, ruleLine(r, true))
  const crlf = chance(r, 0.15)
  let text = lines.map((l) => (crlf || chance(r, 0.05) ? `${l}\r\n` : `${l}\n`)).join('')
  if (chance(r, 0.1)) text = text.replace(/\n$/, '') // no final newline
  if (chance(r, 0.06) && text.length > 0) {
    const at = Math.floor(r() * text.length)
    text = text.slice(0, at) + '\u0000' + text.slice(at)
  }

  // Rules were built in latin1 where they carry raw bytes; everything else is UTF-8 text.
  const bytes = Buffer.concat(
    text
      .split(/([\u0080-\u00ff]+)/)
      .map((part, i) =>
        i % 2 === 1
          ? part === '\u00e9'
            ? Buffer.from(part, 'utf8')
            : Buffer.from(part, 'latin1')
          : Buffer.from(part, 'utf8'),
      ),
  )
  return {bytes, broken}
}
