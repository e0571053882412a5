import {copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {stringify} from 'yaml'

import {rng} from '../helpers/rng.js'
import {rewriteCtrlArgv} from '../../src/cli/ctrl-argv.js'
import {CONNECTION_FLAG_NAMES} from '../../src/lib/connection/options-table.js'
import {parsePolicyInvocation, policyTables, type PolicyTables} from '../../src/cli/policy.js'
import {startBroker, type Broker} from '../helpers/broker.js'
import {isolatedHome, mqctl, type CliResult} from '../helpers/cli.js'

// dynsec plan/apply/export for one broker or file run without oclif (src/cli/policy.ts);
// MQCTL_FAST=0 runs them through oclif from dist/. Both get the same GENERATED argument sets
// (flags from the commands' own table in random order and spelling, plus words the fast path
// must leave to oclif) and generated policies, each path against its own copy of the same state
// (two brokers started from one dynsec file; two -f files of the same name in two directories,
// the commands run from there), and must print the same bytes and exit with the same status.
const ADMIN_PW = 'admin-secret'
const ROOT = new URL('../../', import.meta.url)
const TABLES: PolicyTables = policyTables(JSON.parse(readFileSync(new URL('oclif.manifest.json', ROOT), 'utf8')))
const ACL_TYPES = ['publishClientSend', 'publishClientReceive', 'subscribeLiteral', 'subscribePattern']
let fast: Broker
let reference: Broker
let top: string
let home: string
let base: {roles: unknown[]; clients: unknown[]; [k: string]: unknown}
const count = {fast: 0, deferred: 0, runs: 0}

beforeAll(async () => {
  top = mkdtempSync(join(tmpdir(), 'mqctl-policy-fast-'))
  home = isolatedHome()
  for (const side of ['fast', 'oclif']) mkdirSync(join(top, side))
  const seed = join(top, 'fast', 'broker.json')
  expect((await mqctl(['dynsec', 'init', seed, 'admin', '--password-stdin'], {input: `${ADMIN_PW}\n`})).code).toBe(0)
  copyFileSync(seed, join(top, 'oclif', 'broker.json'))
  ;[fast, reference] = await Promise.all([
    startBroker({dynsec: {configFile: seed}}),
    startBroker({dynsec: {configFile: join(top, 'oclif', 'broker.json')}}),
  ])
  const r = await mqctl([...conn(fast), 'dynsec', 'export', '--format', 'json'])
  expect(r.code, r.stderr).toBe(0)
  base = JSON.parse(r.stdout) as typeof base
}, 60_000)
afterAll(async () => {
  await Promise.all([fast?.stop(), reference?.stop()])
  // Both paths were compared, and the fast one did run (not only oclif twice).
  console.log(
    `policy fast path: ${count.runs} argument sets, ${count.fast} on the fast path, ${count.deferred} deferred`,
  )
})

const conn = (b: Broker) => ['-h', '127.0.0.1', '-p', String(b.port), '-u', 'admin', '-P', ADMIN_PW, '--quiet']

/** Integers below n from the shared seeded generator. */
function ints(seed: number): (n: number) => number {
  const next = rng(seed)
  return (n) => Math.floor(next() * n)
}

/** Writes the same file on both sides (policies, password files). */
function both(name: string, text: string, mode = 0o644) {
  for (const side of ['fast', 'oclif']) writeFileSync(join(top, side, name), text, {mode})
}

/** A seeded policy: the admin of `dynsec init` plus random roles, groups and clients. */
function policy(seed: number, next: (n: number) => number): Record<string, unknown> {
  const roles = Array.from({length: 1 + next(4)}, (_, i) => ({
    rolename: `r${seed}-${i}`,
    acls: Array.from({length: next(3)}, (_, j) => ({
      acltype: ACL_TYPES[next(ACL_TYPES.length)],
      topic: ['a/#', `t/${j}`, 'x/+/y'][next(3)],
      allow: next(2) === 0,
      priority: next(3),
    })),
  }))
  const pick = () => [{rolename: roles[next(roles.length)].rolename, priority: next(2)}]
  const groups = Array.from({length: next(3)}, (_, i) => ({groupname: `g${seed}-${i}`, roles: pick()}))
  const clients = Array.from({length: 1 + next(5)}, (_, i) => ({
    username: `c${seed}-${i}`,
    ...(next(2) ? {textname: `client ${i}`} : {}),
    ...(next(3) === 0 ? {password: {env: 'MQCTL_TEST_PW'}} : {}),
    roles: pick(),
    ...(groups.length > 0 && next(2) ? {groups: [{groupname: groups[next(groups.length)].groupname}]} : {}),
  }))
  return {...base, roles: [...base.roles, ...roles], groups, clients: [...base.clients, ...clients]}
}

/** Values for the commands' flags that take one. */
const VALUES: Record<string, (next: (n: number) => number) => string> = {
  passwords: () => 'devices.pw',
  'audit-log': () => 'audit.jsonl',
  output: (next) => ['out.yaml', 'out.json'][next(2)],
  format: (next) => ['yaml', 'json'][next(2)],
}
/** Words the fast path must leave to oclif (which answers them, or refuses them, in its words). */
const ODD = [
  ['--help'],
  ['--bogus'],
  ['--prune=yes'],
  ['--'],
  ['--format', 'toml'],
  ['--profile', 'a', '--profile', 'b'],
  ['--profile', 'nowhere'],
]

/** A random argument list for `command`: some of its own flags, in random spelling and order. */
function argSet(command: 'plan' | 'apply' | 'export', policyFile: string, next: (n: number) => number): string[] {
  // The commands' own flags and --json (connection flags come from the prefix).
  const own = Object.entries(TABLES[command].flags).filter(
    ([name]) =>
      !CONNECTION_FLAG_NAMES.has(name) && !['all-profiles', 'include-hashes', 'file', 'profile'].includes(name),
  )
  const words: string[][] = []
  for (const [name, flag] of own) {
    // Each is given with probability 1/3 (--prune and --yes 1/2).
    if (['prune', 'yes'].includes(name) ? next(2) !== 0 : next(3) !== 0) continue
    const spelled = flag.char && next(2) ? `-${flag.char}` : `--${name}`
    if (flag.type === 'boolean') words.push([spelled])
    else {
      const value = VALUES[name](next)
      words.push(spelled.startsWith('--') && next(2) ? [`${spelled}=${value}`] : [spelled, value])
    }
  }

  if (command !== 'export') words.splice(next(words.length + 1), 0, [policyFile])
  if (next(8) === 0) words.splice(next(words.length + 1), 0, ODD[next(ODD.length)])
  if (next(10) === 0) words.push(words[next(words.length)] ?? ['--json'])
  return [command, ...words.flat()]
}

function scrub(r: CliResult, port: number) {
  const target = new RegExp(`127\\.0\\.0\\.1:${port}`, 'g')
  return {code: r.code, stdout: r.stdout.replace(target, 'BROKER'), stderr: r.stderr.replace(target, 'BROKER')}
}

/** Runs `args` on both paths, each from its own directory (and broker); returns the fast path's result. */
async function same(prefix: (side: 'fast' | 'oclif') => string[], args: string[], port = {fast: 0, oclif: 0}) {
  const env = {MQCTL_TEST_PW: 'from-env', HOME: home}
  const a = await mqctl([...prefix('fast'), 'dynsec', ...args], {cwd: join(top, 'fast'), env})
  const b = await mqctl([...prefix('oclif'), 'dynsec', ...args], {
    cwd: join(top, 'oclif'),
    env: {...env, MQCTL_FAST: '0'},
  })
  const argv = rewriteCtrlArgv([...prefix('fast'), 'dynsec', ...args])
  const handled = parsePolicyInvocation(argv, TABLES, false) !== undefined
  count.runs++
  count[handled ? 'fast' : 'deferred']++
  expect({args, ...scrub(a, port.fast)}).toEqual({args, ...scrub(b, port.oclif)})
  // What the commands wrote: the exported document, the audit log (times and ports aside).
  for (const file of ['out.yaml', 'out.json', 'audit.jsonl']) {
    const read = (side: string) => {
      try {
        return readFileSync(join(top, side, file), 'utf8')
          .replace(/"time":"[^"]*"/g, '')
          .replace(/:\d{4,5}"/g, ':PORT"')
      } catch {
        return undefined
      }
    }
    expect({file, text: read('fast')}).toEqual({file, text: read('oclif')})
  }

  return a
}

describe('plan, apply and export without oclif', () => {
  it('parse the plain forms and leave the rest to oclif', () => {
    const parse = (...words: string[]) => parsePolicyInvocation(['dynsec', ...words], TABLES, false)
    expect(parse('apply', 'p.yaml', '-y', '--prune', '--audit-log=a.log', '--host', 'h')).toEqual({
      command: 'apply',
      policy: 'p.yaml',
      flags: {yes: true, prune: true, 'audit-log': 'a.log', host: 'h'},
    })
    expect(parse('export', '-o', 'x', '--profile', 'p')?.flags).toEqual({output: 'x', profile: ['p'], format: 'yaml'})
    expect(parse('plan', '-', '--json')?.policy).toBe('-')
    for (const words of [
      ['plan'],
      ['plan', 'a', 'b'],
      ['plan', 'p', '--help'],
      ['plan', 'p', '--prune', '--prune'],
      ['plan', 'p', '--prune=true'],
      ['plan', 'p', '--', '--json'],
      ['plan', '--profile', 'x', 'p'],
      ['plan', 'p', '--profile', 'x', '--profile', 'y'],
      ['plan', 'p', '--all-profiles'],
      ['plan', 'p', '--host', '-x'],
      ['plan', 'p', '--host='],
      ['export', '--format', 'toml'],
      ['export', '-oout'],
      ['apply', 'p', '-yf'],
      ['plan', ''],
    ])
      expect([words, parse(...words)]).toEqual([words, undefined])
    // A terminal may be asked to confirm deletions: oclif asks (through the same code).
    expect(parsePolicyInvocation(['dynsec', 'apply', 'p', '--prune'], TABLES, true)).toBeUndefined()
    expect(parsePolicyInvocation(['dynsec', 'apply', 'p', '--prune', '--yes'], TABLES, true)).toBeDefined()
  })

  it('give what oclif gives on generated argument sets and policies, against a broker', async () => {
    const next = ints(11)
    both('devices.pw', 'c1-0:pw-one\nc2-1:pw-two\n', 0o600)
    const prefix = (side: 'fast' | 'oclif') => conn(side === 'fast' ? fast : reference)
    const ports = {fast: fast.port, oclif: reference.port}
    for (let seed = 1; seed <= 8; seed++) {
      const p = policy(seed, next)
      const name = next(2) ? `p${seed}.json` : `p${seed}.yaml`
      both(name, name.endsWith('.json') ? JSON.stringify(p) : stringify(p))
      for (const command of ['plan', 'apply', 'plan', 'export', 'apply'] as const)
        await same(prefix, argSet(command, name, next), ports)
    }

    await same(prefix, ['export', '--include-hashes'], ports)
    // oclif gives the policy to --profile here (it takes several values): the fast path must not run it.
    await same(prefix, ['apply', '--profile', 'nowhere', '--prune', 'base.json', '--force'], ports)
    // Deletions without --yes (stdin is no terminal): exit 2 on both, nothing sent; then with it.
    both('base.json', JSON.stringify(base))
    both('extra.json', JSON.stringify({...base, clients: [...base.clients, {username: 'extra-1', roles: []}]}))
    expect((await same(prefix, ['apply', 'extra.json'], ports)).code).toBe(0)
    expect((await same(prefix, ['apply', 'base.json', '--prune'], ports)).code).toBe(2)
    expect(
      (await same(prefix, ['apply', '--prune', 'base.json', '-y', '--audit-log', 'audit.jsonl'], ports)).code,
    ).toBe(0)
    expect((await same(prefix, ['plan', 'base.json', '--prune', '--exit-code'], ports)).code).toBe(0)
  }, 300_000)

  it('give what oclif gives on -f files, and on bad policies (located errors from the zod fallback)', async () => {
    const next = ints(23)
    const prefix = () => ['-f', 'state.json']
    expect((await mqctl(['dynsec', 'init', join(top, 'fast', 'state.json'), 'admin', 'pw'])).code).toBe(0)
    copyFileSync(join(top, 'fast', 'state.json'), join(top, 'oclif', 'state.json'))
    for (let seed = 7; seed <= 10; seed++) {
      both(`f${seed}.json`, JSON.stringify(policy(seed, next)))
      for (const command of ['plan', 'apply', 'export', 'apply'] as const)
        await same(prefix, argSet(command, `f${seed}.json`, next))
    }

    const bad: Array<[string, string]> = [
      ['bad1.yaml', 'version: 1\nroles:\n  - rolename: r\n    colour: red\n'],
      ['bad2.json', JSON.stringify({version: 1, clients: [{username: 'a', roles: [{rolename: 'missing'}]}]})],
      ['bad3.json', '{"version": 1, "roles": [{"rolename": "r", "acls": [{"acltype": "x", "topic": "a"}]}]}'],
      ['bad4.yaml', 'version: 2\n'],
      ['bad5.json', '{"version": 1, "roles": [{"rolename": ""}]}'],
    ]
    for (const [name, text] of bad) {
      both(name, text)
      expect((await same(prefix, ['plan', name])).code).toBe(5)
      await same(prefix, ['apply', name, '--json'])
    }

    await same(prefix, ['apply', 'missing.yaml'])
    await same(() => [], ['export', '--unix', join(top, 'no-socket')])
    expect(count.fast).toBeGreaterThan(count.deferred)
  }, 300_000)
})
