/**
 * mqctl against mosquitto_ctrl 2.1 on two fresh 2.1 brokers: seeded dynsec command sequences
 * are sent with mosquitto_ctrl to one broker and with mqctl (its mosquitto_ctrl argv form) to
 * the other; each command's stdout, stderr and exit status are compared, and at the end the
 * two dynamic-security.json files the plugin wrote are compared semantically (password hashes
 * are checked against the passwords that were set, since their salts differ).
 *
 *   MOSQUITTO_21_BROKER=/path/mosquitto MOSQUITTO_21_PLUGIN=/path/mosquitto_dynamic_security.so \
 *   MOSQUITTO_21_CTRL=/path/mosquitto_ctrl [MOSQUITTO_21_LIBS=dir:dir] \
 *   npx tsx scripts/ctrl-21-differential.ts [--runs 10] [--commands 30] [--seed S] [--verbose]
 *
 * No 2.1 broker is packaged: the binaries come from the environment (this script builds
 * nothing). mqctl is the built CLI (npm run build). Broker A starts from `mosquitto_ctrl dynsec
 * init`, broker B from `mqctl dynsec init --target 2.1`. Known, documented differences are
 * counted by class, not as disagreements: mosquitto_ctrl 2.1.2 exits 0 after a plugin error and
 * ends its text with "." (mqctl: exit 1, 2.0's words without the "."), it exits 3 after "Invalid
 * input" (mqctl: 2, with its own message), and getClient is sent to
 * mqctl with --layout 2.1 (2.0's layout is its default). Exits 1 on any disagreement.
 */
import {type ChildProcess, spawn} from 'node:child_process'
import {pbkdf2Sync} from 'node:crypto'
import {chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {connect, createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {rng} from '../test/helpers/rng.js'
import {PLUGIN_ACL_TYPES} from '../test/helpers/dynsec-fixtures.js'

const need = (name: string): string => {
  const v = process.env[name]
  if (!v) {
    process.stderr.write(`${name} is not set (see the comment at the top of this script)\n`)
    process.exit(2)
  }
  return v
}
const BROKER = need('MOSQUITTO_21_BROKER')
const PLUGIN = need('MOSQUITTO_21_PLUGIN')
const CTRL = need('MOSQUITTO_21_CTRL')
const LIBS = process.env.MOSQUITTO_21_LIBS
const MQCTL = fileURLToPath(new URL('../bin/run.js', import.meta.url))

const args = process.argv.slice(2)
const num = (name: string, fallback: number) => {
  const i = args.indexOf(name)
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : fallback
}
const RUNS = num('--runs', 10)
const COMMANDS = num('--commands', 30)
const SEED = num('--seed', Math.floor(Math.random() * 1e9))
const VERBOSE = args.includes('--verbose')

interface Result {
  code: number | null
  stdout: string
  stderr: string
}

const env: NodeJS.ProcessEnv = {...process.env, ...(LIBS ? {LD_LIBRARY_PATH: LIBS} : {}), NO_COLOR: '1', HOME: tmpdir()}
delete env.XDG_CONFIG_HOME

function run(cmd: string, argv: string[], input?: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, {env, stdio: ['pipe', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({code, stdout, stderr}))
    // A tool that exits before reading its (empty) stdin must not fail the run with EPIPE.
    child.stdin.on('error', () => undefined)
    child.stdin.end(input ?? '')
  })
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const {port} = s.address() as {port: number}
      s.close(() => resolve(port))
    })
  })
}

async function startBroker(dir: string, file: string): Promise<{port: number; child: ChildProcess}> {
  const port = await freePort()
  const conf = join(dir, 'mosquitto.conf')
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous false',
      `plugin ${PLUGIN}`,
      `plugin_opt_config_file ${file}`,
      // Root brokers switch to another user who could not write the file.
      ...(process.getuid?.() === 0 ? ['user root'] : []),
      '',
    ].join('\n'),
  )
  const child = spawn(BROKER, ['-c', conf], {env, stdio: ['ignore', 'ignore', 'pipe']})
  let log = ''
  child.stderr?.on('data', (d) => (log += d))
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 50))
    if (child.exitCode !== null) throw new Error(`broker did not start:\n${log}`)
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1')
      s.once('connect', () => (s.destroy(), resolve(true)))
      s.once('error', () => resolve(false))
    })
    if (up) return {port, child}
  }
  throw new Error(`broker did not listen on ${port}:\n${log}`)
}

