import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import {describe, expect, it} from 'vitest'

import {
  GenRequestSchema,
  TLS_KEYS,
  genFlagName,
  requestFromFlags,
  resolveGenOptions,
} from '../../../src/lib/conf/gen-request.js'

const manifest = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../../oclif.manifest.json', import.meta.url)), 'utf8'),
)

describe('config gen request from flags', () => {
  it('every request key has its flag in config gen, named by genFlagName', () => {
    const flags = Object.keys(manifest.commands['config:gen'].flags)
    for (const key of Object.keys(GenRequestSchema.shape)) expect(flags).toContain(genFlagName(key))
    expect(genFlagName('useIdentityAsUsername')).toBe('use-identity-as-username')
  })

  it('reads each key from its flag; an off switch says nothing, --no-allow-anonymous does', () => {
    const r = requestFromFlags({
      'tls-listener': ['8883'],
      'cert-dir': 'certs',
      'require-certificate': false,
      'allow-anonymous': false,
      force: true,
    })
    expect(r).toEqual({tlsListener: ['8883'], certDir: 'certs', allowAnonymous: false})
  })

  it('each TLS key without a TLS listener is a usage error naming its flag', () => {
    const values: Record<string, unknown> = {certDir: 'd', requireCertificate: true, tlsVersion: 'tlsv1.2'}
    for (const key of TLS_KEYS) {
      const request = {listener: ['1883'], [key]: values[key] ?? (key.endsWith('file') ? 'f' : true)}
      expect(() => resolveGenOptions(request, {cwd: '/', found: {}})).toThrow(
        `--${genFlagName(key)} needs a TLS listener`,
      )
    }
  })
})
