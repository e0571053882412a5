/**
 * The broker as the judge of config lint: each generated config is started with the real
 * mosquitto 2.0.11 (its own temp dir, free ports on 127.0.0.1, killed by PID) and linted with
 * `lintConf`; a disagreement is a config the broker refuses and lint passes, or the reverse.
 * Used by test/integration/config-differential.test.ts and scripts/config-differential.js.
 */
import {spawn} from 'node:child_process'
import {chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'

import {checkEntries} from '../../src/lib/conf/check.js'
import {lintConf} from '../../src/lib/conf/lint.js'
import {loadConf} from '../../src/lib/conf/load.js'
import {freePorts, startRawBroker} from '../helpers/broker.js'
import {mqctl} from '../helpers/cli.js'
import {findMosquittoTools} from '../helpers/mosquitto-install.js'
import type {Version} from '../../src/lib/conf/options.js'
import {generateCase, type Fixtures, type GeneratedCase} from './conf-generator.js'

export async function makeFixtures(): Promise<Fixtures> {
  const dir = mkdtempSync(join(tmpdir(), 'mqctl-confdiff-'))
  chmodSync(dir, 0o755)
  const p = (n: string) => join(dir, n)
  const run = async (args: string[]) => {
    const r = await mqctl(args)
    if (r.code !== 0) throw new Error(`mqctl ${args.join(' ')}: ${r.stderr}`)
  }

  await run(['passwd', '-c', '-b', p('passwd'), 'alice', 'pw'])
  await run(['dynsec', 'init', p('dynsec.json'), 'admin', 'pw'])
  await run(['cert', 'ca', '--out', dir])
  await run(['cert', 'server', '--ca', dir, '--host', 'localhost', '--ip', '127.0.0.1', '--out', dir])
  await run(['cert', 'client', '--ca', dir, '--cn', 'x', '--out', p('other')])
  writeFileSync(p('other.key'), readFileSync(p('other/client.key')))
  writeFileSync(p('acl'), 'user alice\ntopic readwrite alice/#\n')
  writeFileSync(p('acl-bad'), 'topic read a/#/b\n')
  writeFileSync(p('psk'), 'id1:0123456789abcdef\n')
  writeFileSync(p('psk-bad'), 'id1:not-hex\n')
  writeFileSync(p('not-pem.crt'), 'not a certificate\n')
  writeFileSync(p('not-a-library.so'), 'hello')
  mkdirSync(p('empty-dir'))
  mkdirSync(p('conf.d-good'))
  writeFileSync(p('conf.d-good/a.conf'), 'allow_anonymous true\nmax_keepalive 60\n')
  mkdirSync(p('conf.d-bad'))
  writeFileSync(p('conf.d-bad/a.conf'), 'max_keepalive 5\n')
  return {
    dir,
    passwd: p('passwd'),
    acl: p('acl'),
    aclBad: p('acl-bad'),
    psk: p('psk'),
    pskBad: p('psk-bad'),
    ca: p('ca.crt'),
    cert: p('server.crt'),
    key: p('server.key'),
    otherKey: p('other.key'),
    notPem: p('not-pem.crt'),
    plugin: findMosquittoTools().dynsecPlugin,
    notLibrary: p('not-a-library.so'),
    dynsecJson: p('dynsec.json'),
    confGood: p('conf.d-good'),
    confBad: p('conf.d-bad'),
    emptyDir: p('empty-dir'),
  }
}

export interface Verdict {
  seed: number
  config: string
  /** timeout: neither listening nor gone after the time limit (2.0.11 hangs on some inputs). */
  broker: 'started' | 'refused' | 'timeout' | 'inconclusive'
  brokerSays: string
  log: string
  lint: string[]
}

const lastLines = (log: string) =>
  log
    .trim()
    .split('\n')
    .filter((l) => /error|unable|invalid/i.test(l))
    .slice(-2)
    .join(' | ')

/**
 * Ports held by running cases: no two cases at once get the same port, so a broker that hangs
 * before listening is never mistaken for another case's broker. Released when the case ends.
 */
const reserved = new Set<number>()
async function reservePorts(count: number): Promise<number[]> {
  const out: number[] = []
  while (out.length < count) {
    for (const p of await freePorts(count - out.length)) {
      if (!reserved.has(p) && !out.includes(p)) out.push(p)
    }
  }

  for (const p of out) reserved.add(p)
  return out
}

/** lint's errors; a file lint refuses to read (exit 5, e.g. a directory as dhparamfile) counts as one. */
async function lintErrors(conf: string, target: Version, keep: (rule: string) => boolean = () => true) {
  try {
    const findings = await lintConf(conf, {target})
    return findings
      .filter((x) => x.severity === 'error' && keep(x.rule))
      .map((x) => `${x.line}: ${x.message} [${x.rule}]`)
  } catch (error) {
    if ((error as {exit?: number}).exit !== 5) throw error
    return [`exit 5: ${(error as Error).message}`]
  }
}

function bindsDefaultPort(conf: string): boolean {
  const {entries} = loadConf(conf, [], {target: '2.0'})
  return checkEntries(entries, '2.0', []).listeners.some((l) => l.port === 1883)
}

/** Starts the broker on one case and lints it; retried with new ports when a port was taken. */
export async function judge(c: GeneratedCase, timeoutMs = 5000): Promise<Verdict> {
  for (let attempt = 0; ; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), 'mqctl-confcase-'))
    let ports: number[] = []
    try {
      const indices = [...new Set([...c.lines.join('\n').matchAll(/@P(\d+)/g)].map((m) => Number(m[1])))]
      ports = await reservePorts(Math.max(...indices, 0) + 1)
      const fill = (s: string) => s.replaceAll(/@P(\d+)/g, (_, n) => String(ports[Number(n)])).replaceAll('@CASE', dir)
      const body = c.lines.map(fill)
      const lines = process.getuid?.() === 0 ? ['user root', ...body] : body
      for (const [name, text] of Object.entries(c.files)) {
        mkdirSync(dirname(join(dir, name)), {recursive: true})
        writeFileSync(join(dir, name), fill(text))
      }

      const started = await startRawBroker(lines, {port: ports[0], dir, timeoutMs})
      await started.broker?.stop()
      if (!started.broker && /address already in use/i.test(started.log) && attempt < 3) continue
      const conf = join(dir, 'mosquitto.conf')
      const lint = await lintErrors(conf, '2.0')
      let broker: Verdict['broker'] = started.broker ? 'started' : started.exitCode === null ? 'timeout' : 'refused'
      // A default listener on 1883 (2.0 makes it real for listener options outside a listener
      // block) meets whatever else listens on 1883 here: the machine decides, not the config.
      if (broker === 'refused' && lint.length === 0 && bindsDefaultPort(conf)) broker = 'inconclusive'
      const included = Object.entries(c.files).map(([name, text]) => `# ${name}:\n${fill(text).trimEnd()}`)
      return {
        seed: c.seed,
        config: [...body, ...included].join('\n'),
        log: started.log,
        broker,
        brokerSays: started.broker ? '' : lastLines(started.log),
        lint,
      }
    } finally {
      rmSync(dir, {recursive: true, force: true})
      for (const p of ports) reserved.delete(p)
    }
  }
}