async function stopBroker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  await new Promise<void>((resolve) => {
    child.once('close', () => resolve())
    child.kill('SIGTERM')
  })
}

// Small name pools, so commands collide (exists / not found) as often as they succeed.
const USERS = ['u1', 'u2', 'u3', 'admin']
const GROUPS = ['g1', 'g2', 'g3']
const ROLES = ['r1', 'r2', 'r3', 'admin']
const ACLTYPES = PLUGIN_ACL_TYPES
const DEFAULT_TYPES = ['publishClientSend', 'publishClientReceive', 'subscribe', 'unsubscribe']
const TOPICS = ['a/b', 'a/+', '#', 'x/%u/#', 'dev/%c', '$SYS/x']

function generate(rand: () => number): string[][] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]
  const prio = () => (rand() < 0.5 ? [] : [String(Math.floor(rand() * 20) - 5)])
  const out: string[][] = []
  for (let i = 0; i < COMMANDS; i++) {
    const u = pick(USERS.filter((x) => x !== 'admin'))
    const g = pick(GROUPS)
    const r = pick(ROLES.filter((x) => x !== 'admin'))
    const pw = `pw${Math.floor(rand() * 1000)}`
    const kind = Math.floor(rand() * 28)
    switch (kind) {
      case 0:
      case 1:
        out.push(['createClient', u, '-p', pw, ...(rand() < 0.3 ? ['-c', `id-${u}`] : [])])
        break
      case 2:
        out.push(['deleteClient', u])
        break
      case 3:
        out.push(['setClientPassword', u, pw])
        break
      case 4:
        out.push(['setClientId', u, ...(rand() < 0.6 ? [`cid${Math.floor(rand() * 9)}`] : [])])
        break
      case 5:
        out.push([rand() < 0.5 ? 'enableClient' : 'disableClient', u])
        break
      case 6:
        out.push(['addClientRole', u, pick(ROLES), ...prio()])
        break
      case 7:
        out.push(['removeClientRole', u, pick(ROLES)])
        break
      case 8:
      case 9:
        out.push(['createGroup', g])
        break
      case 10:
        out.push(['deleteGroup', g])
        break
      case 11:
        out.push(['addGroupClient', g, pick(USERS), ...prio()])
        break
      case 12:
        out.push(['removeGroupClient', g, pick(USERS)])
        break
      case 13:
        out.push(['addGroupRole', g, pick(ROLES), ...prio()])
        break
      case 14:
        out.push(['removeGroupRole', g, pick(ROLES)])
        break
      case 15:
      case 16:
        out.push(['createRole', r])
        break
      case 17:
        out.push(['deleteRole', r])
        break
      case 18:
      case 19:
        out.push(['addRoleACL', r, pick(ACLTYPES), pick(TOPICS), rand() < 0.7 ? 'allow' : 'deny', ...prio()])
        break
      case 20:
        out.push(['removeRoleACL', r, pick(ACLTYPES), pick(TOPICS)])
        break
      case 21:
        out.push(['setDefaultACLAccess', pick(DEFAULT_TYPES), rand() < 0.5 ? 'allow' : 'deny'])
        break
      case 22:
        out.push(['setAnonymousGroup', g])
        break
      case 23:
        out.push([pick(['getClient', 'getGroup', 'getRole']), pick([u, g, r, 'admin'])])
        break
      case 24:
        out.push([pick(['listClients', 'listGroups', 'listRoles']), ...(rand() < 0.3 ? ['2', '1'] : [])])
        break
      case 26:
        // Arguments both tools refuse before sending anything.
        out.push(
          pick([
            ['addRoleACL', r, 'publish', 'a/b', 'allow'],
            ['addRoleACL', r, 'subscribeLiteral', 'a/b', 'maybe'],
            ['setDefaultACLAccess', 'publishClientSend', 'maybe'],
            ['setDefaultACLAccess', 'subscribeLiteral', 'allow'],
            ['createClient'],
            ['addClientRole', u],
          ]),
        )
        break
      default:
        out.push([pick(['getDefaultACLAccess', 'getAnonymousGroup'])])
    }
  }
  return out
}

