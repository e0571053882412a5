import {spawn, type ChildProcess} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {connect, createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {findMosquittoTools} from './mosquitto-install.js'

/**
 * Private mosquitto brokers for tests: 127.0.0.1, ephemeral ports, a generated config in a
 * temp dir, stopped by PID. A test never talks to a broker it did not start.
 */
export interface BrokerOptions {
  config?: string[]
  allowAnonymous?: boolean
  passwordFile?: string
  aclFile?: string
  dynsec?: {configFile: string}
  tls?: {cafile: string; certfile: string; keyfile: string; requireCertificate?: boolean}
  unixSocket?: boolean
}

export interface Broker {
  host: string
  port: number
  tlsPort?: number
  socketPath?: string
  dir: string
  pid: number
  logPath: string
  readLog(): string
  stop(): Promise<void>
}

const running = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address() as {port: number}
      server.close(() => resolve(port))
    })
  })
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({host: '127.0.0.1', port})
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

export type RawStart = {broker: Broker; exitCode?: undefined; log: string} | {broker?: undefined; exitCode: number | null; log: string}

/** Starts mosquitto with exactly these config lines; reports a refusal instead of throwing. */
export async function startRawBroker(confLines: string[], waitPort?: number, dir = mkdtempSync(join(tmpdir(), 'mqctl-broker-'))): Promise<RawStart> {
  const tools = findMosquittoTools()
  const confPath = join(dir, 'mosquitto.conf')
  const logPath = join(dir, 'broker.log')
  writeFileSync(confPath, confLines.join('\n') + '\n')
  const child = spawn(tools.broker, ['-c', confPath], {stdio: ['ignore', 'pipe', 'pipe']})
  running.add(child)
  let output = ''
  child.stdout!.on('data', (d) => (output += d))
  child.stderr!.on('data', (d) => (output += d))
  let exitCode: number | null | undefined
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code
      running.delete(child)
      resolve()
    }),
  )
  const readLog = () => {
    try {
      return output + readFileSync(logPath, 'utf8')
    } catch {
      return output
    }
  }

  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    if (exitCode !== undefined) return {exitCode, log: readLog()}
    if (waitPort !== undefined && (await canConnect(waitPort))) break
    if (waitPort === undefined && Date.now() > deadline - 9000) break
    await new Promise((r) => setTimeout(r, 50))
  }

  if (exitCode !== undefined) return {exitCode, log: readLog()}
  const broker: Broker = {
    host: '127.0.0.1',
    port: waitPort ?? 0,
    dir,
    pid: child.pid!,
    logPath,
    readLog,
    async stop() {
      if (exitCode === undefined) {
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
        await exited
        clearTimeout(timer)
      }

      rmSync(dir, {recursive: true, force: true})
    },
  }
  return {broker, log: readLog()}
}

export async function startBroker(options: BrokerOptions = {}): Promise<Broker> {
  const tools = findMosquittoTools()
  for (let attempt = 0; attempt < 5; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), 'mqctl-broker-'))
    const port = await freePort()
    const lines = [`log_dest file ${join(dir, 'broker.log')}`, 'log_type all', `pid_file ${join(dir, 'mosquitto.pid')}`]
    // As root the broker drops to user mosquitto before reading the files tests write 0600.
    if (process.getuid?.() === 0) lines.push('user root')
    if (options.config?.some((l) => l.startsWith('per_listener_settings'))) lines.unshift(...options.config.filter((l) => l.startsWith('per_listener_settings')))
    lines.push(`listener ${port} 127.0.0.1`)
    lines.push(`allow_anonymous ${options.allowAnonymous ? 'true' : 'false'}`)
    if (options.passwordFile) lines.push(`password_file ${options.passwordFile}`)
    if (options.aclFile) lines.push(`acl_file ${options.aclFile}`)
    if (options.dynsec) lines.push(`plugin ${tools.dynsecPlugin}`, `plugin_opt_config_file ${options.dynsec.configFile}`)
    let tlsPort: number | undefined
    if (options.tls) {
      tlsPort = await freePort()
      lines.push(`listener ${tlsPort} 127.0.0.1`, `cafile ${options.tls.cafile}`, `certfile ${options.tls.certfile}`, `keyfile ${options.tls.keyfile}`)
      if (options.tls.requireCertificate) lines.push('require_certificate true')
    }

    let socketPath: string | undefined
    if (options.unixSocket) {
      socketPath = join(dir, 'mqtt.sock')
      lines.push(`listener 0 ${socketPath}`)
    }

    lines.push(...(options.config ?? []).filter((l) => !l.startsWith('per_listener_settings')))
    const started = await startRawBroker(lines, port, dir)
    if (started.broker) {
      if (tlsPort) {
        const until = Date.now() + 5000
        while (Date.now() < until && !(await canConnect(tlsPort))) await new Promise((r) => setTimeout(r, 50))
      }

      return {...started.broker, port, tlsPort, socketPath}
    }

    rmSync(dir, {recursive: true, force: true})
    if (!/address already in use/i.test(started.log)) {
      throw new Error(`mosquitto exited with ${started.exitCode}:\n${started.log.split('\n').slice(-20).join('\n')}`)
    }
  }

  throw new Error('could not find a free port for mosquitto')
}
