/**
 * The whole agreement corpus for `dynsec check`: seeded random dynamic-security states, each
 * query observed on a real mosquitto 2.0 broker and compared with mqctl's evaluator.
 *
 *   npx tsx scripts/dynsec-check-differential.ts [--cases 1000] [--seed S] [--quiet]
 *
 * Prints the counts and every disagreement (with the state that produced it); exits 1 when
 * there is any. Needs mosquitto and its dynamic-security plugin (as for npm test).
 */
import {runAgreement} from '../test/helpers/dynsec-oracle.js'

const args = process.argv.slice(2)
const value = (name: string, fallback: number) => {
  const i = args.indexOf(name)
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : fallback
}

const cases = value('--cases', 1000)
const seed = value('--seed', Math.floor(Math.random() * 1e9))
const quiet = args.includes('--quiet')
const started = Date.now()
const result = await runAgreement(seed, cases, {log: quiet ? undefined : (line) => process.stderr.write(`${line}\n`)})
for (const [k, n] of Object.entries(result.coverage).sort()) process.stdout.write(`  ${k}: ${n}\n`)
for (const d of result.disagreements) process.stdout.write(`DISAGREE ${d}\n\n`)
process.stdout.write(
  `seed ${seed}: ${result.cases} cases observed on the broker, ${result.disagreements.length} disagreement(s), ${result.unobservable} unobservable, ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
)
process.exit(result.disagreements.length > 0 ? 1 : 0)
