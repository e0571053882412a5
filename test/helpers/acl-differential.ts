/**
 * The broker as the oracle for acl_file: each generated file is given to a real mosquitto 2.0.11
 * (lint: does it load?), and each query is decided by it (write: the MQTT 5 PUBACK reason code of
 * a QoS 1 PUBLISH; read: delivery to a subscriber), then compared with evaluateAcl and
 * lintParsedAcl, the code behind `acl check`, `acl who` and `acl lint`.
 *
 * Set-up per file: listener 1 carries the generated acl_file and a password file; listener 2 has
 * no ACL (per_listener_settings). A bridge from the broker to its own listener 2 maps `w/T` to
 * `T`: bridges bypass ACL checks, so any topic ($SYSTEM/x, $shared/x, $CONTROL/x, $SYS/…) can be
 * offered for delivery to the clients of listener 1, and a sync client on listener 2 tells when
 * a batch has been delivered.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import mqtt, {type MqttClient} from 'mqtt'

import {evaluateAcl} from '../../src/lib/acl/evaluate.js'
import {lintParsedAcl} from '../../src/lib/acl/lint.js'
import {parseAclFile, type ParsedAcl} from '../../src/lib/acl/parse.js'
import {whoAcl} from '../../src/lib/acl/query.js'
import {freePorts, startRawBroker} from './broker.js'
import {IDS, USERS, generateAcl, pick, queryTopic, type Rand} from './acl-gen.js'
import {rng} from './rng.js'

export interface DifferentialOptions {
  seed: number
  /** Stop after this many cases (lint + write + read + who). */
  cases: number
  /** Stop starting new files after this long. */
  budgetMs?: number
  /** Also check `acl who` against the broker on every n-th loaded file (0: never). */
  whoEvery?: number
  /** Also run the built `mqctl acl check` for the first write case of every n-th file (0: never). */
  cliEvery?: number
  progress?: (line: string) => void
}

export interface DifferentialResult {
  seed: number
  files: number
  counts: {lint: number; write: number; read: number; who: number; cli: number; refusedFiles: number}
  cases: number
  disagreements: string[]
}

const PASSWORD = 'pw'
/** Every message any test client received: the sync waits until this stops moving. */
let deliveries = 0
const show = (b: Buffer) => JSON.stringify(b.toString('latin1'))

interface Client {
  username?: string
  clientId: string
  mqtt: MqttClient
  received: Set<string>
}

async function connect(port: number, username: string | undefined, clientId: string): Promise<Client> {
  const c = await mqtt.connectAsync({
    host: '127.0.0.1',
    port,
    protocolVersion: 5,
    clientId,
    username,
    password: username === undefined ? undefined : PASSWORD,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    clean: true,
  })
  const client: Client = {username, clientId, mqtt: c, received: new Set()}
  c.on('message', (topic) => {
    client.received.add(topic)
    deliveries++
  })
  return client
}

/** A settled promise within ms, or an error naming what hung (a client the broker dropped never settles). */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const t = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`no answer in ${ms} ms: ${what}`)), ms)
  })
  return Promise.race([p, t]).finally(() => clearTimeout(timer))
}

/**
 * Offers topic t for delivery to listener 1: through the loop bridge (no ACL on the way), except
 * $CONTROL/…: a bridged $CONTROL message crashes 2.0.11 with per_listener_settings (the bridge has
 * no listener), so the writer on listener 2 publishes those itself (no ACL there either).
 */
const offer = (writer: Client, t: string) =>
  within(writer.mqtt.publishAsync(t.startsWith('$CONTROL/') ? t : `w/${t}`, 'y', {qos: 1}), 5000, `PUBLISH w/${t}`)

/** 0 on success, the reason code (>= 0x80) on refusal. */
const publishCode = (c: MqttClient, topic: string) =>
  within(
    c.publishAsync(topic, 'x', {qos: 1}).then(
      () => 0,
      (e: {code?: number}) => e.code ?? -1,
    ),
    5000,
    `PUBLISH ${JSON.stringify(topic)}`,
  )

