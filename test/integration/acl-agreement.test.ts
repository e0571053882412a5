import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {MqttClient} from 'mqtt'
import {afterAll, describe, expect, it} from 'vitest'

import {evaluateAcl} from '../../src/lib/acl/evaluate.js'
import {lintAclText} from '../../src/lib/acl/lint.js'
import {parseAclFile} from '../../src/lib/acl/parse.js'
import {resolveConnection} from '../../src/lib/connection/resolve.js'
import {closeSession, deadline, openSession} from '../../src/lib/connection/session.js'
import {freePort, startBroker, startRawBroker, type Broker} from '../helpers/broker.js'
import {mqctl} from '../helpers/cli.js'

const tmp = () => mkdtempSync(join(tmpdir(), 'mqctl-acl-it-'))

/** ACL files, valid and broken, each judged by the real broker. */
const CORPUS: string[] = [
  '',
  '# only a comment\n',
  'topic read a/#\n',
  'topic a/b\n',
  'topic read\n',
  'topic  read   spaced topic\n',
  'topic readwrite #\n',
  'topic deny a/#\ntopic read a/b\n',
  'user alice\ntopic readwrite alice/#\n',
  'user alice smith\ntopic read x\n',
  'pattern readwrite users/%u/#\n',
  'pattern read clients/%c/#\n',
  'pattern write a/b\n',
  'topic write $SYS/#\n',
  'topic read $SYS/broker/#\n',
  'topic read a/+/c\n',
  'topic read +/+/+\n',
  'topic read a/b/#\n',
  'user bob\n',
  'topic read a\r\ntopic write b\r\n',
  'topic read a   \n',
  '\n\n\ntopic read a\n\n',
  'topic read a/#\nuser u\npattern deny x/%u\n',
  'topic read a/%u\n',
  'pattern readwrite %c/%u/#\n',
  'topic deny #\n',
  'user alice\ntopic deny alice/secret\ntopic readwrite alice/#\n',
  'topic read a\n# comment\nuser x\n# another\ntopic write b\n',
  '    topic read indented/keyword\n',
  'topic read tab\there\n',
  // Broken: the broker refuses every one of these.
  '  # indented comment\n',
  '\t# tab comment\n',
  'topic\tread\tfoo\n',
  'topic\n',
  'pattern\n',
  'topic readonly a\n',
  'topic Read a\n',
  'topic read a/#/b\n',
  'topic read a/+b\n',
  'topic write a#\n',
  'pattern read %c/#/x\n',
  'user\n',
  'user   \n',
  'Topic read a\n',
  'topics read a\n',
  'rule read a\n',
  'topic read a\nbogus\n',
  'user alice\ntopic read a\ndeny a\n',
  'topic read ok\n  topic read also-ok\n  #bad\n',
  'pattern readwrite a/#/b\n',
  'topic deny a/#/\n',
  'topic read a/b#\n',
]

describe('acl lint agrees with the broker', () => {
  it(`on ${CORPUS.length} files`, async () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(50)
    const disagreements: string[] = []
    for (const [i, text] of CORPUS.entries()) {
      const dir = tmp()
      const aclPath = join(dir, 'acl')
      writeFileSync(aclPath, text)
      const port = await freePort()
      const conf = [
        `listener ${port} 127.0.0.1`,
        'allow_anonymous true',
        `acl_file ${aclPath}`,
        ...(process.getuid?.() === 0 ? ['user root'] : []),
      ]
      const started = await startRawBroker(conf, port)
      const refused = started.broker === undefined
      await started.broker?.stop()
      const lintErrors = lintAclText(text, aclPath).filter((f) => f.severity === 'error')
      if (refused !== lintErrors.length > 0) {
        disagreements.push(
          `#${i} ${JSON.stringify(text)}: broker ${refused ? `refused (${started.log.trim().split('\n').slice(-2).join(' | ')})` : 'started'}, lint found ${lintErrors.length} error(s)`,
        )
      }
    }

    expect(disagreements).toEqual([])
  })

  it('through the CLI: exit 1 on errors, 0 on warnings only', async () => {
    const dir = tmp()
    writeFileSync(join(dir, 'bad'), 'topic read a\n  # x\n')
    writeFileSync(join(dir, 'warn'), 'topic read\n')
    const bad = await mqctl(['acl', 'lint', join(dir, 'bad')])
    expect([bad.code, bad.stdout.trim()]).toEqual([
      1,
      `${join(dir, 'bad')}:2:3: error: Invalid line in acl_file "${join(dir, 'bad')}": #. (a comment must start in column 1) [acl/indented-comment]`,
    ])
    const warn = await mqctl(['acl', 'lint', join(dir, 'warn'), '--format', 'sarif'])
    expect(warn.code).toBe(0)
    const sarif = JSON.parse(warn.stdout)
    expect(sarif.version).toBe('2.1.0')
    expect(sarif.runs[0].results[0]).toMatchObject({ruleId: 'acl/access-word-as-topic', level: 'warning'})
  })
})