/** Findings about what the broker does after it has read the config, which --test-config skips. */
const AFTER_READING = new Set([
  'conf/listener',
  'conf/duplicate-port',
  'conf/missing-file',
  'conf/not-pem',
  'conf/key-mismatch',
  'conf/not-a-library',
  'conf/acl-error',
  'conf/password-file-directory',
  'conf/broker-user',
  'conf/psk-file',
  'conf/tls',
])

/** `mosquitto -c FILE --test-config` (2.1): exit 0 when the config parses, without starting. */
function testConfig(broker: string, conf: string, timeoutMs: number): Promise<{code: number | null; log: string}> {
  return new Promise((done) => {
    const child = spawn(broker, ['-c', conf, '--test-config'], {stdio: ['ignore', 'pipe', 'pipe']})
    let log = ''
    child.stdout.on('data', (d: Buffer) => (log += d))
    child.stderr.on('data', (d: Buffer) => (log += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.once('error', (e) => done({code: null, log: String(e)}))
    child.once('close', (code) => {
      clearTimeout(timer)
      done({code, log})
    })
  })
}

/**
 * The 2.1 side, where only a hand-built 2.1.2 broker is available: its --test-config reads the
 * config as the broker does and stops before it opens files or ports, so lint is compared
 * without file checks.
 */
export async function judgeParse(c: GeneratedCase, broker: string, timeoutMs = 5000): Promise<Verdict> {
  const dir = mkdtempSync(join(tmpdir(), 'mqctl-confcase-'))
  try {
    const fill = (s: string) => s.replaceAll(/@P(\d+)/g, (_, n) => String(20_000 + Number(n))).replaceAll('@CASE', dir)
    const body = c.lines.map(fill)
    for (const [name, text] of Object.entries(c.files)) {
      mkdirSync(dirname(join(dir, name)), {recursive: true})
      writeFileSync(join(dir, name), fill(text))
    }

    const conf = join(dir, 'mosquitto.conf')
    writeFileSync(conf, body.join('\n') + '\n')
    const r = await testConfig(broker, conf, timeoutMs)
    const lint = await lintErrors(conf, '2.1', (rule) => !AFTER_READING.has(rule))
    const included = Object.entries(c.files).map(([name, text]) => `# ${name}:\n${fill(text).trimEnd()}`)
    return {
      seed: c.seed,
      config: [...body, ...included].join('\n'),
      log: r.log,
      broker: r.code === 0 ? 'started' : r.code === null ? 'timeout' : 'refused',
      brokerSays: r.code === 0 ? '' : lastLines(r.log),
      lint,
    }
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

export interface DifferentialOptions {
  concurrency?: number
  /** 2.1: judge with `broker --test-config` (a 2.1 build) instead of starting 2.0.11. */
  target?: Version
  broker?: string
  onVerdict?: (v: Verdict) => void
}

export interface DifferentialReport {
  cases: number
  started: number
  refused: number
  timeouts: number
  /** Refused only because something else on this machine holds port 1883. */
  inconclusive: number
  disagreements: Verdict[]
}

/** A broker that hangs instead of serving counts as refusing. */
export const disagrees = (v: Verdict): boolean =>
  v.broker !== 'inconclusive' && (v.broker !== 'started') !== v.lint.length > 0

/** Runs `count` seeded cases, `concurrency` brokers at a time. */
export async function runDifferential(
  firstSeed: number,
  count: number,
  options: DifferentialOptions = {},
): Promise<DifferentialReport> {
  const {concurrency = 4, target = '2.0', broker, onVerdict} = options
  if (target === '2.1' && !broker) throw new Error('the 2.1 side needs a 2.1 broker binary (--broker PATH)')
  const f = await makeFixtures()
  // Relative paths in generated configs (persistence_file value, …) land in a scratch dir,
  // for the broker (which writes there on exit) and for lint alike.
  const home = process.cwd()
  const scratch = mkdtempSync(join(tmpdir(), 'mqctl-confdiff-cwd-'))
  process.chdir(scratch)
  const report: DifferentialReport = {cases: 0, started: 0, refused: 0, timeouts: 0, inconclusive: 0, disagreements: []}
  let next = 0
  const worker = async () => {
    while (next < count) {
      const seed = firstSeed + next++
      const c = generateCase(seed, f, target)
      const v = target === '2.1' ? await judgeParse(c, broker!) : await judge(c)
      report.cases++
      if (v.broker === 'started') report.started++
      else if (v.broker === 'refused') report.refused++
      else if (v.broker === 'inconclusive') report.inconclusive++
      else report.timeouts++
      if (disagrees(v)) report.disagreements.push(v)
      onVerdict?.(v)
    }
  }

  try {
    await Promise.all(Array.from({length: concurrency}, worker))
  } finally {
    process.chdir(home)
    rmSync(scratch, {recursive: true, force: true})
    rmSync(f.dir, {recursive: true, force: true})
  }

  report.disagreements.sort((a, b) => a.seed - b.seed)
  return report
}
