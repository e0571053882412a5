import {spawnSync} from 'node:child_process'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {rewriteCtrlArgv} from '../../src/cli/ctrl-argv.js'
import {atoi} from '../../src/lib/c-atoi.js'
import {MqctlError} from '../../src/lib/errors.js'
import {findMosquittoTools} from '../helpers/mosquitto-install.js'
import {rng} from '../helpers/rng.js'

// Seeded random connection options (valid, boundary and invalid values, a missing value last)
// judged by the real mosquitto_ctrl 2.0.11: where it prints an error, mqctl must print the same
// text; where it accepts the options, so must mqctl, but for the documented cases where mqctl
// is deliberately stricter (see DELIBERATE). mqctl's side runs in-process (the argv rewrite is
// where these errors come from; renderError prints their verbatim text); the CLI itself is
// checked in ctrl-args.test.ts. More cases: MQCTL_ARGV_CASES=5000 npx vitest run <this file>.
const CASES = Number(process.env.MQCTL_ARGV_CASES ?? 300)
const SEED = Number(process.env.MQCTL_ARGV_SEED ?? 20261201)

const VALUES: Record<string, string[]> = {
  '-p': ['1883', '0', '65535', '65536', '-1', '12abc', 'abc', ' 7'],
  '-q': ['0', '2', '3', '-1', 'x', '1x'],
  '-V': ['5', '311', '31', 'mqttv5', 'mqttv311', '2', '6', 'x'],
  '-L': [
    'mqtt://h/t',
    'mqtts://u:p@h:1/t',
    'http://h/t',
    'mqtt://h:99999/t',
    'mqtt://h:0/t',
    'mqtt://h',
    'mqtts://u:p@h:1',
    'MQTT://h/t',
    'mqtt://h:1/',
  ],
  '--proxy': ['socks5h://h', 'socks5h://u:p@h:1080', 'socks5h://h:0', 'socks5h://h:x', 'http://h', 'socks5h://'],
  '-h': ['localhost', 'x'],
  '-u': ['admin'],
  '-P': ['pw'],
  '-i': ['id'],
  '-A': ['127.0.0.1'],
  '--cafile': ['ca.crt'],
  '--capath': ['/etc/ssl/certs'],
  '--cert': ['c.crt'],
  '--key': ['c.key'],
  '--ciphers': ['DEFAULT'],
  '--tls-version': ['tlsv1.2'],
  '--tls-alpn': ['mqtt'],
  '--psk': ['abcd'],
  '--psk-identity': ['me'],
  '--unix': ['/tmp/s'],
  '--keyform': ['pem'],
}
const SWITCHES = ['--insecure', '-d', '--debug', '--quiet', '-v', '--bogus']

/**
 * Where mqctl differs from 2.0.11 on purpose. A difference is deliberate when mqctl agrees once
 * the argument list is rewritten the way 2.0.11 reads it: ports and QoS through atoi ("12abc"
 * is 12, "abc" is 0; mqctl refuses what is not a number), a -L port made valid (2.0.11 does not
 * check it), and 2.0.11's "unsupported URL scheme" spelled as 2.1 does.
 */
const DELIBERATE: Array<{why: string; rewrite: (argv: string[]) => string[]}> = [
  {
    why: 'non-numeric port or QoS refused (2.0.11 reads it with atoi)',
    rewrite: (argv) => argv.map((w, i) => (['-p', '-q'].includes(argv[i - 1]) ? String(atoi(w)) : w)),
  },
  {
    why: 'a -L port out of range refused (2.0.11 does not check it)',
    rewrite: (argv) => argv.map((w, i) => (argv[i - 1] === '-L' ? w.replace(/:(\d{6,}|[7-9]\d{4})\//, ':1/') : w)),
  },
]
const spelled21 = (text: string) => text.replace('Error: unsupported URL scheme.', 'Error: Unsupported URL scheme.')

function generate(random: () => number): string[] {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]
  const argv: string[] = []
  const count = 1 + Math.floor(random() * 3)
  for (let i = 0; i < count; i++) {
    if (random() < 0.15) {
      argv.push(pick(SWITCHES))
      continue
    }

    const option = pick(Object.keys(VALUES))
    argv.push(option)
    // a missing value only as the last word: anywhere else the next option would be the value
    if (i === count - 1 && random() < 0.15) break
    argv.push(pick(VALUES[option]))
  }

  return argv
}

/** What mosquitto_ctrl 2.0.11 says about options alone: its errors, without its "Module '…'" quirk. */
function ctrlVerdict(ctrl: string, argv: string[], home: string): string {
  const r = spawnSync(ctrl, argv, {env: {...process.env, HOME: home, XDG_CONFIG_HOME: home}, encoding: 'utf8'})
  return r.stderr.replace(/Error: Module '[^']*' not supported\.\n$/, '').replace(/^Warning: .*\n(.*\n)*?\n/, '')
}

/** What mqctl prints for the same words: its verbatim error, or '' when the options are accepted. */
function ourVerdict(argv: string[]): string {
  try {
    rewriteCtrlArgv(argv)
  } catch (error) {
    if (!(error instanceof MqctlError)) throw error
    return error.code === 'USAGE_NO_COMMAND' ? '' : (error.verbatim ?? `mqctl: ${error.message}\n`)
  }

  throw new Error(`no error at all for ${argv.join(' ')}`)
}

describe('connection options against mosquitto_ctrl 2.0.11 (seeded)', () => {
  it(`agrees on ${CASES} generated argument lists`, () => {
    const {ctrl} = findMosquittoTools()
    const home = mkdtempSync(join(tmpdir(), 'mqctl-argv-diff-'))
    const random = rng(SEED)
    const tally = {same: 0, deliberateCases: 0, deliberate: new Map<string, number>(), disagree: [] as string[]}
    for (let n = 0; n < CASES; n++) {
      const argv = generate(random)
      const theirs = ctrlVerdict(ctrl, argv, home)
      const ours = ourVerdict(argv)
      if (theirs === ours) {
        tally.same++
        continue
      }

      // the rewrites in turn, and together: which of them it takes to agree
      const reasons: string[] = []
      let words = argv
      let agreed = spelled21(theirs) === ours
      if (agreed) reasons.push('2.0.11 says "unsupported URL scheme"')
      for (const d of DELIBERATE) {
        if (agreed) break
        const next = d.rewrite(words)
        if (next.join('\0') === words.join('\0')) continue
        words = next
        reasons.push(d.why)
        agreed = spelled21(theirs) === ourVerdict(words)
      }

      if (agreed) tally.deliberateCases++
      if (agreed) for (const why of reasons) tally.deliberate.set(why, (tally.deliberate.get(why) ?? 0) + 1)
      else
        tally.disagree.push(
          `${JSON.stringify(argv)}: mosquitto_ctrl ${JSON.stringify(theirs)}, mqctl ${JSON.stringify(ours)}`,
        )
    }

    console.log(
      `argv differential (seed ${SEED}): ${tally.same} same, ${tally.deliberateCases} deliberate`,
      Object.fromEntries(tally.deliberate),
      `${tally.disagree.length} disagreements`,
    )
    expect(tally.disagree).toEqual([])
    expect(tally.same).toBeGreaterThan(CASES / 2)
  }, 300_000)
})
