/**
 * The broker as the judge of config lint: each generated config is started with the real
 * mosquitto 2.0.11 (its own temp dir, free ports on 127.0.0.1, killed by PID) and linted with
 * `lintConf`; a disagreement is a config the broker refuses and lint passes, or the reverse.
 * Used by test/integration/config-differential.test.ts and scripts/config-differential.js.
 */
import {chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'

import {lintConf} from '../../src/lib/conf/lint.js'
import {freePorts, startRawBroker} from '../helpers/broker.js'
import {mqctl} from '../helpers/cli.js'
import {findMosquittoTools} from '../helpers/mosquitto-install.js'
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
  broker: 'started' | 'refused' | 'timeout'
  brokerSays: string
  lint: string[]
}

const lastLines = (log: string) =>
  log
    .trim()
    .split('\n')
    .filter((l) => /error|unable|invalid/i.test(l))
    .slice(-2)
    .join(' | ')

/** Starts the broker on one case and lints it; retried with new ports when a port was taken. */
export async function judge(c: GeneratedCase, timeoutMs = 5000): Promise<Verdict> {
  for (let attempt = 0; ; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), 'mqctl-confcase-'))
    try {
      const indices = [...new Set([...c.lines.join('\n').matchAll(/@P(\d+)/g)].map((m) => Number(m[1])))]
      const ports = await freePorts(Math.max(...indices, 0) + 1)
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
      const findings = await lintConf(join(dir, 'mosquitto.conf'), {target: '2.0'})
      const broker = started.broker ? 'started' : started.exitCode === null ? 'timeout' : 'refused'
      return {
        seed: c.seed,
        config: body.join('\n'),
        broker,
        brokerSays: started.broker ? '' : lastLines(started.log),
        lint: findings.filter((x) => x.severity === 'error').map((x) => `${x.line}: ${x.message} [${x.rule}]`),
      }
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  }
}

export interface DifferentialReport {
  cases: number
  started: number
  refused: number
  timeouts: number
  disagreements: Verdict[]
}

export const disagrees = (v: Verdict): boolean =>
  v.broker === 'timeout' || (v.broker === 'refused') !== v.lint.length > 0

/** Runs `count` seeded cases, `concurrency` brokers at a time. */
export async function runDifferential(
  firstSeed: number,
  count: number,
  concurrency = 4,
  onVerdict?: (v: Verdict) => void,
): Promise<DifferentialReport> {
  const f = await makeFixtures()
  const report: DifferentialReport = {cases: 0, started: 0, refused: 0, timeouts: 0, disagreements: []}
  let next = 0
  const worker = async () => {
    while (next < count) {
      const seed = firstSeed + next++
      const v = await judge(generateCase(seed, f))
      report.cases++
      if (v.broker === 'started') report.started++
      else if (v.broker === 'refused') report.refused++
      else report.timeouts++
      if (disagrees(v)) report.disagreements.push(v)
      onVerdict?.(v)
    }
  }

  try {
    await Promise.all(Array.from({length: concurrency}, worker))
  } finally {
    rmSync(f.dir, {recursive: true, force: true})
  }

  report.disagreements.sort((a, b) => a.seed - b.seed)
  return report
}