const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url))

/** The built command itself: exit 0 = allow, 1 = deny (anything else is reported as such). */
function aclCheckCli(file: string, c: Client, topic: string): boolean | string {
  const who = c.username === undefined ? ['--anonymous'] : ['--user', c.username]
  const args = [BIN, 'acl', 'check', file, ...who, '--client-id', c.clientId, '--topic', topic, '--access', 'write']
  const r = spawnSync(process.execPath, [...args, '--json'], {encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}})
  if (r.status === 0 || r.status === 1) {
    const verdict = (JSON.parse(r.stdout) as {verdict: string}).verdict
    if (verdict === (r.status === 0 ? 'allow' : 'deny')) return r.status === 0
  }

  return `exit ${r.status}: ${r.stdout}${r.stderr}`.trim()
}

export function makePasswdFile(dir: string): string {
  const file = join(dir, 'passwd')
  for (const [i, u] of USERS.entries())
    execFileSync('mosquitto_passwd', [...(i === 0 ? ['-c'] : []), '-b', file, u, PASSWORD], {stdio: 'ignore'})
  return file
}

export async function runAclDifferential(o: DifferentialOptions): Promise<DifferentialResult> {
  const r = rng(o.seed)
  const dir = mkdtempSync(join(tmpdir(), 'mqctl-acl-diff-'))
  const passwd = makePasswdFile(dir)
  const result: DifferentialResult = {
    seed: o.seed,
    files: 0,
    counts: {lint: 0, write: 0, read: 0, who: 0, cli: 0, refusedFiles: 0},
    cases: 0,
    disagreements: [],
  }
  const started = Date.now()
  try {
    while (result.cases < o.cases && Date.now() - started < (o.budgetMs ?? Infinity)) {
      const fileNo = result.files++
      await oneFile(r, dir, passwd, fileNo, result, o)
      result.cases = result.counts.lint + result.counts.write + result.counts.read + result.counts.who
      o.progress?.(`file ${fileNo}: ${result.cases} cases, ${result.disagreements.length} disagreement(s)`)
    }
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }

  return result
}

