/**
 * A seeded mosquitto.conf generator for the differential test: every option of the table with
 * valid, boundary and invalid values, options in the wrong scope, ordering traps
 * (per_listener_settings late, cafile after psk_hint, mount_point before a listener, bridge
 * options before `connection`), random mixes of listeners and bridges, and include_dir files.
 * The broker judges each case; the generator only has to be varied, not right.
 */
import {CONF_OPTIONS, ruleFor, type Rule, type Version} from '../../src/lib/conf/options.js'
import {rng} from '../helpers/rng.js'

/** Paths the fixture directory provides (see conf-fixtures.ts). */
export interface Fixtures {
  dir: string
  passwd: string
  acl: string
  aclBad: string
  psk: string
  pskBad: string
  ca: string
  cert: string
  key: string
  otherKey: string
  notPem: string
  plugin: string
  notLibrary: string
  dynsecJson: string
  confGood: string
  confBad: string
  emptyDir: string
}

export interface GeneratedCase {
  seed: number
  /** Config lines; `@P<n>` is a free port, `@CASE` the case's own temp dir. */
  lines: string[]
  /** Files to write in the case dir before the run (include_dir contents). */
  files: Record<string, string>
  ports: number
}

type Pick = <T>(xs: readonly T[]) => T

/** The keywords of one scope in one version. */
const names = (v: Version, scope: string) =>
  Object.values(CONF_OPTIONS)
    .filter((o) => o.rules[v]?.scope === scope)
    .map((o) => o.name)
const SCOPES = (v: Version) => ({
  GLOBAL: names(v, 'global'),
  LISTENER: names(v, 'listener'),
  SECURITY: names(v, 'security'),
  BRIDGE: names(v, 'bridge'),
  /** Keywords of the other version only, or none at all: the target must refuse them. */
  FOREIGN: [
    ...Object.values(CONF_OPTIONS)
      .filter((o) => !o.rules[v])
      .map((o) => o.name),
    'no_such_option',
  ],
})
/** Options the generator handles itself, or whose value would reach outside the case dir. */
const SKIP = new Set([
  'listener',
  'port',
  'include_dir',
  'user',
  'pid_file',
  'connection',
  'tls_engine',
  'tls_keyform',
  'bind_address',
  'memory_limit',
])

function intValues(rule: Rule): string[] {
  const out = ['0', '1', '-1', '10', 'abc', '12abc', '99999999999', '', '+5', '65535', '65536', '20', '19']
  for (const b of [rule.min, rule.max]) if (b !== undefined) out.push(String(b - 1), String(b), String(b + 1))
  return out
}

function fileValue(name: string, f: Fixtures, pick0: Pick, clean = false): string {
  const missing = `${f.dir}/missing-${name}`
  // Clean cases name the first (good) file of each list.
  const pick: Pick = clean ? (xs) => xs[0] : pick0
  switch (CONF_OPTIONS[name]?.file) {
    case 'password':
      return pick([f.passwd, f.passwd, missing, f.emptyDir])
    case 'acl':
      return pick([f.acl, f.acl, f.aclBad, missing])
    case 'psk':
      return pick([f.psk, f.psk, f.pskBad, missing])
    case 'ca':
      return pick([f.ca, f.ca, f.notPem, missing])
    case 'cert':
      return pick([f.cert, f.cert, f.notPem, missing])
    case 'key':
      return pick([f.key, f.key, f.otherKey, missing])
    case 'plugin':
      return pick([f.plugin, f.plugin, f.notLibrary, missing])
    case 'capath':
    case 'http-dir':
      return pick([f.emptyDir, missing])
    case 'crl':
    case 'dhparam':
      return missing
    default:
      return ''
  }
}