// The unencrypted-connection warning names the program; mqctl's argv password warning is its own.
const normalise = (s: string) =>
  s
    .replace(/Warning: You are running (mosquitto_ctrl|mqctl) without encryption\.\n.*\n\n/, '')
    .replace(/^mqctl: warning: a password on the command line[^\n]*\n/gm, '')

type State = Record<string, unknown>
function semantic(file: string): {state: State; hashes: Map<string, string>} {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
  const hashes = new Map<string, string>()
  const byName = (xs: unknown, key: string) =>
    ((xs as Array<Record<string, unknown>>) ?? [])
      .map((x) => ({...x}))
      .sort((a, b) => String(a[key]).localeCompare(String(b[key])))
  const sortInner = (xs: unknown, key: string) =>
    byName(xs, key).map((x) => ({[key]: x[key], priority: x.priority ?? -1}))
  const clients = byName(raw.clients, 'username').map((c) => {
    if (typeof c.encoded_password === 'string') hashes.set(String(c.username), c.encoded_password)
    const {encoded_password: _e, password: _p, salt: _s, iterations: _i, textName, textname, ...rest} = c
    return {
      ...rest,
      textname: textname ?? textName,
      hasPassword: _e !== undefined || _p !== undefined,
      roles: sortInner(c.roles, 'rolename'),
      groups: sortInner(c.groups, 'groupname'),
    }
  })
  const groups = byName(raw.groups, 'groupname').map((g) => ({
    ...g,
    roles: sortInner(g.roles, 'rolename'),
    clients: sortInner(g.clients, 'username'),
  }))
  const roles = byName(raw.roles, 'rolename').map((r) => ({
    ...r,
    acls: ((r.acls as Array<Record<string, unknown>>) ?? [])
      .map((a) => JSON.stringify({...a, priority: a.priority ?? 0}))
      .sort(),
  }))
  return {state: {...raw, clients, groups, roles}, hashes}
}

/** A $7$ PBKDF2-SHA512 encoded password (2.1 layout) checked against the password. */
function verifies(encoded: string, password: string): boolean {
  const m = /^\$7\$(\d+)\$([^$]+)\$([^$]+)$/.exec(encoded)
  if (!m) return false
  const hash = Buffer.from(m[3], 'base64')
  return pbkdf2Sync(password, Buffer.from(m[2], 'base64'), Number(m[1]), hash.length, 'sha512').equals(hash)
}

const classes = new Map<string, number>()
const count = (k: string) => classes.set(k, (classes.get(k) ?? 0) + 1)
const disagreements: string[] = []
let commandsSent = 0
let filesCompared = 0

