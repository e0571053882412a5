import {execFileSync} from 'node:child_process'
import {copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {
  MAX_STORE_FILE_BYTES,
  assembleTrust,
  defaultVerifyPaths,
  loadDefaultFile,
  loadHashedDir,
  loadOsStore,
} from '../../../src/lib/connection/os-store.js'

// The store's file and directory readers on hostile input (the accept/refuse verdicts against
// mosquitto_sub are in test/integration/tls-trust-differential.test.ts).
let dir: string
let ca: string
let hash: string
const openssl = (args: string[]) => execFileSync('openssl', args, {cwd: dir, stdio: 'pipe'}).toString()

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mqctl-os-store-'))
  openssl(
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'].concat([
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-subj',
      '/CN=Store CA',
      '-days',
      '2',
    ]),
  )
  ca = join(dir, 'ca.crt')
  hash = openssl(['x509', '-in', ca, '-noout', '-subject_hash']).trim()
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

const fresh = (name: string) => {
  const d = join(dir, name)
  mkdirSync(d)
  return d
}

describe('defaultVerifyPaths', () => {
  it('takes SSL_CERT_FILE and SSL_CERT_DIR (":"-separated) over OPENSSLDIR; set but empty names nothing', () => {
    expect(defaultVerifyPaths({}, '/usr/lib/ssl')).toMatchObject({
      file: '/usr/lib/ssl/cert.pem',
      dirs: ['/usr/lib/ssl/certs'],
    })
    expect(defaultVerifyPaths({SSL_CERT_FILE: '/f.pem', SSL_CERT_DIR: '/a::/b:/a'}, '/usr/lib/ssl')).toMatchObject({
      file: '/f.pem',
      dirs: ['/a', '/b'],
    })
    expect(defaultVerifyPaths({SSL_CERT_FILE: '', SSL_CERT_DIR: ''}, '/usr/lib/ssl')).toMatchObject({
      file: undefined,
      dirs: [],
    })
    expect(defaultVerifyPaths({}, null)).toMatchObject({file: undefined, dirs: []})
  })
})

describe('loadHashedDir', () => {
  it('reads <hash>.N in sequence, only under the subject hash, and never opens a FIFO', () => {
    const d = fresh('hashed')
    copyFileSync(ca, join(d, `${hash}.0`))
    copyFileSync(ca, join(d, 'ca.pem'))
    expect(loadHashedDir(d)).toMatchObject({certificates: [{label: 'CERTIFICATE'}], unhashed: 1})

    const fifo = fresh('fifo')
    execFileSync('mkfifo', [join(fifo, `${hash}.0`)])
    copyFileSync(ca, join(fifo, `${hash}.1`))
    const started = Date.now()
    // the FIFO ends the run at .0, as an unreadable file does; .1 is never reached
    expect(loadHashedDir(fifo).certificates).toEqual([])
    expect(Date.now() - started).toBeLessThan(2000)

    const gap = fresh('gap')
    copyFileSync(ca, join(gap, `${hash}.1`))
    expect(loadHashedDir(gap).certificates).toEqual([])

    const wrong = fresh('wrong-hash')
    copyFileSync(ca, join(wrong, '00000000.0'))
    expect(loadHashedDir(wrong).certificates).toEqual([])
  })

  it('skips devices, dangling links and oversized files, and throws for a missing directory', () => {
    const d = fresh('hostile')
    symlinkSync('/dev/zero', join(d, `${hash}.0`))
    expect(loadHashedDir(d).certificates).toEqual([])
    const big = fresh('big')
    writeFileSync(join(big, `${hash}.0`), Buffer.alloc(MAX_STORE_FILE_BYTES + 1, 0x41))
    expect(loadHashedDir(big).certificates).toEqual([])
    const dangling = fresh('dangling')
    symlinkSync(join(dir, 'nowhere.pem'), join(dangling, `${hash}.0`))
    expect(loadHashedDir(dangling).certificates).toEqual([])
    expect(() => loadHashedDir(join(dir, 'no-such-dir'))).toThrow(/ENOENT/)
  })
})

describe('loadDefaultFile and loadOsStore', () => {
  it('take every certificate of the file, or none when one is broken; a FIFO or device adds nothing', () => {
    const good = loadDefaultFile(ca)
    expect(good).toHaveLength(1)
    const broken = join(dir, 'broken-bundle.pem')
    writeFileSync(broken, `${execFileSync('cat', [ca])}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n`)
    expect(loadDefaultFile(broken)).toEqual([])
    expect(loadDefaultFile('/dev/zero')).toEqual([])
    const fifo = join(dir, 'bundle.fifo')
    execFileSync('mkfifo', [fifo])
    expect(loadDefaultFile(fifo)).toEqual([])
    expect(loadDefaultFile(join(dir, 'missing.pem'))).toEqual([])
  })

  it('reads the file and each directory; a missing directory adds nothing', () => {
    const d = fresh('joined')
    copyFileSync(ca, join(d, `${hash}.0`))
    const store = loadOsStore({SSL_CERT_FILE: ca, SSL_CERT_DIR: `${d}:${join(dir, 'no-such-dir')}`})
    // the file has that name already: the directory is never asked for it, nor read
    expect([store.file.length, store.dirs.map((x) => x.length)]).toEqual([1, [0]])
    expect(store.paths.from).toBe('SSL_CERT_FILE, SSL_CERT_DIR')
    const dirOnly = loadOsStore({SSL_CERT_FILE: '', SSL_CERT_DIR: d})
    expect([dirOnly.file.length, dirOnly.dirs.map((x) => x.length)]).toEqual([0, [1]])
    expect(assembleTrust(store.file, store.dirs)).toHaveLength(1)
    const none = loadOsStore({SSL_CERT_FILE: '', SSL_CERT_DIR: ''})
    expect([none.file, none.dirs]).toEqual([[], []])
  })
})

describe('assembleTrust', () => {
  it('lets a CA file, then an earlier directory, shadow a directory certificate of the same name', () => {
    // two CAs of one name, different keys, and one of another name
    openssl(
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'].concat([
        '-keyout',
        'twin.key',
        '-out',
        'twin.crt',
        '-subj',
        '/CN=Store CA',
        '-days',
        '2',
      ]),
    )
    openssl(
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'].concat([
        '-keyout',
        'else.key',
        '-out',
        'else.crt',
        '-subj',
        '/CN=Else CA',
        '-days',
        '2',
      ]),
    )
    const [original, twin, other] = ['ca.crt', 'twin.crt', 'else.crt'].map((f) => loadDefaultFile(join(dir, f))[0])
    const keys = (certs: {key: string}[]) => certs.map((c) => c.key)
    expect(keys(assembleTrust([twin], [[original, other]]))).toEqual(keys([twin, other]))
    expect(keys(assembleTrust([], [[twin], [original, other]]))).toEqual(keys([twin, other]))
    expect(keys(assembleTrust([], [[twin, original]]))).toEqual(keys([twin, original]))
    expect(keys(assembleTrust([other, other], []))).toEqual(keys([other]))
  })
})
