import {execFileSync, spawn} from 'node:child_process'
import {
  chmodSync,
  chownSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import {createRequire} from 'node:module'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {Script} from 'node:vm'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startBroker, type Broker} from '../helpers/broker.js'
import {BIN, isolatedHome, mqctl, type CliResult} from '../helpers/cli.js'
import {makeCa, makeLeaf} from '../helpers/openssl-pki.js'

// bin/run.js as users run it: executed (its shell line runs), not `node bin/run.js` as the other
// tests do. The shell line defers NODE_EXTRA_CA_CERTS; the JavaScript loads the bundle through
// V8's code cache (dist/bundle/cache) and must give the same answers without one.
const ROOT = join(dirname(BIN), '..')
const dir = mkdtempSync(join(tmpdir(), 'mqctl-launcher-'))
const {frame, readTrusted} = createRequire(import.meta.url)(BIN) as {
  frame: (data: Buffer) => Buffer
  readTrusted: (file: string, owners: Set<number | undefined>) => Buffer | undefined
}

function exec(
  file: string,
  args: string[],
  env: Record<string, string | undefined> = {},
  input = '',
): Promise<CliResult> {
  const full: Record<string, string | undefined> = {...process.env, HOME: isolatedHome(), NO_COLOR: '1', ...env}
  for (const k of Object.keys(full)) if (full[k] === undefined) delete full[k]
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {env: full as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.once('error', reject)
    child.once('close', (code) => resolve({code, stdout, stderr}))
    child.stdin.on('error', () => {})
    child.stdin.end(input)
  })
}

describe('the shell line of bin/run.js', () => {
  // A `node` first on PATH that prints what it was given: the line's own behaviour, exactly.
  const fake = join(dir, 'fake-bin')
  mkdirSync(fake)
  writeFileSync(
    join(fake, 'node'),
    '#!/bin/sh\nprintf "extra=%s deferred=%s\\n" "${NODE_EXTRA_CA_CERTS-unset}" "${MQCTL_NODE_EXTRA_CA_CERTS-unset}"\n' +
      'for a in "$@"; do printf "[%s]\\n" "$a"; done\n',
  )
  chmodSync(join(fake, 'node'), 0o755)
  const PATH = `${fake}:${process.env.PATH}`
  const base = {PATH, MQCTL_NODE_EXTRA_CA_CERTS: undefined, NODE_OPTIONS: undefined, NODE_USE_SYSTEM_CA: undefined}

  it('moves NODE_EXTRA_CA_CERTS aside and passes every argument through unchanged', async () => {
    const args = ['dynsec', 'getClient', 'a b', '', '*', '$HOME', '--', '-x', "it's"]
    const r = await exec(BIN, args, {...base, NODE_EXTRA_CA_CERTS: '/x/ca.pem'})
    expect(r).toEqual({
      code: 0,
      stderr: '',
      stdout: `extra=unset deferred=/x/ca.pem\n${[BIN, ...args].map((a) => `[${a}]\n`).join('')}`,
    })
  })

  it('leaves the environment alone without NODE_EXTRA_CA_CERTS, or when NODE_OPTIONS may change the store', async () => {
    expect((await exec(BIN, ['x'], {...base, NODE_EXTRA_CA_CERTS: undefined})).stdout).toBe(
      `extra=unset deferred=unset\n[${BIN}]\n[x]\n`,
    )
    for (const env of [{NODE_OPTIONS: '--use-openssl-ca'}, {NODE_USE_SYSTEM_CA: '1'}])
      expect((await exec(BIN, [], {...base, ...env, NODE_EXTRA_CA_CERTS: '/x/ca.pem'})).stdout).toBe(
        `extra=/x/ca.pem deferred=unset\n[${BIN}]\n`,
      )
  })

  it('runs through a symbolic link, as npm install -g links it', async () => {
    const link = join(dir, 'mqctl-link')
    symlinkSync(BIN, link)
    expect((await exec(link, ['--version'], {NODE_EXTRA_CA_CERTS: '/x/ca.pem'})).stdout).toMatch(/^mqctl\/\S+ /)
  })
})

