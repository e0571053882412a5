/**
 * The proof of `dynsec migrate`: seeded acl_file + password_file pairs and queries, each query
 * decided by a real broker running password_file + acl_file and by a real broker running the
 * migrated dynamic-security.json (2.0 layout: the broker here is 2.0.11). Exact migrations must
 * agree on every case; with --accept-lossy every case that differs must be one the report named
 * (a user it did not carry, or a rule it dropped that decided the case under acl_file).
 * Shared by test/integration/dynsec-migrate-agreement.test.ts and scripts/dynsec-migrate-differential.ts.
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {evaluateAcl} from '../../src/lib/acl/evaluate.js'
import {parseAclFile} from '../../src/lib/acl/parse.js'
import {migrateFiles, type MigrateFilesReport} from '../../src/lib/dynsec/migrate-files.js'
import {hashPassword} from '../../src/lib/passwd/hash.js'
import {startBroker, type BrokerOptions} from './broker.js'
import {codesOf, connect, PASSWORD, type Identity} from './dynsec-oracle.js'
import {rng} from './rng.js'

export type MigrateAccess = 'write' | 'read' | 'subscribe' | 'unsubscribe'
export interface MigrateQuery extends Identity {
  topic: string
  access: MigrateAccess
}

const WRITER = 'zz-writer'
const USERS = ['alice', 'bob', 'carol', 'x+y', 'sha6', 'plain']
const IDS = ['c1', 'c2', 'alice']

export interface GeneratedPair {
  acl: string
  /** Which users get which kind of password line. */
  queries: MigrateQuery[]
  withC: boolean
}