/** Values of options with their own syntax: [accepted-looking, broken-looking]. */
const VALUES: Record<string, [string[], string[]]> = {
  log_dest: [
    ['stdout', 'stderr', 'none', 'syslog', 'topic', 'dlt', 'file @CASE/broker.log'],
    ['bogus', '', 'file'],
  ],
  persistent_client_expiration: [
    ['1h', '2d', '3w', '1m', '1y'],
    ['5s', '0d', '-1h', 'x', '', '10'],
  ],
  mount_point: [
    ['mp/', 'a/b'],
    ['a/+', '#', '', 'x\ty'],
  ],
  tls_engine_kpass_sha1: [['0123456789abcdef0123456789abcdef01234567'], ['abc', '']],
  bind_interface: [['lo'], ['nosuchif0']],
  socket_domain: [['ipv4'], ['ipv6', 'ipx', '']],
  protocol: [
    ['mqtt', 'websockets'],
    ['mqttsn', ''],
  ],
  tls_version: [
    ['tlsv1.2', 'tlsv1.3', 'tlsv1.1'],
    ['tlsv1.0', 'sslv3'],
  ],
  ciphers: [['HIGH', 'DEFAULT'], ['NOPE-CIPHER']],
  'ciphers_tls1.3': [['TLS_AES_128_GCM_SHA256'], ['NOPE-CIPHER']],
  address: [
    ['127.0.0.1:@P9', '127.0.0.1', 'localhost:@P9 127.0.0.1:@P9'],
    ['127.0.0.1:0', '127.0.0.1:70000', ''],
  ],
  topic: [
    ['a/# both 0', 'a/# out 1 local/ remote/', 'x in 2', '"" in 0 l/ r/', 'x out 256'],
    ['x sideways', 'x out 3', 'x out -1', '""', '', 'a/b both 0 lo+cal/'],
  ],
  restart_timeout: [
    ['5', '5 30', '0'],
    ['30 5', '', 'abc 1'],
  ],
  bridge_protocol_version: [
    ['mqttv31', 'mqttv311', 'mqttv50'],
    ['mqttv5', '', 'mqttv311 '],
  ],
  max_connections: [['10', '-1', 'x'], ['']],
  log_type: [
    ['all', 'error', 'debug', 'internal', 'websockets'],
    ['bogus', 'ALL'],
  ],
  per_listener_settings: [
    ['true', 'false'],
    ['maybe', ''],
  ],
}
VALUES.addresses = VALUES.address

/** A value for one option: plausible when `clean`, otherwise often broken. */
function valueFor(name: string, rule: Rule, f: Fixtures, pick: Pick, r: () => number, clean: boolean): string {
  const bad = !clean && r() < 0.35
  const own = VALUES[name]
  if (own) return pick(bad ? own[1] : own[0])
  if (name === 'plugin' || name === 'auth_plugin') return clean ? f.plugin : fileValue('plugin', f, pick)
  if (CONF_OPTIONS[name]?.file && rule.kind === 'string') return fileValue(name, f, pick, clean)
  switch (rule.kind) {
    case 'bool':
      return bad ? pick(['yes', 'TRUE', 'true\t', '', 'on', '2']) : pick(['true', 'false', '1', '0'])
    case 'int': {
      const values = intValues(rule)
      if (!bad) return pick(values.filter((v) => inRange(v, rule)))
      return pick(values)
    }

    case 'enum':
      return bad
        ? pick(['', 'bogus', rule.values![0].toUpperCase(), ...Object.keys(rule.refused ?? {})])
        : pick(rule.values!)
    case 'string':
      return bad
        ? pick(['', 'a\tb', 'bad\u0001x', 'c1\u0085x', 'nc\ufdd0x', '   '])
        : pick(['value', 'some value', 'x#y', 'ünï'])
    default:
      return pick(['', 'x', '1'])
  }
}

/** Whether the broker takes this int word (a generator's guess; the broker decides). */
function inRange(v: string, rule: Rule): boolean {
  if (v === '') return false
  const n = /^[+-]?\d+/.test(v) ? Number.parseInt(v, 10) : 0
  if (!Number.isSafeInteger(n) || Math.abs(n) > 2 ** 31) return false
  return (rule.min === undefined || n >= rule.min) && (rule.max === undefined || n <= rule.max)
}