describe('the code cache', () => {
  // A copy of the package's run-time files, so its cache can be removed and damaged freely.
  const pkg = join(dir, 'pkg')
  const bundleDir = join(pkg, 'dist', 'bundle')
  const cacheDir = join(bundleDir, 'cache')
  const acl = join(dir, 'acl')
  const bin = join(pkg, 'bin', 'run.js')
  beforeAll(() => {
    mkdirSync(join(pkg, 'bin'), {recursive: true})
    mkdirSync(bundleDir, {recursive: true})
    for (const f of ['package.json', 'oclif.manifest.json', 'bin/run.js', 'bin/package.json', 'dist/bundle/main.cjs'])
      copyFileSync(join(ROOT, f), join(pkg, f))
    symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'))
    symlinkSync(join(ROOT, 'dist', 'commands'), join(pkg, 'dist', 'commands'))
    symlinkSync(join(ROOT, 'dist', 'lib'), join(pkg, 'dist', 'lib'))
    symlinkSync(join(ROOT, 'dist', 'base'), join(pkg, 'dist', 'base'))
    symlinkSync(join(ROOT, 'dist', 'cli'), join(pkg, 'dist', 'cli'))
    writeFileSync(acl, 'topic read a/#\nuser bob\ntopic readx b\n')
  })

  const cacheFiles = () => {
    try {
      return readdirSync(cacheDir).filter((f) => f.endsWith('.bin'))
    } catch {
      return []
    }
  }

  const forms = [
    ['acl', 'lint', acl],
    ['acl', 'lint', acl, '--json'],
    // oclif's path: its dynamic imports run from code read out of the cache.
    ['acl', 'check', acl, '--user', 'bob', '--topic', 'b', '--access', 'read'],
    ['dynsec', 'getClient', 'x', '--unix', join(dir, 'none')],
    ['--version'],
  ]
  const reference = async () => Promise.all(forms.map((args) => mqctl(args)))

  it('is written by the first run, used by the next, and gives the answers of the plain bundle', async () => {
    const want = await reference()
    expect(cacheFiles()).toEqual([])
    for (const [i, args] of forms.entries()) {
      const got = await exec(bin, args)
      expect({args, ...got}).toEqual({args, ...want[i]})
      if (i === 0) expect(cacheFiles()).toEqual([`main-${buildId()}-${process.version}-${process.arch}.bin`])
    }

    const file = join(cacheDir, cacheFiles()[0])
    const before = statSync(file).mtimeMs
    expect((await exec(bin, forms[0])).code).toBe(1)
    expect(statSync(file).mtimeMs).toBe(before)
  }, 120_000)

  it('falls back to compiling from source when the cache is damaged, foreign or unwritable', async () => {
    const want = await reference()
    const name = `main-${buildId()}-${process.version}-${process.arch}.bin`
    const file = join(cacheDir, name)
    const good = readFileSync(file)
    const flipped = Buffer.from(good)
    for (let i = 20; i < flipped.length; i += 997) flipped[i] ^= 0x5a
    const damaged: Array<[string, Buffer]> = [
      ['bytes flipped in place', flipped],
      ['truncated', good.subarray(0, good.length >> 1)],
      ['empty', Buffer.alloc(0)],
      ['random', Buffer.from(Array.from({length: 4096}, (_, i) => (i * 7919) & 255))],
      // Intact, but V8's data for another source under this build's name.
      ['another source', frame(new Script('"another source"').createCachedData())],
    ]
    for (const [what, bytes] of damaged) {
      writeFileSync(file, bytes)
      for (const [i, args] of forms.entries()) {
        const got = await exec(bin, args)
        expect({what, args, ...got}).toEqual({what, args, ...want[i]})
      }

      // The first run replaced it with an intact cache.
      expect(readFileSync(file).equals(bytes)).toBe(false)
    }

    // Another node version's file is not read; a cache directory that cannot be made is no error.
    writeFileSync(join(cacheDir, `main-${buildId()}-v0.0.0-${process.arch}.bin`), flipped)
    expect(await exec(bin, forms[0])).toEqual(want[0])
    rmSync(cacheDir, {recursive: true})
    writeFileSync(cacheDir, 'not a directory')
    for (const [i, args] of forms.entries()) expect(await exec(bin, args)).toEqual(want[i])
    rmSync(cacheDir)
  }, 240_000)

  it('is neither read nor written where another user could have put it, and a FIFO there does not hang', async () => {
    const want = await reference()
    const name = `main-${buildId()}-${process.version}-${process.arch}.bin`
    const file = join(cacheDir, name)
    rmSync(cacheDir, {recursive: true, force: true})
    expect(await exec(bin, forms[0])).toEqual(want[0])
    const good = readFileSync(file)
    const me = new Set([process.getuid?.()])
    const read = (f: string) => {
      try {
        return readTrusted(f, me)
      } catch {
        return undefined // ELOOP, ENOENT: no cache either
      }
    }

    expect(read(file)?.equals(good)).toBe(true)
    // A file another user owns, one others may write, a link to a good cache: not read.
    chownSync(file, 54321, 54321)
    expect(read(file)).toBeUndefined()
    chownSync(file, process.getuid!(), process.getgid!())
    chmodSync(file, 0o666)
    expect(read(file)).toBeUndefined()
    chmodSync(file, 0o644)
    const elsewhere = join(dir, 'elsewhere.bin')
    writeFileSync(elsewhere, good)
    rmSync(file)
    symlinkSync(elsewhere, file)
    expect(read(file)).toBeUndefined()
    rmSync(file)
    // A world-writable cache directory (an install under umask 0): the good cache in it is not
    // read, and no run writes one there.
    writeFileSync(file, good)
    chmodSync(cacheDir, 0o777)
    expect(read(file)).toBeUndefined()
    rmSync(file)
    expect(await exec(bin, forms[0])).toEqual(want[0])
    expect(cacheFiles()).toEqual([])
    chmodSync(cacheDir, 0o755)
    // A FIFO under the cache's name: the run neither blocks on it nor replaces it.
    execFileSync('mkfifo', [file])
    const started = Date.now()
    expect(await exec(bin, forms[0])).toEqual(want[0])
    expect(Date.now() - started).toBeLessThan(20_000)
    expect(statSync(file).isFIFO()).toBe(true)
    rmSync(file)
  }, 120_000)

  it('is not used for a bundle without the build mark', async () => {
    const text = readFileSync(join(ROOT, 'dist', 'bundle', 'main.cjs'), 'utf8')
    writeFileSync(join(bundleDir, 'main.cjs'), text.slice(text.indexOf('\n') + 1))
    const want = await reference()
    for (const [i, args] of forms.entries()) expect(await exec(bin, args)).toEqual(want[i])
    expect(cacheFiles()).toEqual([])
    copyFileSync(join(ROOT, 'dist', 'bundle', 'main.cjs'), join(bundleDir, 'main.cjs'))
  }, 120_000)

  function buildId(): string {
    return /^\/\/ mqctl-build ([0-9a-f]+)\n/.exec(readFileSync(join(bundleDir, 'main.cjs'), 'utf8'))![1]
  }
})