export function randomPair(next: () => number, allowC: boolean): GeneratedPair {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]
  const level = () => pick(['a', 'b', 'x', 'alice', 'c1', '+', '%u', '%c'])
  const filter = (kind: 'topic' | 'pattern') => {
    const levels = Array.from({length: 1 + Math.floor(next() * 3)}, () => {
      const l = level()
      return kind === 'topic' && (l === '%u' || l === '%c') ? 'a' : !allowC && l === '%c' ? '%u' : l
    })
    if (next() < 0.1) levels[0] = '$foo'
    if (next() < 0.3) levels.push('#')
    return levels.join('/')
  }

  // A small pool of filters per file, so that deny and grant lines overlap.
  const pool = {
    topic: [filter('topic'), filter('topic'), filter('topic')],
    pattern: [filter('pattern'), filter('pattern')],
  }
  const lines: string[] = []
  for (let i = 0; i < 3 + Math.floor(next() * 8); i++) {
    const r = next()
    if (r < 0.25) lines.push(`user ${pick(['alice', 'bob', 'carol', 'x+y', 'sha6', 'ghost'])}`)
    else {
      const kind = r < 0.5 ? 'pattern' : 'topic'
      const f = next() < 0.75 ? pick(pool[kind]) : filter(kind)
      lines.push(`${kind} ${pick(['read', 'write', 'readwrite', 'readwrite', 'deny'])} ${f}`)
    }
  }

  lines.push(`user ${WRITER}`, 'topic write #', 'topic write $foo/#')
  const acl = lines.join('\n') + '\n'
  const topic = () => {
    const t = Array.from({length: 1 + Math.floor(next() * 3)}, () => pick(['a', 'b', 'x', 'alice', 'bob', 'c1', 'c2']))
    if (next() < 0.1) t[0] = '$foo'
    return t.join('/')
  }

  const filters = lines
    .filter((l) => l.startsWith('topic ') || l.startsWith('pattern '))
    .map((l) => l.split(' ').at(-1)!)
    .filter((f) => f !== '#')
  const queries: MigrateQuery[] = []
  for (const username of [undefined, ...USERS]) {
    const clientId = pick(IDS)
    for (let i = 0; i < 10; i++) {
      const access = pick(['write', 'read', 'read', 'write', 'subscribe', 'unsubscribe'] as const)
      let t = access === 'subscribe' || access === 'unsubscribe' ? (next() < 0.3 ? '#' : topic()) : topic()
      // Most publish/receive topics come from a rule, so that rules (not "no match") decide often.
      if ((access === 'read' || access === 'write') && filters.length > 0 && next() < 0.7) {
        t = pick(filters)
          .split('/')
          .flatMap((l) => {
            if (l === '%u') return [username === undefined || /[+#]/.test(username) ? 'anon' : username]
            if (l === '%c') return [clientId]
            if (l === '+') return [pick(['a', 'b', 'x'])]
            if (l === '#') return Array.from({length: Math.floor(next() * 3)}, () => pick(['a', 'b']))
            return [l]
          })
          .join('/')
        if (t === '') t = 'a'
      }

      if (!queries.some((q) => q.username === username && q.access === access && q.topic === t))
        queries.push({username, clientId, topic: t, access})
    }
  }

  return {acl, queries, withC: allowC}
}

async function passwordFile(withSha6: boolean): Promise<string> {
  const lines: string[] = []
  const pw = Buffer.from(PASSWORD)
  for (const u of [WRITER, 'alice', 'bob', 'carol', 'x+y'])
    lines.push(`${u}:${await hashPassword(pw, {type: 'sha512-pbkdf2', iterations: 101, saltBytes: 12})}`)
  if (withSha6) lines.push(`sha6:${await hashPassword(pw, {type: 'sha512', iterations: 0, saltBytes: 12})}`)
  lines.push(`plain:${PASSWORD}`)
  return lines.join('\n') + '\n'
}

/** Every query decided by the broker these options start; 'allow' | 'deny'. */
async function decide(options: BrokerOptions, queries: MigrateQuery[]): Promise<Map<MigrateQuery, 'allow' | 'deny'>> {
  const out = new Map<MigrateQuery, 'allow' | 'deny'>()
  const broker = await startBroker({allowAnonymous: true, ...options})
  try {
    const writer = await connect(broker.port, {username: WRITER, clientId: 'zz-writer'})
    if (!writer) throw new Error('the writer cannot connect')
    const groups = new Map<string, MigrateQuery[]>()
    for (const q of queries) groups.set(q.username ?? '', [...(groups.get(q.username ?? '') ?? []), q])
    for (const qs of groups.values()) {
      const client = await connect(broker.port, qs[0])
      if (!client) {
        for (const q of qs) out.set(q, 'deny')
        continue
      }

      const received = new Set<string>()
      client.on('message', (topic) => received.add(topic))
      for (const q of qs.filter((x) => x.access === 'write')) {
        const code = await client.publishAsync(q.topic, 'x', {qos: 1}).then(
          () => 0,
          (e: {code?: number}) => e.code ?? 0x80,
        )
        out.set(q, code < 0x80 ? 'allow' : 'deny')
      }

      for (const q of qs.filter((x) => x.access === 'subscribe')) {
        const [c] = await codesOf((cb) => client.subscribe(q.topic, {qos: 0}, (e, _g, p) => cb(e, p as never)))
        out.set(q, c !== undefined && c < 0x80 ? 'allow' : 'deny')
      }

      for (const q of qs.filter((x) => x.access === 'unsubscribe')) {
        const [c] = await codesOf((cb) => client.unsubscribe(q.topic, {}, (e, p) => cb(e, p as never)))
        out.set(q, c !== undefined && c < 0x80 ? 'allow' : 'deny')
      }

      const reads = qs.filter((x) => x.access === 'read')
      if (reads.length > 0) {
        await codesOf((cb) =>
          client.subscribe(
            reads.map((q) => q.topic),
            {qos: 0},
            (e, _g, p) => cb(e, p as never),
          ),
        )
        for (const q of reads) await writer.publishAsync(q.topic, 'y', {qos: 1})
        await client.unsubscribeAsync('zz/sentinel')
        for (const q of reads) out.set(q, received.has(q.topic) ? 'allow' : 'deny')
      }

      await client.endAsync()
    }

    await writer.endAsync()
  } finally {
    await broker.stop()
  }

  return out
}

export interface MigrateCaseResult {
  files: number
  exactFiles: number
  lossyFiles: number
  cases: number
  /** Disagreements in files migrated without --accept-lossy. */
  disagreements: string[]
  /** With --accept-lossy: cases that differ without the report naming them. */
  unexplained: string[]
  /** With --accept-lossy: cases that differ and that the report named. */
  explained: number
  /** `access verdict` under acl_file: proof that the corpus is not one-sided. */
  coverage: Record<string, number>
}

export async function runMigrateAgreement(
  seed: number,
  cases: number,
  log?: (line: string) => void,
): Promise<MigrateCaseResult> {
  const next = rng(seed)
  const dir = mkdtempSync(join(tmpdir(), 'mqctl-migrate-oracle-'))
  const result: MigrateCaseResult = {
    files: 0,
    exactFiles: 0,
    lossyFiles: 0,
    cases: 0,
    disagreements: [],
    unexplained: [],
    explained: 0,
    coverage: {},
  }
  try {
    // Two password files: one that migrates exactly, one with a $6$ user the plugin cannot check.
    const passwdFiles = [join(dir, 'passwd'), join(dir, 'passwd-sha6')]
    writeFileSync(passwdFiles[0], await passwordFile(false))
    writeFileSync(passwdFiles[1], await passwordFile(true))
    for (let n = 0; result.cases < cases; n++) {
      const pair = randomPair(next, next() < 0.3)
      const passwdPath = passwdFiles[next() < 0.25 ? 1 : 0]
      const aclPath = join(dir, `acl-${n}`)
      writeFileSync(aclPath, pair.acl)
      const out = join(dir, `dynsec-${n}.json`)
      const report: MigrateFilesReport = await migrateFiles({
        passwd: passwdPath,
        acl: aclPath,
        output: out,
        target: '2.0',
        acceptLossy: true,
      })
      const before = await decide({passwordFile: passwdPath, aclFile: aclPath}, pair.queries)
      const after = await decide({dynsec: {configFile: out}}, pair.queries)
      result.files++
      const lossyUsers = new Set(
        report.items.filter((i) => i.severity === 'lossy' && i.username).map((i) => i.username),
      )
      const lossyLines = new Set(report.items.filter((i) => i.severity === 'lossy' && i.aclLine).map((i) => i.aclLine))
      const exactFile = report.lossy === 0
      if (exactFile) result.exactFiles++
      else result.lossyFiles++
      const parsed = parseAclFile(pair.acl, aclPath)
      for (const q of pair.queries) {
        const b = before.get(q)
        const a = after.get(q)
        result.cases++
        result.coverage[`${q.access} ${b}`] = (result.coverage[`${q.access} ${b}`] ?? 0) + 1
        if (a === b) continue
        const where = `file #${n} ${q.access} ${q.username ?? '(anonymous)'}/${q.clientId} ${q.topic}: acl_file ${b}, migrated ${a}`
        if (q.username !== undefined && lossyUsers.has(q.username)) {
          result.explained++
          continue
        }

        const decidedBy =
          q.access === 'read' || q.access === 'write'
            ? evaluateAcl(parsed, {username: q.username, clientId: q.clientId, topic: q.topic, access: q.access}).rule
                ?.line
            : undefined
        if (exactFile) result.disagreements.push(`${where}\n${pair.acl}`)
        else if (decidedBy !== undefined && lossyLines.has(decidedBy)) result.explained++
        else result.unexplained.push(`${where} (decided by line ${decidedBy})\n${pair.acl}`)
      }

      log?.(`file #${n}: ${result.cases} cases`)
    }
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }

  return result
}
