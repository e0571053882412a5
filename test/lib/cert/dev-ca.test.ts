import {spawn, spawnSync} from 'node:child_process'
import {X509Certificate, createPrivateKey} from 'node:crypto'
import {
  chmodSync,
  copyFileSync,
  existsSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

import {describe, expect, it} from 'vitest'

import {tempDirs} from '../../helpers/temp-dirs.js'

import {createCa, createClientCert, createServerCert} from '../../../src/lib/cert/dev-ca.js'
import {repairPair} from '../../../src/lib/cert/pair.js'
import {MqctlError} from '../../../src/lib/errors.js'

const REPO = fileURLToPath(new URL('../../../', import.meta.url))
const DEV_CA_JS = pathToFileURL(join(REPO, 'dist/lib/cert/dev-ca.js')).href
const {fresh} = tempDirs('cert')

const matches = (dir: string, key: string, cert: string) =>
  new X509Certificate(readFileSync(join(dir, cert))).checkPrivateKey(createPrivateKey(readFileSync(join(dir, key))))

const failure = async (p: Promise<unknown>) => {
  const e = await p.then(
    () => undefined,
    (error: unknown) => error,
  )
  expect(e).toBeInstanceOf(MqctlError)
  return e as MqctlError
}

describe('cert ca / server / client', () => {
  it('keys 0600, certificates 0644, signed by the CA, pairs matching', async () => {
    const dir = fresh()
    await createCa({out: join(dir, 'pki')})
    await createServerCert({ca: join(dir, 'pki'), out: join(dir, 'srv'), hosts: ['localhost'], ips: ['127.0.0.1']})
    await createClientCert({ca: join(dir, 'pki'), out: join(dir, 'cl'), commonName: 'sensor'})
    const ca = new X509Certificate(readFileSync(join(dir, 'pki', 'ca.crt')))
    for (const [d, k] of [
      ['pki', 'ca'],
      ['srv', 'server'],
      ['cl', 'client'],
    ]) {
      expect(statSync(join(dir, d, `${k}.key`)).mode & 0o777).toBe(0o600)
      expect(statSync(join(dir, d, `${k}.crt`)).mode & 0o777).toBe(0o644)
      expect(matches(join(dir, d), `${k}.key`, `${k}.crt`)).toBe(true)
      expect(new X509Certificate(readFileSync(join(dir, d, `${k}.crt`))).checkIssued(ca)).toBe(true)
    }
  })

  it('existing files are kept without --force (FILE_EXISTS, exit 5)', async () => {
    const dir = fresh()
    await createCa({out: dir})
    const before = readFileSync(join(dir, 'ca.key'))
    const e = await failure(createCa({out: dir}))
    expect([e.code, e.exit]).toEqual(['FILE_EXISTS', 5])
    expect(readFileSync(join(dir, 'ca.key')).equals(before)).toBe(true)
  })

  it('--force replaces the pair and tightens an old 0644 key to 0600', async () => {
    const dir = fresh()
    await createCa({out: dir})
    chmodSync(join(dir, 'ca.key'), 0o644)
    const old = readFileSync(join(dir, 'ca.key'))
    await createCa({out: dir, force: true})
    expect(readFileSync(join(dir, 'ca.key')).equals(old)).toBe(false)
    expect(statSync(join(dir, 'ca.key')).mode & 0o777).toBe(0o600)
    expect(matches(dir, 'ca.key', 'ca.crt')).toBe(true)
  })
})

describe('the output directory', () => {
  // Node's recursive mkdir spins forever on /proc (ENOENT from every level) and reports ENOENT
  // for a read-only file system: the error must be the real one, and come at once.
  it('an uncreatable --out under /proc fails at once with a file error (exit 5), no spin', async () => {
    const e = await failure(createCa({out: `/proc/self/mqctl-nonexistent-${process.pid}/ca`}))
    expect(e.code).toMatch(/^FILE_/)
  }, 5000)

  it('missing parents are created', async () => {
    const out = join(fresh(), 'a', 'b', 'ca')
    await createCa({out})
    expect(existsSync(join(out, 'ca.crt'))).toBe(true)
  })
})

describe('the CA is checked before it signs (exit 5, documented codes, never "a bug")', () => {
  it('a ca.key from another CA: FILE_CA_MISMATCH', async () => {
    const dir = fresh()
    await createCa({out: join(dir, 'a')})
    await createCa({out: join(dir, 'b')})
    copyFileSync(join(dir, 'b', 'ca.key'), join(dir, 'a', 'ca.key'))
    const e = await failure(createServerCert({ca: join(dir, 'a'), out: join(dir, 'srv'), hosts: ['x']}))
    expect([e.code, e.exit]).toEqual(['FILE_CA_MISMATCH', 5])
    expect(existsSync(join(dir, 'srv', 'server.crt'))).toBe(false)
  })

  it('a server certificate given as the CA: FILE_CA_NOT_CA', async () => {
    const dir = fresh()
    await createCa({out: join(dir, 'pki')})
    await createServerCert({ca: join(dir, 'pki'), out: join(dir, 'srv'), hosts: ['x']})
    copyFileSync(join(dir, 'srv', 'server.crt'), join(dir, 'srv', 'ca.crt'))
    copyFileSync(join(dir, 'srv', 'server.key'), join(dir, 'srv', 'ca.key'))
    const e = await failure(createClientCert({ca: join(dir, 'srv'), out: join(dir, 'cl'), commonName: 'c'}))
    expect([e.code, e.exit]).toEqual(['FILE_CA_NOT_CA', 5])
  })

  it('junk ca.crt variants each get their code', async () => {
    const variants: Array<[string, (f: string) => void, string, RegExp]> = [
      ['empty', (f) => writeFileSync(f, ''), 'FILE_CA_CERT', /is empty/],
      ['binary', (f) => writeFileSync(f, Buffer.from([0xff, 0xd8, 0, 1, 2, 3, 0x80])), 'FILE_CA_CERT', /no PEM/],
      ['truncated PEM', (f) => writeFileSync(f, readFileSync(f).subarray(0, 200)), 'FILE_CA_CERT', /truncated/],
      [
        'damaged PEM',
        (f) => writeFileSync(f, readFileSync(f, 'utf8').replace(/\n[A-Za-z0-9+/]{20}/, '\n!!!!')),
        'FILE_CA_CERT',
        /damaged|no PEM/,
      ],
      ['DER', (f) => writeFileSync(f, new X509Certificate(readFileSync(f)).raw), 'FILE_CA_CERT', /DER, not PEM/],
      [
        'FIFO',
        (f) => {
          rmSync(f)
          spawnSync('mkfifo', [f])
        },
        'FILE_NOT_REGULAR',
        /FIFO/,
      ],
      [
        '/dev/zero',
        (f) => {
          rmSync(f)
          symlinkSync('/dev/zero', f)
        },
        'FILE_NOT_REGULAR',
        /character device/,
      ],
      ['missing', (f) => rmSync(f), 'FILE_CA', /does not exist/],
    ]
    for (const [name, damage, code, message] of variants) {
      const dir = fresh()
      await createCa({out: dir})
      damage(join(dir, 'ca.crt'))
      const e = await failure(createClientCert({ca: dir, out: join(dir, 'out'), commonName: 'c'}))
      expect([name, e.code, e.exit]).toEqual([name, code, 5])
      expect(e.message, name).toMatch(message)
    }
  })

  it('a junk ca.key: FILE_CA_KEY', async () => {
    const dir = fresh()
    await createCa({out: dir})
    writeFileSync(join(dir, 'ca.key'), 'not a key\n')
    const e = await failure(createClientCert({ca: dir, out: join(dir, 'out'), commonName: 'c'}))
    expect([e.code, e.exit]).toEqual(['FILE_CA_KEY', 5])
  })
})

describe('a crash between the key and the certificate rename', () => {
  it('leaves a pending certificate that the next read renames into place', async () => {
    const dir = fresh()
    await createCa({out: dir})
    const oldCert = readFileSync(join(dir, 'ca.crt'))
    await createCa({out: join(dir, 'next')})
    // the state after "rename key" and before "rename cert": new key, old cert, pending new cert
    copyFileSync(join(dir, 'next', 'ca.key'), join(dir, 'ca.key'))
    copyFileSync(join(dir, 'next', 'ca.crt'), join(dir, '.ca.crt.mqctl-new'))
    expect(matches(dir, 'ca.key', 'ca.crt')).toBe(false)
    await createServerCert({ca: dir, out: join(dir, 'srv'), hosts: ['x']})
    expect(matches(dir, 'ca.key', 'ca.crt')).toBe(true)
    expect(readFileSync(join(dir, 'ca.crt')).equals(oldCert)).toBe(false)
    expect(existsSync(join(dir, '.ca.crt.mqctl-new'))).toBe(false)
  })

  it('before the commit (a pending key) the old pair stands and the pending files go', async () => {
    const dir = fresh()
    await createCa({out: dir})
    await createCa({out: join(dir, 'next')})
    renameSync(join(dir, 'next', 'ca.key'), join(dir, '.ca.key.mqctl-new'))
    renameSync(join(dir, 'next', 'ca.crt'), join(dir, '.ca.crt.mqctl-new'))
    expect(await repairPair({dir, key: 'ca.key', cert: 'ca.crt'})).toBe(false)
    expect(matches(dir, 'ca.key', 'ca.crt')).toBe(true)
    expect(existsSync(join(dir, '.ca.key.mqctl-new')) || existsSync(join(dir, '.ca.crt.mqctl-new'))).toBe(false)
  })

  it('≥ 20 kill -9 during `cert ca --force`: the pair matches, or is repaired to match by the next run', async () => {
    const dir = fresh()
    const script = join(dir, 'loop.mjs')
    writeFileSync(
      script,
      `import {createCa} from ${JSON.stringify(DEV_CA_JS)}
const [out] = process.argv.slice(2)
let i = 0
for (;;) {
  await createCa({out, force: true})
  if (++i === 2) process.stdout.write('looping\\n')
}
`,
    )
    const out = join(dir, 'pki')
    let seed = 5
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648
    let kills = 0
    let repaired = 0
    const started = Date.now()
    while (kills < 20 && Date.now() - started < 35_000) {
      const child = spawn(process.execPath, [script, out], {stdio: ['ignore', 'pipe', 'pipe']})
      let stderr = ''
      child.stderr.on('data', (d) => (stderr += d))
      const exited = new Promise((resolve) => child.once('exit', resolve))
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', () => resolve())
        child.once('exit', () => reject(new Error(`loop exited early: ${stderr}`)))
      })
      await new Promise((r) => setTimeout(r, random() * 30))
      child.kill('SIGKILL')
      await exited
      kills++
      if (!matches(out, 'ca.key', 'ca.crt')) {
        // only the window between the two renames: the pending certificate is the key's
        expect(matches(out, 'ca.key', '.ca.crt.mqctl-new')).toBe(true)
        expect(await repairPair({dir: out, key: 'ca.key', cert: 'ca.crt'})).toBe(true)
        repaired++
      }

      expect(matches(out, 'ca.key', 'ca.crt')).toBe(true)
      expect(statSync(join(out, 'ca.key')).mode & 0o777).toBe(0o600)
    }

    expect(kills).toBeGreaterThanOrEqual(20)
    expect(repaired).toBeLessThanOrEqual(kills)
  }, 50_000)
})
