import {execFileSync, spawn} from 'node:child_process'
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {rng} from '../helpers/rng.js'
import {startBroker, type Broker} from '../helpers/broker.js'
import {isolatedHome, mqctl, type CliResult} from '../helpers/cli.js'
import {findMosquittoTools} from '../helpers/mosquitto-install.js'
import {makeCa, makeLeaf} from '../helpers/openssl-pki.js'
import {assembleTrust, loadOsStore, systemOpensslDir, uniqueCertificates} from '../../src/lib/connection/os-store.js'

// Which CAs are trusted, judged by mosquitto_sub 2.0.11 (libmosquitto on the system OpenSSL:
// SSL_CTX_set_default_verify_paths for --tls-use-os-certs and mqtts://, then --cafile and
// --capath) against `mqctl dynsec listClients` with the same environment and flags. Seeded
// set-ups: a private CA in a temp SSL_CERT_FILE or SSL_CERT_DIR (hashed by `openssl rehash`,
// unhashed, under another CA's hash, a list of directories, a bundle with a broken certificate),
// the right CA, another CA with the same name, another name, the variables set but empty, the
// real system store; with --tls-use-os-certs, -L mqtts:// (with --cafile too), --cafile, --capath, a host the
// certificate names or not, and --insecure. Every verdict must agree.
// MQCTL_TLS_DIFF_CASES=N runs more (and MQCTL_TLS_DIFF_SEED another seed).
const CASES = Number(process.env.MQCTL_TLS_DIFF_CASES ?? 40)
const SEED = Number(process.env.MQCTL_TLS_DIFF_SEED ?? 20261201)
const ADMIN_PW = 'adminpw'

const STORES = [
  'file',
  'file-broken',
  'dir-hashed',
  'dir-unhashed',
  'dir-misnamed',
  'dir-list',
  'dir-shadowed',
  'empty-vars',
  'system',
] as const
const CONTENTS = ['right', 'same-name', 'other', 'same-name+right'] as const
const FLAGS = ['os', 'os+cafile', 'url', 'url+cafile', 'capath', 'os+capath', 'cafile'] as const
type Store = (typeof STORES)[number]
type Content = (typeof CONTENTS)[number]
type Flag = (typeof FLAGS)[number]

interface Case {
  id: number
  store: Store
  content: Content
  flag: Flag
  cafile: 'right' | 'same-name' | 'other'
  host: 'localhost' | '127.0.0.1'
  insecure: boolean
  /** The variable the store does not set: left unset (the system default joins) or set to an empty dir. */
  otherVar: 'unset' | 'empty-dir'
}

let dir: string
let home: string
let broker: Broker
let sub: string

const ca = (name: string) => join(dir, `${name}.crt`)
const CA_FILES: Record<Content, string[]> = {
  right: ['right'],
  'same-name': ['same-name'],
  other: ['other'],
  'same-name+right': ['same-name', 'right'],
}

beforeAll(async () => {
  sub = findMosquittoTools().sub
  dir = mkdtempSync(join(tmpdir(), 'mqctl-tls-trust-'))
  home = isolatedHome()
  // Two CAs with one name (and so one subject hash), different keys: only "right" signed the broker.
  for (const name of ['right', 'same-name']) {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        ...['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'],
        ...['-keyout', `${name}.key`, '-out', `${name}.crt`, '-subj', '/O=mqctl test/CN=Trust CA', '-days', '30'],
        ...['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
      ],
      {cwd: dir, stdio: 'pipe'},
    )
  }

  makeCa(dir, 'other')
  const leaf = makeLeaf(dir, {name: 'server', san: 'DNS:localhost', cn: 'broker'}, 'right')
  writeFileSync(join(dir, 'broken.pem'), '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n')
  mkdirSync(join(dir, 'empty'))
  const configFile = join(dir, 'dynsec.json')
  const init = await mqctl(['dynsec', 'init', configFile, 'admin', '--password-stdin'], {input: `${ADMIN_PW}\n`})
  expect(init.code).toBe(0)
  broker = await startBroker({dynsec: {configFile}, tls: {cafile: ca('right'), certfile: leaf.crt, keyfile: leaf.key}})
}, 60_000)
afterAll(async () => {
  await broker?.stop()
  rmSync(dir, {recursive: true, force: true})
  rmSync(home, {recursive: true, force: true})
})