async function oneFile(
  r: Rand,
  dir: string,
  passwd: string,
  fileNo: number,
  res: DifferentialResult,
  o: DifferentialOptions,
) {
  const {bytes} = generateAcl(r)
  const aclPath = join(dir, `acl-${fileNo}`)
  writeFileSync(aclPath, bytes)
  const acl = parseAclFile(bytes, aclPath)
  let [p1, p2] = await freePorts(2)
  const conf = [
    'per_listener_settings true',
    ...(process.getuid?.() === 0 ? ['user root'] : []),
    `listener ${p1} 127.0.0.1`,
    'allow_anonymous true',
    `password_file ${passwd}`,
    `acl_file ${aclPath}`,
    // QoS 1 deliveries beyond the in-flight window would wait for PUBACKs and arrive after the sync.
    'max_inflight_messages 0',
    `listener ${p2} 127.0.0.1`,
    'allow_anonymous true',
    'connection loop',
    `address 127.0.0.1:${p2}`,
    'remote_clientid zz-bridge',
    'topic # in 1 "" w/',
  ]
  let started = await startRawBroker(conf, {port: p1})
  for (let retry = 0; retry < 3 && !started.broker && started.log.includes('Address already in use'); retry++) {
    // Another process took a port between freePorts and the start: not a verdict, try new ports.
    const [q1, q2] = await freePorts(2)
    for (const [i, l] of conf.entries())
      conf[i] = l.replace(`${p1}`, `${q1}`).replace(`:${p2}`, `:${q2}`).replace(`listener ${p2}`, `listener ${q2}`)
    ;[p1, p2] = [q1, q2]
    started = await startRawBroker(conf, {port: p1})
  }

  const lintErrors = lintParsedAcl(acl).filter((f) => f.severity === 'error')
  res.counts.lint++
  if ((started.broker === undefined) !== lintErrors.length > 0) {
    res.disagreements.push(
      `lint ${show(bytes)}: broker ${started.broker ? 'loaded it' : `refused it (${started.log.trim().split('\n').slice(-2).join(' | ')})`}, lint found ${lintErrors.length} error(s)`,
    )
  }

  if (!started.broker) {
    res.counts.refusedFiles++
    return
  }

  const broker = started.broker
  const clients: Client[] = []
  try {
    const sync = await connect(p2, undefined, 'zz-sync')
    const writer = await connect(p2, undefined, 'zz-writer')
    clients.push(sync, writer)
    await sync.mqtt.subscribeAsync('zz-sync/#', {qos: 1})
    let syncNo = 0
    const flush = async () => {
      const mark = `zz-sync/${syncNo++}`
      for (let tries = 0; tries < 100 && !sync.received.has(mark); tries++) {
        await within(writer.mqtt.publishAsync(`w/${mark}`, '', {qos: 1}), 5000, `PUBLISH w/${mark}`)
        for (let i = 0; i < 10 && !sync.received.has(mark); i++) await new Promise((ok) => setTimeout(ok, 10))
      }

      if (!sync.received.has(mark)) throw new Error('the loop bridge never delivered the sync message')
      // The broker writes each client's socket in its next loop turn, and a loaded machine delays
      // the reads: wait until deliveries have been quiet for 60 ms.
      for (let last = -1; last !== deliveries;) {
        last = deliveries
        await new Promise((ok) => setTimeout(ok, 60))
      }
    }

    await flush() // the bridge is up

    const ids = [...IDS].sort(() => r() - 0.5)
    const who = [undefined, ...USERS.filter(() => r() < 0.7)]
    const testers: Client[] = []
    for (const [i, username] of who.entries()) testers.push(await connect(p1, username, ids[i % ids.length]))
    clients.push(...testers)

    const describe = (c: Client) => `${c.username ?? '(anonymous)'}/${c.clientId}`
    let cliDone = false
    // write: the PUBACK reason code of each client's own publishes
    for (const c of testers) {
      for (const topic of new Set(Array.from({length: 6}, () => queryTopic(r)))) {
        const code = await publishCode(c.mqtt, topic)
        const want = evaluateAcl(acl, {username: c.username, clientId: c.clientId, topic, access: 'write'})
        res.counts.write++
        if (o.cliEvery && res.files % o.cliEvery === 1 && !cliDone) {
          // The command itself once per such file: flags, file reading, exit status and --json.
          cliDone = true
          res.counts.cli++
          const cli = aclCheckCli(aclPath, c, topic)
          if (cli !== code < 0x80)
            res.disagreements.push(
              `mqctl acl check ${describe(c)} ${JSON.stringify(topic)}: broker ${code}, CLI ${cli}`,
            )
        }

        if (code < 0x80 !== want.allowed)
          res.disagreements.push(
            `write ${describe(c)} ${JSON.stringify(topic)}: broker ${code}, mqctl ${want.reason}\n  ${show(bytes)}`,
          )
      }
    }

    // read: every client subscribes to its topics (and now and then to wildcards), the bridge offers them
    const reads = new Map<Client, string[]>()
    for (const c of testers) {
      const topics = [...new Set(Array.from({length: 6}, () => queryTopic(r)))]
      reads.set(c, topics)
      const filters = [...topics, ...(r() < 0.3 ? ['#', '$SYS/#', '+/+'] : [])]
      await within(c.mqtt.subscribeAsync(filters, {qos: 1}), 5000, `SUBSCRIBE ${JSON.stringify(filters)}`)
    }

    for (const t of new Set([...reads.values()].flat())) await offer(writer, t)
    await flush()
    for (const [c, topics] of reads) {
      for (const topic of topics) {
        const want = evaluateAcl(acl, {username: c.username, clientId: c.clientId, topic, access: 'read'})
        res.counts.read++
        if (c.received.has(topic) !== want.allowed)
          res.disagreements.push(
            `read ${describe(c)} ${JSON.stringify(topic)}: broker ${c.received.has(topic) ? 'delivered' : 'did not deliver'}, mqctl ${want.reason}\n  ${show(bytes)}`,
          )
      }
    }

    if (o.whoEvery && res.files % o.whoEvery === 0) await whoCases(r, acl, bytes, p1, writer, flush, res)
  } catch (error) {
    res.disagreements.push(
      `harness: ${(error as Error).message}\n  ${show(bytes)}\n${broker.readLog().split('\n').slice(-15).join('\n')}`,
    )
  } finally {
    await Promise.all(clients.map((c) => c.mqtt.endAsync(true).catch(() => {})))
    await broker.stop()
  }
}