/** Seeded PRNG (mulberry32) so a failing case can be replayed with MQCTL_TEST_SEED. */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

const USERS = ['alice', 'bob', 'carol']
const IDS = ['c1', 'c2', 'alice']

function randomAcl(next: () => number): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]
  const level = () => pick(['a', 'b', 'x', 'alice', 'c1', '+', '%u', '%c'])
  const filter = () => {
    const levels = Array.from({length: 1 + Math.floor(next() * 3)}, level)
    if (next() < 0.3) levels.push('#')
    return levels.join('/')
  }

  const lines: string[] = []
  for (let i = 0; i < 3 + Math.floor(next() * 8); i++) {
    const r = next()
    if (r < 0.15) lines.push(`user ${pick(USERS)}`)
    else {
      const kind = r < 0.45 ? 'pattern' : 'topic'
      lines.push(`${kind} ${pick(['read', 'write', 'readwrite', 'deny'])} ${filter()}`)
    }
  }

  // The writer publishes every topic for the read checks; its own section decides first.
  lines.push('user zz-writer', 'topic write #')
  return lines.join('\n') + '\n'
}

function randomTopic(next: () => number): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]
  return Array.from({length: 1 + Math.floor(next() * 3)}, () => pick(['a', 'b', 'x', 'alice', 'bob', 'c1', 'c2'])).join(
    '/',
  )
}

describe('acl check agrees with the broker', () => {
  const seed = Number(process.env.MQCTL_TEST_SEED ?? Math.floor(Math.random() * 1e9))
  const brokers: Broker[] = []
  afterAll(async () => Promise.all(brokers.map((b) => b.stop())))

  it(`on 300+ random cases (seed ${seed})`, async () => {
    const next = rng(seed)
    const dir = tmp()
    const pwfile = join(dir, 'passwd')
    await mqctl(['passwd', '-c', '-b', pwfile, 'zz-writer', 'pw'])
    for (const u of USERS) await mqctl(['passwd', '-b', pwfile, u, 'pw'])
    const disagreements: string[] = []
    let cases = 0
    const started = Date.now()
    for (let fileNo = 0; cases < 300 && Date.now() - started < 120_000; fileNo++) {
      const text = randomAcl(next)
      const aclPath = join(dir, `acl-${fileNo}`)
      writeFileSync(aclPath, text)
      const acl = parseAclFile(text, aclPath)
      const broker = await startBroker({allowAnonymous: true, passwordFile: pwfile, aclFile: aclPath})
      brokers.push(broker)
      const connect = async (username: string | undefined, clientId: string): Promise<MqttClient> => {
        const flags = new Map<string, string | true>([
          ['host', '127.0.0.1'],
          ['port', String(broker.port)],
          ['id', clientId],
        ])
        if (username) flags.set('username', username).set('pw', 'pw')
        const c = await resolveConnection({flags, env: {HOME: dir}})
        return openSession(c, deadline(5000))
      }

      const writer = await connect('zz-writer', 'writer')
      for (const username of [undefined, ...USERS]) {
        const clientId = IDS[Math.floor(next() * IDS.length)]
        const client = await connect(username, clientId)
        const received = new Set<string>()
        client.on('message', (topic) => received.add(topic))
        const topics = [...new Set(Array.from({length: 10}, () => randomTopic(next)))]
        for (const topic of topics) {
          // write: what the broker answers this client's QoS 1 PUBLISH.
          const code = await client.publishAsync(topic, 'x', {qos: 1}).then(
            () => 0,
            (e: {code?: number}) => e.code ?? -1,
          )
          const want = evaluateAcl(acl, {username, clientId, topic, access: 'write'})
          if (code < 0x80 !== want.allowed)
            disagreements.push(
              `write ${username ?? '(anonymous)'}/${clientId} ${topic}: broker ${code}, mqctl ${want.reason}\n${text}`,
            )
          cases++
        }

        // read: subscribe (always granted by acl_file), the writer publishes, see what arrives.
        await client.subscribeAsync(
          topics.map((t) => t),
          {qos: 1},
        )
        for (const topic of topics) await writer.publishAsync(topic, 'y', {qos: 1})
        await new Promise((r) => setTimeout(r, 300))
        for (const topic of topics) {
          const want = evaluateAcl(acl, {username, clientId, topic, access: 'read'})
          if (received.has(topic) !== want.allowed)
            disagreements.push(
              `read ${username ?? '(anonymous)'}/${clientId} ${topic}: broker ${received.has(topic) ? 'delivered' : 'did not deliver'}, mqctl ${want.reason}\n${text}`,
            )
          cases++
        }

        await closeSession(client)
      }

      await closeSession(writer)
      await broker.stop()
    }

    expect(cases).toBeGreaterThanOrEqual(300)
    expect(disagreements.slice(0, 5), `seed ${seed}: ${disagreements.length} disagreement(s)`).toEqual([])
  })
})
