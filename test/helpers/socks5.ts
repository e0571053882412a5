import {connect, createServer, type Server, type Socket} from 'node:net'

export interface Socks5Proxy {
  port: number
  /** The `host:port` of every CONNECT request it carried out. */
  requests: string[]
  close(): Promise<void>
}

/**
 * A SOCKS5 proxy on 127.0.0.1 for tests: no authentication, CONNECT with a domain name or an
 * IPv4 address only, and it refuses to go anywhere but 127.0.0.1/localhost (a test never
 * reaches off this machine).
 */
export async function startSocks5Proxy(): Promise<Socks5Proxy> {
  const requests: string[] = []
  const sockets = new Set<Socket>()
  const server: Server = createServer((client) => {
    sockets.add(client)
    client.on('close', () => sockets.delete(client))
    client.on('error', () => client.destroy())
    let stage: 'greeting' | 'request' = 'greeting'
    let buffered = Buffer.alloc(0)
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk])
      if (stage === 'greeting') {
        if (buffered.length < 2 || buffered.length < 2 + buffered[1]) return
        buffered = buffered.subarray(2 + buffered[1])
        client.write(Buffer.from([0x05, 0x00]))
        stage = 'request'
      }

      if (buffered.length < 5) return
      const type = buffered[3]
      const hostEnd = type === 0x03 ? 5 + buffered[4] : 8
      if (buffered.length < hostEnd + 2) return
      const host = type === 0x03 ? buffered.subarray(5, hostEnd).toString() : [...buffered.subarray(4, 8)].join('.')
      const port = buffered.readUInt16BE(hostEnd)
      const rest = buffered.subarray(hostEnd + 2)
      client.off('data', onData)
      requests.push(`${host}:${port}`)
      const reply = (code: number) => Buffer.from([0x05, code, 0x00, 0x01, 127, 0, 0, 1, 0, 0])
      if (host !== '127.0.0.1' && host !== 'localhost') {
        client.end(reply(0x02)) // connection not allowed by ruleset
        return
      }

      const upstream = connect({host: '127.0.0.1', port})
      sockets.add(upstream)
      upstream.on('close', () => sockets.delete(upstream))
      upstream.once('connect', () => {
        client.write(reply(0x00))
        if (rest.length > 0) upstream.write(rest)
        client.pipe(upstream).pipe(client)
      })
      upstream.on('error', () => {
        if (client.writable) client.end(reply(0x05)) // connection refused
        upstream.destroy()
      })
    }

    client.on('data', onData)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as {port: number}
  return {
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}
