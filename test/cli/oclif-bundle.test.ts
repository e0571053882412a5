import {spawnSync} from 'node:child_process'
import {copyFileSync, mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startBroker, type Broker} from '../helpers/broker.js'
import {BIN, isolatedHome, mqctl, type CliResult} from '../helpers/cli.js'
import {PLUGIN_ACL_TYPES} from '../helpers/dynsec-fixtures.js'

// dynsec plan/apply/export run without oclif from dist/bundle/policy.cjs (src/cli/policy.ts), or,
// for what that path leaves to oclif (help, odd flags, a terminal's confirmation), oclif from
// dist/bundle/oclif.cjs (src/cli/oclif-bundle.ts); MQCTL_FAST=0 runs the same commands through
// oclif loaded from dist/ and node_modules. test/cli/policy.test.ts generates the arguments. Two
// brokers start from one copied dynsec file (the same state, the same hashes): the bundle's
// run goes to one, the reference to the other, so commands that change the state can be compared.
const PTY = fileURLToPath(new URL('../helpers/run-in-pty.py', import.meta.url))
const ADMIN_PW = 'admin-secret'
let bundled: Broker
let reference: Broker
let dir: string
let base: {roles: unknown[]; clients: unknown[]; [k: string]: unknown}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mqctl-oclif-bundle-'))
  const file = join(dir, 'a.json')
  expect((await mqctl(['dynsec', 'init', file, 'admin', '--password-stdin'], {input: `${ADMIN_PW}\n`})).code).toBe(0)
  copyFileSync(file, join(dir, 'b.json'))
  ;[bundled, reference] = await Promise.all([
    startBroker({dynsec: {configFile: file}}),
    startBroker({dynsec: {configFile: join(dir, 'b.json')}}),
  ])
  const r = await mqctl([...conn(bundled), 'dynsec', 'export', '--format', 'json'])
  expect(r.code, r.stderr).toBe(0)
  base = JSON.parse(r.stdout) as typeof base
}, 60_000)
afterAll(async () => Promise.all([bundled?.stop(), reference?.stop()]))

const conn = (b: Broker) => ['-h', '127.0.0.1', '-p', String(b.port), '-u', 'admin', '-P', ADMIN_PW, '--quiet']
const scrub = (r: CliResult, b: Broker) => {
  const target = new RegExp(`127\\.0\\.0\\.1:${b.port}`, 'g')
  return {code: r.code, stdout: r.stdout.replace(target, 'BROKER'), stderr: r.stderr.replace(target, 'BROKER')}
}

/** Runs args on both paths, each against its own broker; returns the bundle's result. */
async function same(args: string[], input?: string): Promise<CliResult> {
  const fast = await mqctl([...conn(bundled), 'dynsec', ...args], {input})
  const oclif = await mqctl([...conn(reference), 'dynsec', ...args], {input, env: {MQCTL_FAST: '0'}})
  expect({args, ...scrub(fast, bundled)}).toEqual({args, ...scrub(oclif, reference)})
  return fast
}

/** A seeded policy: the admin of `dynsec init` plus random roles, groups and clients. */
function policy(seed: number): string {
  let s = seed
  const next = (n: number) => (s = (s * 1_103_515_245 + 12_345) % 2_147_483_648) % n
  const roles = Array.from({length: 1 + next(5)}, (_, i) => ({
    rolename: `r${seed}-${i}`,
    acls: Array.from({length: next(4)}, (_, j) => ({
      acltype: PLUGIN_ACL_TYPES[next(PLUGIN_ACL_TYPES.length)],
      topic: ['a/#', `t/${j}`, 'x/+/y', '#'][next(4)],
      allow: next(2) === 0,
      priority: next(3),
    })),
  }))
  const pick = () => [{rolename: roles[next(roles.length)].rolename, priority: next(2)}]
  const groups = Array.from({length: next(3)}, (_, i) => ({groupname: `g${seed}-${i}`, roles: pick()}))
  const clients = Array.from({length: 1 + next(6)}, (_, i) => ({
    username: `c${seed}-${i}`,
    ...(next(2) ? {textname: `client ${i}`} : {}),
    roles: pick(),
    ...(groups.length > 0 && next(2) ? {groups: [{groupname: groups[next(groups.length)].groupname}]} : {}),
  }))
  return JSON.stringify({...base, roles: [...base.roles, ...roles], groups, clients: [...base.clients, ...clients]})
}

