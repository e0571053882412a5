import {X509Certificate} from 'node:crypto'
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {beforeAll, describe, expect, it} from 'vitest'

import {bareHost, checkBrokerIdentity, identityError} from '../../../src/lib/connection/tls-identity.js'
import {makeCa, makeLeaf, opensslVerifies, type LeafSpec} from '../../helpers/openssl-pki.js'

// The name check alone, against `openssl verify -verify_ip/-verify_hostname` (the OpenSSL calls
// libmosquitto 2.1 makes) on certificates made by openssl; the handshake itself is tested with a
// real broker in test/integration/tls-verify.test.ts.
const SPECS: LeafSpec[] = [
  {name: 'dns', san: 'DNS:broker.example.com,DNS:*.mqtt.example.com', cn: 'x'},
  {name: 'ip', san: 'IP:10.1.2.3,IP:fd00::1', cn: 'broker.example.com'},
  {name: 'cn', cn: 'broker.example.com'},
  {name: 'upper', san: 'DNS:BROKER.Example.COM', cn: 'x'},
]
const HOSTS = [
  'broker.example.com',
  'BROKER.EXAMPLE.COM',
  'broker.example.com.',
  'a.mqtt.example.com',
  'a.b.mqtt.example.com',
  'mqtt.example.com',
  '10.1.2.3',
  '10.1.2.4',
  'fd00::1',
  '[fd00::1]',
  'fd00:0::1',
]

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mqctl-tls-identity-'))
  makeCa(dir)
  for (const spec of SPECS) makeLeaf(dir, spec)
})

describe('checkBrokerIdentity', () => {
  it(`agrees with openssl verify on ${SPECS.length} certificates × ${HOSTS.length} hosts`, () => {
    const disagreements: string[] = []
    for (const spec of SPECS) {
      const der = new X509Certificate(readFileSync(join(dir, `${spec.name}.crt`))).raw
      for (const host of HOSTS) {
        const ours = checkBrokerIdentity(host, der) === undefined
        const theirs = opensslVerifies(dir, join(dir, 'ca.crt'), join(dir, `${spec.name}.crt`), bareHost(host))
        if (ours !== theirs) disagreements.push(`${spec.name}@${host}: mqctl ${ours}, openssl ${theirs}`)
      }
    }

    expect(disagreements).toEqual([])
  })

  it('names what the certificate lists in its error', () => {
    const der = new X509Certificate(readFileSync(join(dir, 'ip.crt'))).raw
    const mismatch = checkBrokerIdentity('other.example.com', der)!
    expect(identityError(mismatch).message).toBe(
      'the certificate does not match the host name "other.example.com" (it names IP Address:10.1.2.3, IP Address:FD00:0:0:0:0:0:0:1)',
    )
    const cn = new X509Certificate(readFileSync(join(dir, 'cn.crt'))).raw
    expect(identityError(checkBrokerIdentity('10.0.0.1', cn)!).message).toBe(
      'the certificate does not match the IP address "10.0.0.1" (it names CN=broker.example.com)',
    )
  })
})
