import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {rng} from '../../helpers/rng.js'
import {parseCertificate, pemBlocks, readCertificates, subjectHash} from '../../../src/lib/connection/pem.js'

// OpenSSL is the oracle for the subject-name hash (`openssl x509 -subject_hash`, the name
// `openssl rehash` gives a CA in a hashed directory): seeded names with mixed case, runs of
// white space at both ends and inside, UTF-8, multi-valued RDNs, and the string types OpenSSL
// picks under two string masks (UTF8String only; Printable/T61/BMP).
let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mqctl-pem-'))
  execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'k.pem'], {
    cwd: dir,
  })
  for (const mask of ['utf8only', 'default']) {
    writeFileSync(join(dir, `${mask}.cnf`), `[req]\ndistinguished_name=dn\nstring_mask=${mask}\n[dn]\n`)
  }
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

const PIECES = ['Broker', 'ÉCOLE', 'müNCHEN', 'Ωmega', '東京', 'a.b-c', 'x', 'MQTT CA', '  Spaced  ', 'Tab\there', 'ZZ']
const ATTRS = ['CN', 'O', 'OU', 'L', 'ST', 'emailAddress', 'serialNumber', 'DC']
// IA5String and PrintableString attributes: ASCII only.
const ASCII_ONLY = new Set(['emailAddress', 'serialNumber', 'DC'])
const ASCII = ['Broker', 'a.b-c', 'x', 'MQTT CA', 'ZZ']

function randomSubject(next: () => number): string {
  const pick = <T>(xs: T[]) => xs[Math.floor(next() * xs.length)]
  const rdns: string[] = []
  const count = 1 + Math.floor(next() * 4)
  for (let i = 0; i < count; i++) {
    const avas: string[] = []
    for (let j = next() < 0.2 ? 2 : 1; j > 0; j--) {
      const attr = pick(ATTRS)
      const pieces = ASCII_ONLY.has(attr) ? ASCII : PIECES
      let value = pick(pieces)
      if (next() < 0.4) value = `${' '.repeat(Math.floor(next() * 3))}${value}  ${pick(pieces)}`
      if (next() < 0.3) value = value.toUpperCase()
      avas.push(`${attr}=${value}`)
    }

    rdns.push(avas.join('+'))
  }

  return `/${rdns.join('/')}`
}

describe('subjectHash', () => {
  it('agrees with openssl x509 -subject_hash on 60 seeded names', () => {
    const next = rng(20261201)
    let compared = 0
    for (let i = 0; i < 60; i++) {
      const subject = randomSubject(next)
      const mask = i % 2 ? 'default' : 'utf8only'
      const crt = join(dir, `c${i}.pem`)
      const args = ['req', '-x509', '-new', '-key', 'k.pem', '-config', `${mask}.cnf`, '-utf8', '-multivalue-rdn']
      try {
        execFileSync('openssl', [...args, '-subj', subject, '-days', '1', '-out', crt], {cwd: dir, stdio: 'pipe'})
      } catch {
        continue // a value the attribute cannot hold (a non-printable serialNumber): OpenSSL made nothing
      }

      const theirs = execFileSync('openssl', ['x509', '-in', crt, '-noout', '-subject_hash']).toString().trim()
      const cert = readCertificates(readFileSync(crt, 'utf8')).certificates[0]
      expect({subject, mask, hash: subjectHash(cert.subject)}).toEqual({subject, mask, hash: theirs})
      compared++
    }

    expect(compared).toBeGreaterThan(50)
  })

  it('agrees on values past the short DER length forms (128 and 300 bytes, multi-valued)', () => {
    for (const [i, subject] of [`/DC=${'a'.repeat(130)}`, `/DC=${'B'.repeat(300)}+DC=x/CN=  Long   Name `].entries()) {
      const crt = join(dir, `long${i}.pem`)
      const args = ['req', '-x509', '-new', '-key', 'k.pem', '-config', 'utf8only.cnf', '-utf8', '-multivalue-rdn']
      execFileSync('openssl', [...args, '-subj', subject, '-days', '1', '-out', crt], {cwd: dir, stdio: 'pipe'})
      const theirs = execFileSync('openssl', ['x509', '-in', crt, '-noout', '-subject_hash']).toString().trim()
      const cert = readCertificates(readFileSync(crt, 'utf8')).certificates[0]
      expect(subjectHash(cert.subject)).toBe(theirs)
    }
  })

  it('hashes an empty name as OpenSSL does (SHA-1 of nothing)', () => {
    expect(subjectHash(Buffer.from([0x30, 0x00]))).toBe('eea339da')
  })
})

describe('readCertificates', () => {
  it('reads good blocks, skips other labels, and stops at the first broken certificate', () => {
    const good = readFileSync(join(dir, 'c0.pem'), 'utf8')
    const body = pemBlocks(good)[0].body
    const truncated = `-----BEGIN CERTIFICATE-----\n${body.slice(0, 40)}\n-----END CERTIFICATE-----\n`
    const badChars = `-----BEGIN CERTIFICATE-----\n${body.replace(/[A-Z]/, '*')}-----END CERTIFICATE-----\n`
    const key = readFileSync(join(dir, 'k.pem'), 'utf8')
    expect(readCertificates(`${key}${good}`)).toMatchObject({blocks: 1, certificates: [{label: 'CERTIFICATE'}]})
    expect(readCertificates(`${key}${good}`).broken).toBeUndefined()
    expect(readCertificates(`${good}${truncated}${good}`)).toMatchObject({blocks: 3, broken: 2})
    expect(readCertificates(`${good}${badChars}`)).toMatchObject({blocks: 2, broken: 2})
    expect(readCertificates('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n').broken).toBe(1)
    expect(readCertificates(key)).toMatchObject({blocks: 0, certificates: []})
  })

  it('never throws on random bytes in a certificate block', () => {
    const next = rng(7)
    for (let i = 0; i < 500; i++) {
      const bytes = Buffer.from(Array.from({length: Math.floor(next() * 300)}, () => Math.floor(next() * 256)))
      if (next() < 0.5) bytes[0] = 0x30
      const text = `-----BEGIN CERTIFICATE-----\n${bytes.toString('base64')}\n-----END CERTIFICATE-----\n`
      const [block] = pemBlocks(text)
      const cert = parseCertificate(block)
      if (cert) expect(() => subjectHash(cert.subject)).not.toThrow()
    }
  })
})
