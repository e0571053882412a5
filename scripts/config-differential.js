#!/usr/bin/env node
/**
 * config lint against the real broker on generated configs (see README, "config lint").
 *
 *   npm run build && node scripts/config-differential.js --cases 3000 --seed 1 [--concurrency 4]
 *   node scripts/config-differential.js --target 2.1 --broker /path/to/mosquitto-2.1 --cases 3000
 *
 * With --target 2.1 the given broker (a 2.1 build; none is packaged here) judges each config with
 * --test-config, which parses the config and stops before opening files or ports, so lint runs
 * with --no-file-checks there.
 * Starts mosquitto (2.0.11 here) on each seeded config and compares its verdict (starts or
 * refuses) with config lint's (errors or none). Prints the counts and every disagreement with
 * its seed and config; exits 1 when there is one. A case is replayed with the same --seed and
 * --cases 1.
 */
import {register} from 'tsx/esm/api'

const args = process.argv.slice(2)
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`)
  if (i === -1) return fallback
  const n = Number(args[i + 1])
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} needs a whole number`)
    process.exit(2)
  }

  return n
}

const cases = flag('cases', 1000)
const seed = flag('seed', 1)
const concurrency = Math.max(1, flag('concurrency', 4))
const text = (name) => {
  const i = args.indexOf(`--${name}`)
  return i === -1 ? undefined : args[i + 1]
}
const target = text('target') ?? '2.0'
if (target !== '2.0' && target !== '2.1') {
  console.error('--target is 2.0 or 2.1')
  process.exit(2)
}
register()
const {runDifferential} = await import('../test/differential/conf-oracle.ts')
const started = Date.now()
let done = 0
const onVerdict = () => {
  done++
  if (process.stderr.isTTY && done % 50 === 0) process.stderr.write(`\r${done}/${cases}`)
}
const report = await runDifferential(seed, cases, {concurrency, target, broker: text('broker'), onVerdict})
if (process.stderr.isTTY) process.stderr.write('\r')
for (const d of report.disagreements) {
  console.log(
    `--- seed ${d.seed}: broker ${d.broker}${d.brokerSays ? ` (${d.brokerSays})` : ''}; lint: ${d.lint.join('; ') || 'no errors'}`,
  )
  console.log(d.config)
  console.log(`  broker log: ${d.log.trim().split('\n').slice(-4).join('\n  broker log: ')}`)
}

console.log(
  `mosquitto ${target}: ${report.cases} cases from seed ${seed} in ${((Date.now() - started) / 1000).toFixed(0)} s: broker started ${report.started}, refused ${report.refused}, timed out (hung) ${report.timeouts}, inconclusive (port 1883 taken here) ${report.inconclusive}; disagreements ${report.disagreements.length}`,
)
process.exitCode = report.disagreements.length > 0 ? 1 : 0
