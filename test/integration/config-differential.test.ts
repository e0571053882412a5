import {describe, expect, it} from 'vitest'

import {runDifferential} from '../differential/conf-oracle.js'

/**
 * config lint against the real 2.0.11 broker on generated configs (seeded, so a failure names
 * a seed that `node scripts/config-differential.js --seed N --cases 1` replays). The script runs
 * thousands; this sample keeps `npm test` fast.
 */
const CASES = Number(process.env.MQCTL_CONF_DIFF_CASES ?? 240)

describe('config lint agrees with mosquitto 2.0.11 on generated configs', () => {
  it(`on ${CASES} seeded configs`, {timeout: 300_000}, async () => {
    const report = await runDifferential(1, CASES, {concurrency: 4})
    expect(report.cases).toBe(CASES)
    // both verdicts occur often, or the sample would test one side only
    expect(report.started).toBeGreaterThan(CASES / 4)
    expect(report.refused).toBeGreaterThan(CASES / 4)
    const show = report.disagreements.map(
      (d) =>
        `seed ${d.seed}: broker ${d.broker} (${d.brokerSays}); lint: ${d.lint.join('; ') || 'no errors'}\n${d.config}`,
    )
    expect(show).toEqual([])
  })
})