const file = (name: string, text: string) => {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

describe('plan, apply and export from the oclif bundle', () => {
  it('give what oclif from dist/ gives on generated policies, then on their deletion', async () => {
    for (let seed = 1; seed <= 4; seed++) {
      const p = file(`p${seed}.json`, policy(seed))
      expect((await same(['plan', p])).stdout).toMatch(/to add/)
      await same(['plan', p, '--json', '--exit-code'])
      await same(['apply', p, '--dry-run'])
      expect((await same(['apply', p])).code).toBe(0)
      expect((await same(['apply', p])).stdout).toMatch(/^No changes/)
      await same(['apply', p, '--json'])
      await same(['export'])
      await same(['export', '--format', 'json'])
    }

    const only = file('base.json', JSON.stringify(base))
    await same(['plan', only, '--prune'])
    // Deletions without --yes, stdin not a terminal: exit 2, nothing sent.
    expect((await same(['apply', only, '--prune'])).code).toBe(2)
    await same(['apply', only, '--prune', '--json'])
    expect((await same(['apply', only, '--prune', '--yes'])).code).toBe(0)
    expect((await same(['plan', only, '--prune', '--exit-code'])).code).toBe(0)
  }, 240_000)

  it('give the same errors, refusals and help', async () => {
    const lockout = {...base, roles: base.roles.map((r) => ({...(r as object), acls: []}))}
    const cases = [
      ['apply', join(dir, 'missing.yaml')],
      ['plan', file('bad.yaml', 'version: 1\nroles: [\n')],
      ['apply', file('v2.yaml', 'version: 2\n')],
      ['apply', file('bad-acl.yaml', 'version: 1\nroles:\n  - rolename: x\n    acls: [{acltype: nope, topic: a}]\n')],
      ['plan', dir],
      ['apply', file('lockout.json', JSON.stringify(lockout))],
      ['apply', file('lockout.json', JSON.stringify(lockout)), '--json'],
      ['plan', '--bogus', 'x'],
      ['apply'],
      ['export', '--format', 'toml'],
      ['export', '--include-hashes'],
      ['plan', '--help'],
      ['apply', '--help'],
      ['export', '--help'],
    ]
    for (const args of cases) expect((await same(args)).code).not.toBeNull()
    expect((await same(['apply', join(dir, 'lockout.json')])).code).toBe(1)
    // A policy from standard input.
    await same(['plan', '-'], JSON.stringify(base))
  }, 120_000)

  it('ask the same confirmation on a terminal, and take the same "no"', async () => {
    const p = file('extra.json', policy(9))
    await same(['apply', p])
    const only = join(dir, 'base.json')
    mkdirSync(join(dir, 'pty'), {recursive: true})
    const onTerminal = (b: Broker, env: Record<string, string>) => {
      const args = [process.execPath, BIN, ...conn(b), 'dynsec', 'apply', only, '--prune']
      const r = spawnSync('python3', [PTY, '60', 'Delete', 'n', '--', ...args], {
        encoding: 'utf8',
        env: {...process.env, HOME: isolatedHome(), NO_COLOR: '1', ...env},
      })
      const {output, status} = JSON.parse(r.stdout) as {output: string; status: number}
      return {status, output: output.replace(new RegExp(`127\\.0\\.0\\.1:${b.port}`, 'g'), 'BROKER')}
    }

    const fast = onTerminal(bundled, {})
    expect(fast.output).toMatch(/Delete \d+ object\(s\)\?/)
    expect(fast).toEqual(onTerminal(reference, {MQCTL_FAST: '0'}))
    // Not confirmed: nothing was deleted on either broker.
    expect((await same(['plan', p, '--exit-code'])).code).toBe(0)
  }, 120_000)

  it('load oclif, zod and yaml from the bundle, not from node_modules', async () => {
    // A preload that reports every package the process requires by name.
    const preload = file(
      'report-packages.cjs',
      `const M = require('node:module'); const load = M._load; const seen = new Set()
M._load = function (id, ...rest) { if (!M.isBuiltin(id) && !id.startsWith('.') && !id.startsWith('/')) seen.add(id); return load.call(this, id, ...rest) }
process.on('exit', () => require('node:fs').writeSync(2, 'packages: ' + [...seen].sort().join(',') + '\\n'))`,
    )
    const p = file('light.yaml', 'version: 1\n')
    for (const args of [['plan', p], ['apply', p], ['export']]) {
      const r = await mqctl(['dynsec', ...args, '--unix', join(dir, 'no-socket')], {
        env: {NODE_OPTIONS: `--require ${preload}`},
      })
      const line = r.stderr.split('\n').find((l) => l.startsWith('packages: '))
      expect({args, line}).toEqual({args, line: 'packages: '})
      const oclif = await mqctl(['dynsec', ...args, '--unix', join(dir, 'no-socket')], {
        env: {NODE_OPTIONS: `--require ${preload}`, MQCTL_FAST: '0'},
      })
      // The reference path does load them (what the bundle saves), and fails the same way.
      expect(oclif.stderr).toMatch(/packages: .*@oclif\/core/)
      expect(oclif.code).toBe(r.code)
    }
  }, 60_000)
})