const rand = rng(SEED)
for (let runNo = 0; runNo < RUNS; runNo++) {
  const dir = mkdtempSync(join(tmpdir(), 'mqctl-21diff-'))
  chmodSync(dir, 0o755)
  const fileA = join(dir, 'a.json')
  const fileB = join(dir, 'b.json')
  const initA = await run(CTRL, ['dynsec', 'init', fileA, 'admin', 'adminpw'])
  const initB = await run(process.execPath, [MQCTL, 'dynsec', 'init', '--target', '2.1', fileB, 'admin', 'adminpw'])
  if (initA.code !== 0 || initB.code !== 0) throw new Error(`init failed: ${initA.stderr} ${initB.stderr}`)
  const initialA = semantic(fileA).state
  const initialB = semantic(fileB).state
  if (JSON.stringify(initialA) !== JSON.stringify(initialB))
    disagreements.push(
      `run ${runNo}: dynsec init files differ\n  ctrl: ${JSON.stringify(initialA)}\n  mqctl: ${JSON.stringify(initialB)}`,
    )
  const a = await startBroker(dir, fileA)
  const b = await startBroker(dir, fileB)
  const passwords = new Map<string, string>([['admin', 'adminpw']])
  try {
    const conn = (port: number) => ['-h', '127.0.0.1', '-p', String(port), '-u', 'admin', '-P', 'adminpw']
    for (const cmd of generate(rand)) {
      commandsSent++
      const ctrl = await run(CTRL, [...conn(a.port), 'dynsec', ...cmd])
      const mqArgs = [...conn(b.port), 'dynsec', ...cmd, ...(cmd[0] === 'getClient' ? ['--layout', '2.1'] : [])]
      const mq = await run(process.execPath, [MQCTL, ...mqArgs])
      const [ce, me] = [normalise(ctrl.stderr), normalise(mq.stderr)]
      const same = ctrl.stdout === mq.stdout && ce === me
      let verdict: string
      if (same && ctrl.code === mq.code) verdict = 'same'
      else if (
        ctrl.code === 0 &&
        mq.code === 1 &&
        ctrl.stdout === mq.stdout &&
        /^\w+: Error: .*\.\n$/.test(ce) &&
        ce === me.replace(/\n$/, '.\n')
      )
        verdict = 'plugin error (exit 0 vs 1; 2.1.2 ends the text with ".")'
      else if (ctrl.code === 3 && mq.code === 2 && ce.endsWith('Error: Invalid input.\n'))
        verdict = 'invalid input (exit 3 vs 2)'
      else verdict = 'DISAGREE'
      count(verdict)
      if (verdict === 'DISAGREE')
        disagreements.push(
          `run ${runNo} ${cmd.join(' ')}\n  ctrl  ${ctrl.code} ${JSON.stringify(ctrl.stdout)} ${JSON.stringify(ce)}\n  mqctl ${mq.code} ${JSON.stringify(mq.stdout)} ${JSON.stringify(me)}`,
        )
      else if (VERBOSE) process.stderr.write(`${verdict}: ${cmd.join(' ')}\n`)
      // The password each client should now have, when the broker took the command.
      const took = ctrl.code === 0 && !ctrl.stderr.includes(': Error:')
      if (took && cmd[0] === 'createClient') passwords.set(cmd[1], cmd[3])
      if (took && cmd[0] === 'setClientPassword') passwords.set(cmd[1], cmd[2])
      if (took && cmd[0] === 'deleteClient') passwords.delete(cmd[1])
    }
  } finally {
    await stopBroker(a.child)
    await stopBroker(b.child)
  }
  filesCompared++
  const sa = semantic(fileA)
  const sb = semantic(fileB)
  if (JSON.stringify(sa.state) !== JSON.stringify(sb.state))
    disagreements.push(
      `run ${runNo}: dynamic-security.json differ\n  ctrl:  ${JSON.stringify(sa.state)}\n  mqctl: ${JSON.stringify(sb.state)}`,
    )
  for (const [user, pw] of passwords) {
    const [ha, hb] = [sa.hashes.get(user), sb.hashes.get(user)]
    if (ha === undefined && hb === undefined) continue
    if (!ha || !hb || !verifies(ha, pw) || !verifies(hb, pw))
      disagreements.push(
        `run ${runNo}: password of ${user} (${pw}): ctrl ${ha && verifies(ha, pw)}, mqctl ${hb && verifies(hb, pw)}`,
      )
    else count('password hash verifies in both files')
  }
  rmSync(dir, {recursive: true, force: true})
}

for (const [k, n] of [...classes].sort()) process.stdout.write(`  ${k}: ${n}\n`)
for (const d of disagreements) process.stdout.write(`DISAGREE ${d}\n\n`)
process.stdout.write(
  `seed ${SEED}: ${RUNS} runs, ${commandsSent} commands on each side, ${filesCompared} file pairs compared, ${disagreements.length} disagreement(s)\n`,
)
process.exit(disagreements.length > 0 ? 1 : 0)
