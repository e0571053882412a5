import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {resolveConnection} from '../../../src/lib/connection/resolve.js'
import {resolvedConnectionSchema} from '../../../src/lib/connection/resolved.js'

// resolveConnection no longer parses its result with zod (start-up time); the schema stays the
// reference for what it returns, over a spread of flag combinations.
describe('resolveConnection output', () => {
  it('matches resolvedConnectionSchema', async () => {
    const home = mkdtempSync(join(tmpdir(), 'mqctl-resolved-'))
    const cases: Array<Record<string, string | true>> = [
      {},
      {host: 'b', port: '1884', username: 'u', pw: 'p', qos: '2', 'protocol-version': '311'},
      {url: 'mqtts://u:p@b:8884/t', insecure: true, 'tls-version': 'tlsv1.3', 'tls-alpn': 'mqtt'},
      {unix: '/run/m.sock', quiet: true, debug: true, nodelay: true, timeout: '3'},
      {proxy: 'socks5h://x:y@p:1080', id: 'c1', 'protocol-version': '31'},
      {psk: 'aabb', 'psk-identity': 'me', port: '8883'},
      {cafile: '/nonexistent/ca.pem'},
    ]
    for (const flags of cases) {
      const c = await resolveConnection({flags: new Map(Object.entries(flags)), env: {HOME: home}})
      const parsed = resolvedConnectionSchema.safeParse(c)
      expect([flags, parsed.success ? 'ok' : parsed.error.issues]).toEqual([flags, 'ok'])
    }
  })
})