/** Set-ups a random sample may miss, run first: each once found a disagreement or guards one. */
const PINNED: Array<Omit<Case, 'id'>> = [
  // a --cafile CA of the same name shadows the directory's right one (seed 7, case 188)
  {
    store: 'dir-hashed',
    content: 'right',
    flag: 'os+cafile',
    cafile: 'same-name',
    host: 'localhost',
    insecure: false,
    otherVar: 'unset',
  },
  {
    store: 'dir-unhashed',
    content: 'right',
    flag: 'capath',
    cafile: 'right',
    host: 'localhost',
    insecure: false,
    otherVar: 'unset',
  },
  {
    store: 'file',
    content: 'right',
    flag: 'url+cafile',
    cafile: 'other',
    host: 'localhost',
    insecure: false,
    otherVar: 'unset',
  },
]

function generate(count: number, seed: number): Case[] {
  const next = rng(seed)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]
  const pinned = PINNED.map((c, id) => ({id, ...c}))
  return [...pinned, ...generated(count - pinned.length, next, pick, pinned.length)]
}

function generated(count: number, next: () => number, pick: <T>(xs: readonly T[]) => T, first: number): Case[] {
  return Array.from({length: count}, (_, i): Case => ({
    id: first + i,
    // the first rounds visit every store once
    store: i < STORES.length ? STORES[i] : pick(STORES),
    // the right CA in half the stores, so that accepting is as common as refusing
    content: next() < 0.35 ? 'right' : pick(CONTENTS),
    flag: pick(FLAGS),
    cafile: next() < 0.4 ? 'right' : pick(['right', 'same-name', 'other'] as const),
    host: next() < 0.7 ? 'localhost' : '127.0.0.1',
    insecure: next() < 0.3,
    otherVar: next() < 0.5 ? 'unset' : 'empty-dir',
  }))
}

/** The case's store on disk, and the environment that points at it. */
function setUp(c: Case): {env: Record<string, string | undefined>; storeDir?: string} {
  const root = join(dir, `case-${c.id}`)
  mkdirSync(root)
  const files = CA_FILES[c.content].map(ca)
  const otherVar = c.otherVar === 'unset' ? undefined : join(dir, 'empty')
  const bundle = (extra: string[] = []) => {
    const path = join(root, 'bundle.pem')
    writeFileSync(path, [...files, ...extra].map((f) => readFileSync(f, 'utf8')).join(''))
    return path
  }

  const caDir = () => {
    const d = join(root, 'certs')
    mkdirSync(d)
    for (const [i, f] of files.entries()) copyFileSync(f, join(d, `ca-${i}.pem`))
    return d
  }

  switch (c.store) {
    case 'file':
      return {env: {SSL_CERT_FILE: bundle(), SSL_CERT_DIR: otherVar}}
    case 'file-broken':
      return {env: {SSL_CERT_FILE: bundle([join(dir, 'broken.pem')]), SSL_CERT_DIR: otherVar}}
    case 'dir-hashed': {
      const d = caDir()
      execFileSync('openssl', ['rehash', d], {stdio: 'pipe'})
      return {env: {SSL_CERT_DIR: d, SSL_CERT_FILE: otherVar && join(otherVar, 'none.pem')}, storeDir: d}
    }

    case 'dir-unhashed': {
      const d = caDir()
      return {env: {SSL_CERT_DIR: d, SSL_CERT_FILE: otherVar && join(otherVar, 'none.pem')}, storeDir: d}
    }

    case 'dir-misnamed': {
      // each CA under the subject hash of "other": a name OpenSSL never looks it up by
      const d = join(root, 'certs')
      mkdirSync(d)
      const hash = execFileSync('openssl', ['x509', '-in', ca('other'), '-noout', '-subject_hash'])
        .toString()
        .trim()
      for (const [i, f] of files.entries()) copyFileSync(f, join(d, `${hash}.${i}`))
      return {env: {SSL_CERT_DIR: d}, storeDir: d}
    }

    case 'dir-list': {
      const d = caDir()
      execFileSync('openssl', ['rehash', d], {stdio: 'pipe'})
      return {env: {SSL_CERT_DIR: `${join(dir, 'empty')}::${join(root, 'missing')}:${d}`}, storeDir: d}
    }

    case 'dir-shadowed': {
      // a directory with the same-name CA before the case's own: OpenSSL stops at the first
      // directory that has the name
      const d = caDir()
      execFileSync('openssl', ['rehash', d], {stdio: 'pipe'})
      const first = join(root, 'first')
      mkdirSync(first)
      copyFileSync(ca('same-name'), join(first, 'twin.pem'))
      execFileSync('openssl', ['rehash', first], {stdio: 'pipe'})
      return {env: {SSL_CERT_DIR: `${first}:${d}`}, storeDir: d}
    }

    case 'empty-vars':
      return {env: {SSL_CERT_FILE: '', SSL_CERT_DIR: ''}}
    case 'system':
      return {env: {}}
  }
}

