#!/usr/bin/env node
/*
 * The acl_file differential test at scale: seeded random ACL files and queries, each decided by a
 * real mosquitto 2.0.11 (load/refuse, PUBACK reason code, delivery) and compared with mqctl's
 * acl lint / acl check / acl who code.
 *
 *   node scripts/acl-differential.js --cases 5000 --seed 42
 *
 * Prints the counts and every disagreement; exit 1 when there is one. Needs /usr/sbin/mosquitto
 * and mosquitto_passwd on PATH. npm test runs a sample of the same generator
 * (test/integration/acl-agreement.test.ts).
 */
import {register} from 'tsx/esm/api'

const args = process.argv.slice(2)
const opt = (name, fallback) => {
  const i = args.indexOf(name)
  return i >= 0 ? Number(args[i + 1]) : fallback
}

const cases = opt('--cases', 2000)
const seed = opt('--seed', Math.floor(Math.random() * 1e9))
if (!Number.isInteger(cases) || cases < 1 || !Number.isInteger(seed)) {
  console.error('usage: node scripts/acl-differential.js [--cases N] [--seed S]')
  process.exit(2)
}

register()
const {runAclDifferential} = await import('../test/helpers/acl-differential.ts')
const t0 = Date.now()
const res = await runAclDifferential({
  seed,
  cases,
  whoEvery: 3,
  cliEvery: 10,
  progress: (line) => process.stderr.write(`\r${line}   `),
})
process.stderr.write('\n')
const c = res.counts
console.log(
  `seed ${seed}: ${res.cases} cases in ${res.files} files (${c.refusedFiles} refused by the broker) in ${((Date.now() - t0) / 1000).toFixed(0)} s: ` +
    `lint ${c.lint}, write ${c.write}, read ${c.read}, who ${c.who}, CLI ${c.cli}; ${res.disagreements.length} disagreement(s)`,
)
for (const d of res.disagreements) console.log(d)
process.exit(res.disagreements.length > 0 ? 1 : 0)
