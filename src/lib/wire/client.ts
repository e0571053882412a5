import {EventEmitter} from 'node:events'
import type {Duplex} from 'node:stream'

import {
  DISCONNECT,
  PACKET,
  PACKET_NAMES,
  PINGREQ,
  PacketReader,
  ackOf,
  connackCode,
  connackProperties,
  decodePublish,
  encodeAck,
  encodeConnect,
  encodePublish,
  encodeSubscribe,
  subackCodes,
  type Packet,
  type Version,
} from './packets.js'

export interface WireOptions {
  protocolVersion: Version
  protocolId: string
  clientId: string
  username?: string
  password?: string | Buffer
  keepalive: number
}

type Waiter = {resolve: (value: number[]) => void; reject: (error: Error) => void}

/**
 * A small MQTT client with the part of mqtt.js's MqttClient interface the admin requests use
 * (events connect/error/close/message/packetsend/packetreceive, subscribeAsync, publishAsync,
 * sendPing, end). It connects at once over the stream it is given; it never reconnects.
 */
export class WireClient extends EventEmitter {
  connected = false
  /** As mqtt.js keeps it: the CONNACK's properties (v5), for the broker's maximum packet size. */
  connackPacket?: {properties: {maximumPacketSize?: number; receiveMaximum?: number}}
  private readonly stream: Duplex
  private readonly version: Version
  private readonly reader = new PacketReader()
  private nextId = 1
  private readonly waiting = new Map<number, Waiter>()
  private keepalive?: NodeJS.Timeout
  private closed = false

  constructor(
    streamFactory: () => Duplex,
    private readonly options: WireOptions,
  ) {
    super()
    this.version = options.protocolVersion
    this.stream = streamFactory()
    this.stream.on('data', (chunk: Buffer) => this.onData(chunk))
    this.stream.on('error', (error) => this.emit('error', error))
    this.stream.on('close', () => this.onClose())
    // A stream handed over paused (after a SOCKS handshake) must flow now.
    this.stream.resume()
    // Like mqtt.js, CONNECT goes out on the next tick, after the caller attached its listeners.
    process.nextTick(() =>
      this.send(
        'connect',
        encodeConnect({
          version: this.version,
          protocolId: options.protocolId,
          clientId: options.clientId,
          username: options.username,
          password: options.password,
          keepalive: options.keepalive,
        }),
      ),
    )
  }

  subscribeAsync(topic: string, options: {qos: number}): Promise<Array<{topic: string; qos: number}>> {
    const id = this.allocate()
    const done = this.wait(id).then((codes) => codes.map((qos) => ({topic, qos})))
    this.send('subscribe', encodeSubscribe(this.version, id, topic, options.qos))
    return done
  }

  /** Resolves on PUBACK (QoS 1) or PUBCOMP (QoS 2); rejects with `code` set on a reason code >= 128. */
  publishAsync(topic: string, payload: string | Buffer, options: {qos: number}): Promise<void> {
    const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload
    if (options.qos === 0) {
      this.send('publish', encodePublish(this.version, topic, body, 0, 0))
      return Promise.resolve()
    }

    const id = this.allocate()
    const done = this.wait(id).then(([code]) => {
      if (code >= 128) throw Object.assign(new Error(`Publish error: reason code ${code}`), {code})
    })
    this.send('publish', encodePublish(this.version, topic, body, options.qos, id))
    return done
  }

  sendPing(): void {
    this.send('pingreq', PINGREQ)
  }

  /** DISCONNECT (unless forced), then closes the stream; `callback` runs once it is closed. */
  end(force = false, _options?: unknown, callback?: () => void): this {
    if (this.closed) {
      callback?.()
      return this
    }

    if (callback) this.once('close', callback)
    if (!force && this.connected) this.send('disconnect', DISCONNECT)
    if (force) this.stream.destroy()
    else this.stream.end()
    return this
  }

  private allocate(): number {
    const id = this.nextId
    this.nextId = this.nextId === 0xffff ? 1 : this.nextId + 1
    return id
  }

  private wait(id: number): Promise<number[]> {
    return new Promise((resolve, reject) => this.waiting.set(id, {resolve, reject}))
  }

  private send(name: string, bytes: Buffer): void {
    if (this.closed || this.stream.destroyed) return
    this.emit('packetsend', {cmd: name})
    this.stream.write(bytes)
    this.armKeepalive()
  }

  private armKeepalive(): void {
    if (this.options.keepalive <= 0) return
    clearTimeout(this.keepalive)
    this.keepalive = setTimeout(() => this.sendPing(), this.options.keepalive * 1000)
    this.keepalive.unref()
  }

  private onData(chunk: Buffer): void {
    let packets: Packet[]
    try {
      packets = this.reader.push(chunk)
    } catch (error) {
      this.emit('error', error)
      this.stream.destroy()
      return
    }

    for (const p of packets) {
      this.emit('packetreceive', {cmd: PACKET_NAMES[p.type]})
      this.handle(p)
    }
  }

  private handle(p: Packet): void {
    switch (p.type) {
      case PACKET.connack: {
        const code = connackCode(p)
        if (code === 0) {
          this.connected = true
          this.connackPacket = {properties: connackProperties(this.version, p)}
          this.emit('connect', p)
        } else {
          this.emit('error', Object.assign(new Error(`Connection refused: ${code}`), {code}))
          this.stream.destroy()
        }

        break
      }

      case PACKET.suback: {
        const {id, codes} = subackCodes(this.version, p)
        this.settle(id, codes)
        break
      }

      case PACKET.puback:
      case PACKET.pubcomp: {
        const {id, code} = ackOf(p)
        this.settle(id, [code])
        break
      }

      case PACKET.pubrec: {
        const {id, code} = ackOf(p)
        if (code >= 128) this.settle(id, [code])
        else this.send('pubrel', encodeAck(PACKET.pubrel, id))
        break
      }

      case PACKET.pubrel:
        this.send('pubcomp', encodeAck(PACKET.pubcomp, ackOf(p).id))
        break
      case PACKET.publish: {
        const message = decodePublish(this.version, p)
        if (message.qos === 1) this.send('puback', encodeAck(PACKET.puback, message.id))
        if (message.qos === 2) this.send('pubrec', encodeAck(PACKET.pubrec, message.id))
        this.emit('message', message.topic, message.payload, message)
        break
      }

      case PACKET.disconnect:
        this.stream.destroy()
        break
      default:
        break
    }
  }

  private settle(id: number, codes: number[]): void {
    const waiter = this.waiting.get(id)
    if (!waiter) return
    this.waiting.delete(id)
    waiter.resolve(codes)
  }

  private onClose(): void {
    if (this.closed) return
    this.closed = true
    this.connected = false
    clearTimeout(this.keepalive)
    const error = new Error('connection closed')
    for (const waiter of this.waiting.values()) waiter.reject(error)
    this.waiting.clear()
    this.emit('close')
  }
}