function flagsOf(c: Case, storeDir: string | undefined): string[] | undefined {
  const tls = c.insecure ? ['--insecure'] : []
  const cafile = ['--cafile', ca(c.cafile)]
  switch (c.flag) {
    case 'os':
      return ['--tls-use-os-certs', ...tls]
    case 'os+cafile':
      return ['--tls-use-os-certs', ...cafile, ...tls]
    case 'cafile':
      return [...cafile, ...tls]
    case 'url':
    case 'url+cafile':
      return undefined // -L, below
    case 'capath':
    case 'os+capath':
      if (!storeDir) return ['--tls-use-os-certs', ...tls]
      return [...(c.flag === 'os+capath' ? ['--tls-use-os-certs'] : []), '--capath', storeDir, ...tls]
  }
}

/** A program with exactly this environment for the trust variables (nothing inherited for them). */
function runWith(cmd: string, args: string[], env: Record<string, string | undefined>): Promise<CliResult> {
  const full: NodeJS.ProcessEnv = {...process.env, HOME: home}
  for (const k of ['SSL_CERT_FILE', 'SSL_CERT_DIR', 'NODE_EXTRA_CA_CERTS', 'MQCTL_NODE_EXTRA_CA_CERTS']) delete full[k]
  for (const [k, v] of Object.entries(env)) if (v !== undefined) full[k] = v
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {env: full, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.once('error', reject)
    child.once('close', (code) => resolve({code, stdout, stderr}))
  })
}

async function verdicts(c: Case) {
  const {env, storeDir} = setUp(c)
  const flags = flagsOf(c, storeDir)
  const port = String(broker.tlsPort)
  const login = ['-u', 'admin', '-P', ADMIN_PW]
  const url = `mqtts://admin:${ADMIN_PW}@${c.host}:${port}/t`
  const urlExtra = [
    ...(c.insecure ? ['--insecure'] : []),
    ...(c.flag === 'url+cafile' ? ['--cafile', ca(c.cafile)] : []),
  ]
  const subArgs = flags
    ? ['-h', c.host, '-p', port, ...login, ...flags, '-t', 't', '-E', '-W', '5']
    : ['-L', url, ...urlExtra, '-E', '-W', '5']
  const theirs = await runWith(sub, subArgs, env)
  const mqctlArgs = flags ? ['-h', c.host, '-p', port, ...login, ...flags] : ['-L', url, ...urlExtra]
  const ours = await runWith(process.execPath, [BIN_PATH, ...mqctlArgs, 'dynsec', 'listClients'], env)
  if (ours.code !== 0 && ours.code !== 3)
    throw new Error(`mqctl exit ${ours.code} in case ${JSON.stringify(c)}: ${ours.stderr}`)
  return {mosquitto: theirs.code === 0, mqctl: ours.code === 0, theirs, ours, args: subArgs, env}
}

