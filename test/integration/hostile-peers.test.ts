import {mkdtempSync} from 'node:fs'
import {createServer, type AddressInfo, type Server, type Socket} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, describe, expect, it} from 'vitest'

import {mqctl} from '../helpers/cli.js'
import {makeCa} from '../helpers/openssl-pki.js'

// Peers that are not brokers but sit where one should: they hang up at each step of the
// exchange, or accept TCP and say nothing. A hang-up must be reported at once (exit 3), a
// silent peer by the timeout (exit 4) within --timeout. They speak just enough MQTT 5 to get
// mqctl to the next step; they are hostile peers, not models of the broker.
type Stage = 'at-once' | 'after-connect' | 'after-subscribe' | 'after-request' | 'silent'

const servers: Server[] = []
const sockets = new Set<Socket>()
afterEach(async () => {
  for (const s of sockets) s.destroy()
  sockets.clear()
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))))
})

/** Splits MQTT packets off a buffer: [type nibble, packet bytes] each, the rest stays. */
function packets(buffer: Buffer): {list: Array<{type: number; bytes: Buffer}>; rest: Buffer} {
  const list: Array<{type: number; bytes: Buffer}> = []
  let offset = 0
  for (;;) {
    let length = 0
    let multiplier = 1
    let i = offset + 1
    for (; i < buffer.length; i++) {
      length += (buffer[i] & 0x7f) * multiplier
      multiplier *= 128
      if ((buffer[i] & 0x80) === 0) break
    }

    if (i >= buffer.length || i + 1 + length > buffer.length) break
    list.push({type: buffer[offset] >> 4, bytes: buffer.subarray(offset, i + 1 + length)})
    offset = i + 1 + length
  }

  return {list, rest: buffer.subarray(offset)}
}

async function peer(stage: Stage): Promise<number> {
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => {})
    if (stage === 'at-once') return void socket.destroy()
    if (stage === 'silent') return
    let pending: Buffer = Buffer.alloc(0)
    socket.on('data', (chunk) => {
      const {list, rest} = packets(Buffer.concat([pending, chunk]))
      pending = rest
      for (const p of list) {
        if (p.type === 1) {
          if (stage === 'after-connect') return void socket.destroy()
          socket.write(Buffer.from([0x20, 0x03, 0x00, 0x00, 0x00])) // CONNACK, success, no properties
        } else if (p.type === 8) {
          if (stage === 'after-subscribe') return void socket.destroy()
          const id = p.bytes.subarray(2, 4)
          socket.write(Buffer.concat([Buffer.from([0x90, 0x04]), id, Buffer.from([0x00, 0x01])])) // SUBACK QoS 1
        } else if (p.type === 3) {
          return void socket.destroy()
        }
      }
    })
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as AddressInfo).port
}

const timed = async (args: string[]) => {
  const start = Date.now()
  const r = await mqctl(args)
  return {...r, seconds: (Date.now() - start) / 1000}
}

const dynsec = (port: number, timeout = '10') => [
  '-h',
  '127.0.0.1',
  '-p',
  String(port),
  '-u',
  'admin',
  '-P',
  'x',
  '--quiet',
  'dynsec',
  'listRoles',
  '--timeout',
  timeout,
]

describe('peers that hang up or stay silent', () => {
  it.each([
    ['at-once', 'before CONNACK'],
    ['after-connect', 'before CONNACK'],
    ['after-subscribe', 'before SUBACK'],
    ['after-request', 'before acknowledging the request'],
  ] as const)('a peer that closes %s is reported at once (exit 3)', async (stage, words) => {
    const r = await timed(dynsec(await peer(stage)))
    expect([r.code, r.stderr.split('\n')[0]]).toEqual([
      3,
      expect.stringMatching(new RegExp(`^mqctl: connection closed by the broker \\(127\\.0\\.0\\.1:\\d+\\) ${words}$`)),
    ])
    expect(r.stderr).not.toContain('bug')
    expect(r.seconds).toBeLessThan(7) // --timeout is 10: a hang-up never waits for it
  })

  it('probe notices a hang-up at once too', async () => {
    for (const stage of ['at-once', 'after-connect', 'after-subscribe'] as const) {
      const port = await peer(stage)
      const r = await timed(['probe', '-h', '127.0.0.1', '-p', String(port), '--quiet', '--sub', 'a/b', '--pub', 'a/b'])
      expect([r.code, r.stderr.split('\n')[0]], stage).toEqual([
        3,
        expect.stringContaining('mqctl: connection closed by the broker (127.0.0.1:'),
      ])
      expect(r.stderr).not.toContain('bug')
      expect(r.seconds).toBeLessThan(7) // --timeout is 10: a hang-up never waits for it
    }
  })

  it('a peer that accepts TCP and stays silent gives the timeout (exit 4) within --timeout', async () => {
    const r = await timed(dynsec(await peer('silent'), '1'))
    expect([r.code, r.stderr.split('\n')[0]]).toEqual([
      4,
      expect.stringMatching(/^mqctl: 127\.0\.0\.1:\d+ did not answer CONNECT \(no answer within 1 s\)$/),
    ])
    // well under the default 10 s, with room for node's start on a loaded machine
    expect(r.seconds).toBeLessThan(8)
  })

  it('a peer that accepts TCP and never answers the TLS handshake is named as such (exit 4), not as unreachable', async () => {
    const cafile = makeCa(mkdtempSync(join(tmpdir(), 'mqctl-silent-tls-')))
    const r = await timed([...dynsec(await peer('silent'), '1'), '--cafile', cafile])
    expect([r.code, ...r.stderr.split('\n').slice(0, 2)]).toEqual([
      4,
      expect.stringMatching(/^mqctl: no TLS handshake with 127\.0\.0\.1:\d+ \(no answer within 1 s\)$/),
      '  hint: the port accepted the connection but never answered the TLS handshake: is it the TLS listener?',
    ])
    expect(r.seconds).toBeLessThan(8)
  })
})