/** One config. `anchor` (the last listener, on @P0) is how the oracle knows the broker is up. */
export function generateCase(seed: number, f: Fixtures, target: Version = '2.0'): GeneratedCase {
  const {GLOBAL, LISTENER, SECURITY, BRIDGE, FOREIGN} = SCOPES(target)
  const r = rng(seed)
  const pick: Pick = (xs) => xs[Math.floor(r() * xs.length)]
  const chance = (p: number) => r() < p
  const lines: string[] = []
  const files: Record<string, string> = {}
  let ports = 1
  // Clean cases draw accepted-looking values only, so that about half of the configs start.
  const clean = chance(0.45)
  const trap = (p: number) => !clean && chance(p)
  const option = (name: string) => {
    const rule = ruleFor(name, target) ?? ruleFor(name, '2.0') ?? ruleFor(name, '2.1')!
    const value = valueFor(name, rule, f, pick, r, clean)
    const line = value === '' ? name : `${name} ${value}`
    lines.push(line)
    if (trap(0.08)) lines.push(line) // duplicates
    if (name === 'plugin' || name === 'auth_plugin') {
      if (clean || chance(0.7))
        lines.push(`plugin_opt_config_file ${clean ? f.dynsecJson : pick([f.dynsecJson, `${f.dir}/missing.json`])}`)
      if (trap(0.2)) lines.push(pick(['plugin_opt_ab x', 'plugin_opt_abc', 'auth_plugin_deny_special_chars false']))
    }
  }

  const some = (names: readonly string[], n: number) => {
    for (let i = 0; i < n; i++) {
      const name = pick(names)
      if (!SKIP.has(name)) option(name)
    }
  }

  if (chance(0.2)) lines.push(`per_listener_settings ${pick(['true', 'false'])}`)
  some(GLOBAL, Math.floor(r() * 4))
  if (chance(0.15)) some(SECURITY, 1 + Math.floor(r() * 2))
  if (trap(0.1)) lines.push(pick(FOREIGN) + pick(['', ' 1', ' true', ' x']))
  if (trap(0.08))
    lines.push(
      pick([
        'plugin_opt_abc x',
        'auth_opt_abc x',
        'topic a/#',
        'address 127.0.0.1',
        'mount_point a/',
        'tls_version tlsv1.2',
        'accept_protocol_versions 4',
      ]),
    )
  if (chance(0.12)) {
    // Listener options before any listener: the default listener (on its own free port).
    lines.push(`port @P${ports++}`)
    some(LISTENER, 1 + Math.floor(r() * 2))
  }

  const listeners = Math.floor(r() * 3)
  for (let i = 0; i < listeners; i++) {
    lines.push(
      trap(0.1)
        ? pick(['listener 70000', 'listener -1', 'listener 0', 'listener', 'listener abc'])
        : `listener @P${ports++} 127.0.0.1`,
    )
    if (chance(0.25)) {
      const tls = clean ? 'full' : pick(['full', 'nokey', 'mismatch', 'psk-then-cert', 'cert-then-psk'])
      if (tls === 'psk-then-cert') lines.push('psk_hint hint', `cafile ${f.ca}`)
      else if (tls === 'cert-then-psk') lines.push(`certfile ${f.cert}`, `keyfile ${f.key}`, 'psk_hint hint')
      else lines.push(`cafile ${f.ca}`, `certfile ${f.cert}`)
      if (tls === 'full') lines.push(`keyfile ${f.key}`)
      if (tls === 'mismatch') lines.push(`keyfile ${f.otherKey}`)
    }

    some(LISTENER, Math.floor(r() * 4))
    some(SECURITY, Math.floor(r() * 2))
    if (trap(0.05)) lines.push(`per_listener_settings ${pick(['true', 'false'])}`)
  }

  if (chance(0.25)) {
    const names = ['br1', 'br2']
    const bridges = 1 + Math.floor(r() * 2)
    for (let i = 0; i < bridges; i++) {
      if (!trap(0.05)) lines.push(`connection ${trap(0.1) ? names[0] : names[i]}`)
      if (!trap(0.1)) lines.push(`address 127.0.0.1:@P${ports}`)
      if (!trap(0.1)) lines.push('topic a/# both 0')
      some(BRIDGE, Math.floor(r() * 4))
    }

    ports++
  }

  if (chance(0.1)) {
    const inc = clean ? pick(['good', 'generated']) : pick(['good', 'bad', 'generated', 'missing'])
    if (inc === 'good') lines.push(`include_dir ${f.confGood}`)
    else if (inc === 'bad') lines.push(`include_dir ${f.confBad}`)
    else if (inc === 'missing') lines.push(`include_dir ${f.dir}/no-such-dir`)
    else {
      lines.push('include_dir @CASE/conf.d')
      const body: string[] = []
      const before = lines.length
      some([...GLOBAL, ...LISTENER, ...BRIDGE], 1 + Math.floor(r() * 3))
      body.push(...lines.splice(before))
      if (chance(0.3)) body.push('include_dir @CASE/conf.d') // ignored in an included file (2.0)
      files['conf.d/a.conf'] = body.join('\n') + '\n'
    }
  }

  lines.push('listener @P0 127.0.0.1')
  return {seed, lines, files, ports: ports + 1}
}
