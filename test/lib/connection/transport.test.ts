import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {resolveConnection} from '../../../src/lib/connection/resolve.js'
import {openTransport, transportError} from '../../../src/lib/connection/transport.js'
import type {MqctlError} from '../../../src/lib/errors.js'

/** A local port nothing listens on (bound, then closed): connecting is refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as {port: number}
  await new Promise((resolve) => server.close(resolve))
  return port
}

describe('transportError', () => {
  it("names each connection's own --capath in the untrusted-certificate hint, not the last one built", async () => {
    const root = mkdtempSync(join(tmpdir(), 'mqctl-transport-'))
    const port = String(await closedPort())
    const connectionWith = async (name: string) => {
      // A directory with a CA under a name OpenSSL never opens: the hint says to rehash it.
      const dir = join(root, name)
      mkdirSync(dir)
      writeFileSync(join(dir, 'ca.pem'), 'not hashed\n')
      const c = await resolveConnection({
        flags: new Map<string, string | true>([
          ['host', '127.0.0.1'],
          ['port', port],
          ['capath', dir],
        ]),
        env: {HOME: root},
      })
      const refused = await openTransport(c).catch((e: unknown) => e)
      expect((refused as MqctlError).code).toBe('CONNECTION_REFUSED')
      return {c, dir}
    }

    // As a fleet does: both stores are built before either handshake fails.
    const first = await connectionWith('first')
    const second = await connectionWith('second')
    const untrusted = Object.assign(new Error('unable to verify the first certificate'), {
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    })
    const hint = (c: typeof first.c) => transportError(untrusted, c).hint ?? ''
    expect(hint(first.c)).toContain(`run \`openssl rehash ${first.dir}\``)
    expect(hint(first.c)).not.toContain(second.dir)
    expect(hint(second.c)).toContain(`run \`openssl rehash ${second.dir}\``)
  })
})