const BIN_PATH = join(import.meta.dirname, '..', '..', 'bin', 'run.js')

describe('trust store: mqctl agrees with mosquitto_sub on generated set-ups', () => {
  it(`${CASES} seeded cases (seed ${SEED})`, async () => {
    const cases = generate(CASES, SEED)
    const disagreements: string[] = []
    const tally = {accepted: 0, refused: 0}
    for (const c of cases) {
      const v = await verdicts(c)
      tally[v.mosquitto ? 'accepted' : 'refused']++
      if (v.mosquitto !== v.mqctl) {
        disagreements.push(
          `${JSON.stringify(c)}\n  mosquitto_sub ${v.mosquitto ? 'accepts' : 'refuses'} (${v.theirs.stderr.trim()})` +
            `\n  mqctl ${v.mqctl ? 'accepts' : 'refuses'} (${v.ours.stderr.trim().split('\n')[0]})`,
        )
      }
    }

    console.log(
      `tls trust differential: ${cases.length} cases, ${JSON.stringify(tally)}, ${disagreements.length} disagreements`,
    )
    expect(disagreements).toEqual([])
    // a differential where one side never varies proves little
    expect(tally.accepted).toBeGreaterThan(3)
    expect(tally.refused).toBeGreaterThan(3)
  }, 300_000)
})

describe('the system store', () => {
  it('is the OPENSSLDIR `openssl version -d` names, and holds what its hashed directory holds', () => {
    const theirs = /OPENSSLDIR: "(.*)"/.exec(execFileSync('openssl', ['version', '-d']).toString())![1]
    expect(systemOpensslDir()).toBe(theirs)
    const hashed = readdirSync(join(theirs, 'certs')).filter((n) => /^[0-9a-f]{8}\.\d+$/.test(n))
    expect(hashed.length).toBeGreaterThan(0)
    const dirOnly = loadOsStore({SSL_CERT_FILE: ''})
    expect(uniqueCertificates(dirOnly.dirs.flat()).length).toBe(hashed.length)
    // Debian's cert.pem is the same certificates as its directory, whose files are then not read
    const store = loadOsStore({})
    expect([store.file.length, store.dirs.flat().length]).toEqual([hashed.length, 0])
    expect(assembleTrust(store.file, store.dirs).length).toBe(hashed.length)
  })
})

// Where the oracle cannot be asked: OpenSSL opens a FIFO named by SSL_CERT_FILE, or a FIFO under a
// hash name that a lookup needs, and waits for a writer, so mosquitto_sub would hang. mqctl skips
// them (and a device) and verifies with the rest.
describe('hostile stores', () => {
  it('a FIFO as SSL_CERT_FILE, and a FIFO and /dev/zero under hash names, neither hang nor count', async () => {
    const root = join(dir, 'hostile')
    mkdirSync(root)
    execFileSync('mkfifo', [join(root, 'bundle.fifo')])
    const certs = join(root, 'certs')
    mkdirSync(certs)
    copyFileSync(ca('right'), join(certs, 'right.pem'))
    execFileSync('openssl', ['rehash', certs], {stdio: 'pipe'})
    const otherHash = execFileSync('openssl', ['x509', '-in', ca('other'), '-noout', '-subject_hash'])
      .toString()
      .trim()
    execFileSync('mkfifo', [join(certs, `${otherHash}.0`)])
    symlinkSync('/dev/zero', join(certs, '00000000.0'))
    const env = {SSL_CERT_FILE: join(root, 'bundle.fifo'), SSL_CERT_DIR: certs}
    const args = ['-h', 'localhost', '-p', String(broker.tlsPort), '-u', 'admin', '-P', ADMIN_PW]
    const started = Date.now()
    const r = await runWith(process.execPath, [BIN_PATH, ...args, '--tls-use-os-certs', 'dynsec', 'listClients'], env)
    expect([r.code, r.stdout, r.stderr]).toEqual([0, 'admin\n', ''])
    expect(Date.now() - started).toBeLessThan(15_000)
  }, 30_000)
})