describe('NODE_EXTRA_CA_CERTS, deferred to the TLS connection', () => {
  const ADMIN_PW = 'adminpw'
  let broker: Broker
  beforeAll(async () => {
    const pki = join(dir, 'pki')
    mkdirSync(pki)
    makeCa(pki)
    const leaf = makeLeaf(pki, {name: 'server', san: 'DNS:localhost,IP:127.0.0.1', cn: 'localhost'})
    const configFile = join(dir, 'dynsec.json')
    const init = await mqctl(['dynsec', 'init', configFile, 'admin', '--password-stdin'], {input: `${ADMIN_PW}\n`})
    expect(init.code).toBe(0)
    broker = await startBroker({
      dynsec: {configFile},
      tls: {cafile: join(pki, 'ca.crt'), certfile: leaf.crt, keyfile: leaf.key},
    })
  })
  afterAll(async () => broker?.stop())

  const args = () => [
    '-h',
    'localhost',
    '-p',
    String(broker.tlsPort),
    '--tls-use-os-certs',
    '-u',
    'admin',
    '-P',
    ADMIN_PW,
  ]

  it('trusts the file on the fast and the oclif path, as node itself does, and only with it', async () => {
    const caFile = join(dir, 'pki', 'ca.crt')
    expect(readFileSync(caFile, 'utf8')).toContain('BEGIN CERTIFICATE')
    for (const fast of ['1', '0']) {
      const env = {NODE_EXTRA_CA_CERTS: caFile, MQCTL_FAST: fast, NODE_OPTIONS: undefined}
      const launched = await exec(BIN, [...args(), 'dynsec', 'listClients'], env)
      // node bin/run.js: no shell line, node loads the file at start-up.
      const plain = await mqctl([...args(), 'dynsec', 'listClients'], {env})
      expect({fast, ...launched}).toEqual({fast, ...plain})
      expect(launched.code).toBe(0)
      expect(launched.stdout).toBe('admin\n')
      const without = await exec(BIN, [...args(), 'dynsec', 'listClients'], {...env, NODE_EXTRA_CA_CERTS: undefined})
      expect({fast, code: without.code}).toEqual({fast, code: 3})
    }
  }, 120_000)

  // The deferred file joins the system OpenSSL store mqctl uses in place of node's (here it
  // trusts the broker's CA through SSL_CERT_FILE, whatever node's --use-openssl-ca says). Each
  // case: node loading NODE_EXTRA_CA_CERTS itself versus the same file deferred, as the shell
  // line defers it: the same verdict, and the same blocks read from it.
  it('adds the deferred file to the system store, and reads from it what node reads', async () => {
    const pki = join(dir, 'pki')
    const other = join(dir, 'pki-other')
    mkdirSync(other, {recursive: true})
    const otherCa = makeCa(other)
    const trusted = join(dir, 'ca-trusted.pem')
    execFileSync('openssl', [
      'x509',
      '-in',
      join(pki, 'ca.crt'),
      '-addtrust',
      'serverAuth',
      '-trustout',
      '-out',
      trusted,
    ])
    const cases: Array<[string, string[], Record<string, string>]> = [
      ['OpenSSL store', ['--use-openssl-ca'], {SSL_CERT_FILE: join(pki, 'ca.crt'), EXTRA: otherCa}],
      ['TRUSTED CERTIFICATE block', [], {EXTRA: trusted}],
    ]
    for (const [what, flags, {EXTRA, ...env}] of cases) {
      const run = (extra: Record<string, string | undefined>) =>
        exec(process.execPath, [...flags, BIN, ...args(), 'dynsec', 'listClients'], {
          SSL_CERT_DIR: undefined,
          SSL_CERT_FILE: undefined,
          NODE_OPTIONS: undefined,
          ...env,
          ...extra,
        })
      const byNode = await run({NODE_EXTRA_CA_CERTS: EXTRA, MQCTL_NODE_EXTRA_CA_CERTS: undefined})
      const deferred = await run({MQCTL_NODE_EXTRA_CA_CERTS: EXTRA, NODE_EXTRA_CA_CERTS: undefined})
      expect({what, ...deferred}).toEqual({what, ...byNode})
      if (what === 'OpenSSL store') expect(byNode.code).toBe(0)
    }
  }, 60_000)

  // NODE_EXTRA_CA_CERTS extends the system store, so it counts wherever that store does: with
  // --tls-use-os-certs also when --cafile is given, and not with --cafile alone.
  it('joins the system store with --tls-use-os-certs --cafile, and is not read for --cafile alone', async () => {
    const other = join(dir, 'pki-extra-other')
    mkdirSync(other, {recursive: true})
    const otherCa = makeCa(other)
    const env = {NODE_EXTRA_CA_CERTS: join(dir, 'pki', 'ca.crt'), NODE_OPTIONS: undefined}
    const both = await exec(BIN, [...args(), '--cafile', otherCa, 'dynsec', 'listClients'], env)
    expect([both.code, both.stdout]).toEqual([0, 'admin\n'])
    const cafileOnly = args().filter((a) => a !== '--tls-use-os-certs')
    const alone = await exec(BIN, [...cafileOnly, '--cafile', otherCa, 'dynsec', 'listClients'], env)
    expect(alone.code).toBe(3)
  }, 60_000)

  it('warns like node when the file cannot be read, and verifies without it', async () => {
    const missing = join(dir, 'no-such-ca.pem')
    const r = await exec(BIN, [...args(), 'dynsec', 'listClients'], {NODE_EXTRA_CA_CERTS: missing})
    expect(r.code).toBe(3)
    expect(r.stderr).toContain(`Warning: Ignoring extra certs from \`${missing}\`, load failed:`)
  }, 60_000)
})