/** acl who: the broker decides each candidate's access to one topic, one candidate at a time (same client id). */
async function whoCases(
  r: Rand,
  acl: ParsedAcl,
  bytes: Buffer,
  port: number,
  writer: Client,
  flush: () => Promise<void>,
  res: DifferentialResult,
) {
  const clientId = pick(r, ['who', 'c1', 'alice'])
  for (const access of ['write', 'read'] as const) {
    const topic = queryTopic(r)
    const brokerAllowed: string[] = []
    for (const username of [undefined, ...USERS]) {
      const c = await connect(port, username, clientId)
      let ok: boolean
      if (access === 'write') ok = (await publishCode(c.mqtt, topic)) < 0x80
      else {
        await c.mqtt.subscribeAsync(topic, {qos: 1})
        await offer(writer, topic)
        await flush()
        ok = c.received.has(topic)
      }

      await c.mqtt.endAsync(true)
      if (ok) brokerAllowed.push(username ?? '(anonymous)')
    }

    const mine = whoAcl(acl, {topic, access, clientId}, USERS).allowed.map((e) => e.username ?? '(anonymous)')
    // "al ice"/"zed" sections have no password: no client of the broker can be them, so they are left out.
    const mineKnown = mine.filter((u) => u === '(anonymous)' || (USERS as readonly string[]).includes(u))
    res.counts.who++
    mineKnown.sort()
    brokerAllowed.sort()
    if (mineKnown.join(',') !== brokerAllowed.join(','))
      res.disagreements.push(
        `who ${access} ${JSON.stringify(topic)} id ${clientId}: broker [${brokerAllowed.join(', ')}], mqctl [${mineKnown.join(', ')}]\n  ${show(bytes)}`,
      )
  }
}

/**
 * The broker's write verdicts for a few queries on one ACL file (targeted tests): true where the
 * QoS 1 PUBLISH was acknowledged with a success code. undefined when the broker refused the file.
 */
export async function brokerWrites(
  bytes: Buffer,
  queries: Array<{username?: string; clientId: string; topic: string}>,
): Promise<boolean[] | undefined> {
  const dir = mkdtempSync(join(tmpdir(), 'mqctl-acl-writes-'))
  try {
    const passwd = makePasswdFile(dir)
    writeFileSync(join(dir, 'acl'), bytes)
    const [port] = await freePorts(1)
    const started = await startRawBroker(
      [
        ...(process.getuid?.() === 0 ? ['user root'] : []),
        `listener ${port} 127.0.0.1`,
        'allow_anonymous true',
        `password_file ${passwd}`,
        `acl_file ${join(dir, 'acl')}`,
      ],
      {port},
    )
    if (!started.broker) return undefined
    try {
      const out: boolean[] = []
      for (const q of queries) {
        const c = await connect(port, q.username, q.clientId)
        out.push((await publishCode(c.mqtt, q.topic)) < 0x80)
        await c.mqtt.endAsync(true)
      }

      return out
    } finally {
      await started.broker.stop()
    }
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}
