/**
 * Private mosquitto brokers for tests: 127.0.0.1, ephemeral ports, a generated config in a fresh
 * temp dir, stopped by PID. A test never talks to a broker it did not start (in particular not to
 * a system mosquitto on port 1883 that a package install may have started).
 *
 * Every broker started here is in a module-level registry; a `process.on('exit')` handler kills
 * the ones still running, so none outlives the test process.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {readFileSync, rmSync, statSync} from 'node:fs'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {connect, createServer, type Server} from 'node:net'
import {constants as osConstants, tmpdir} from 'node:os'
import {isAbsolute, join, resolve} from 'node:path'

import {findMosquittoTools} from './mosquitto-install.js'

export interface BrokerTlsOptions {
  /** The TLS listener always gets its own free port ('auto'); a number pins it. */
  port?: 'auto' | number
  cafile: string
  certfile: string
  keyfile: string
  /** `require_certificate true`: clients must present a certificate signed by `cafile`. */
  requireCertificate?: boolean
}

export interface BrokerOptions {
  /**
   * Raw config lines appended at the end of the generated file. They come right after the main
   * listener, so listener-scoped options (max_qos, mount_point, …) apply to it; a line
   * `listener …` starts another listener. `per_listener_settings` lines are moved to the top
   * (mosquitto wants them before any listener), and the auth options below are then repeated
   * for each generated listener.
   */
  config?: string[]
  /** `allow_anonymous true|false`; false when not given (mosquitto 2.0's own default). */
  allowAnonymous?: boolean
  passwordFile?: string
  aclFile?: string
  /** Loads mosquitto_dynamic_security.so with `plugin_opt_config_file <configFile>`. */
  dynsec?: {configFile: string}
  /** A second listener on 127.0.0.1 with TLS (port in `tlsPort`). */
  tls?: BrokerTlsOptions
  /** A third listener on a unix socket `<dir>/mqtt.sock` (path in `socketPath`). */
  unixSocket?: boolean
}

export interface Broker {
  host: string
  /** The plain MQTT listener (for startRawBroker: the port waited for, or the first TCP listener, or 0). */
  port: number
  tlsPort?: number
  socketPath?: string
  /** The temp dir with mosquitto.conf (and, for startBroker, mosquitto.log); removed by stop(). */
  dir: string
  configPath: string
  pid: number
  logPath: string
  /** What the broker printed on stdout/stderr, then what it wrote to its log file(s). */
  readLog(): string
  /** True until the process has exited. */
  isRunning(): boolean
  /** SIGTERM, wait for the exit (SIGKILL after 5 s), remove the temp dir. Safe to call twice. */
  stop(): Promise<void>
  /**
   * Sends SIGHUP (mosquitto re-reads its config, password, ACL files). The promise resolves once
   * the broker has logged "Reloading config." and answered one more connection, i.e. when the
   * reload is complete; ignoring the promise just sends the signal.
   */
  reload(): Promise<void>
}

export type RawStart =
  {broker: Broker; exitCode?: undefined; log: string} | {broker?: undefined; exitCode: number | null; log: string}

export interface RawBrokerOptions {
  /** A TCP port on 127.0.0.1 to wait for; by default every listener found in the lines. */
  port?: number
  /** Where to write mosquitto.conf; by default a fresh temp dir (removed by stop()). A given dir is not removed. */
  dir?: string
  /** How long to wait for the start, 10 s by default. */
  timeoutMs?: number
}

const HOST = '127.0.0.1'
const START_TIMEOUT_MS = 10_000
const STOP_GRACE_MS = 5000
const RUNNING_LINE = /mosquitto version \S+ running/

// ---------------------------------------------------------------------------------------------
// Registry: no broker outlives the process that started it.
//
// - `process.on('exit')` kills (SIGKILL, synchronous) every broker still running and removes
//   its temp dir: covers process.exit() and a normal end.
// - While brokers run, SIGTERM/SIGINT/SIGHUP handlers do the same and then re-raise the signal
//   (vitest stops its fork workers with SIGTERM, which skips 'exit' handlers).
// - Each broker has a watchdog, `sh -c 'read x; kill -KILL <pid>; rm -rf <dir>'`, reading a pipe
//   from this process: when this process dies in any way (even SIGKILL), the pipe closes and the
//   watchdog kills the broker and removes its temp dir.

interface Registered {
  child: ChildProcess
  watchdog?: ChildProcess
  /** A temp dir of ours, removed at exit as well. */
  dir?: string
}

const registry = new Map<number, Registered>()
const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const

function killQuietly(child: ChildProcess | undefined, signal: NodeJS.Signals): void {
  try {
    if (child && child.exitCode === null && child.signalCode === null) child.kill(signal)
  } catch {
    // already gone
  }
}

/** Synchronous: SIGKILL every registered broker (and its watchdog), remove the temp dirs. */
function killAll(): void {
  for (const {child, watchdog, dir} of registry.values()) {
    killQuietly(child, 'SIGKILL')
    killQuietly(watchdog, 'SIGKILL')
    if (dir) {
      try {
        rmSync(dir, {recursive: true, force: true})
      } catch {
        // best effort
      }
    }
  }

  registry.clear()
  disarm()
}

process.on('exit', killAll)

const signalHandlers = new Map<NodeJS.Signals, () => void>()

function arm(): void {
  if (signalHandlers.size > 0) return
  for (const signal of SIGNALS) {
    const handler = () => {
      killAll()
      // Nobody else listens: let the signal do what it would have done without us.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
    }

    signalHandlers.set(signal, handler)
    process.on(signal, handler)
  }
}

function disarm(): void {
  for (const [signal, handler] of signalHandlers) process.off(signal, handler)
  signalHandlers.clear()
}

function register(child: ChildProcess, dir: string | undefined): void {
  if (child.pid === undefined) return
  const rmDir = dir ? `; rm -rf -- '${dir.replaceAll("'", "'\\''")}'` : ''
  const watchdog = spawn('/bin/sh', ['-c', `read x; kill -KILL ${child.pid} 2>/dev/null${rmDir}`], {
    stdio: ['pipe', 'ignore', 'ignore'],
  })
  watchdog.on('error', () => {}) // no sh: only the handlers above then
  watchdog.stdin?.on('error', () => {})
  // Neither the watchdog nor its pipe keeps this process alive.
  watchdog.unref()
  ;(watchdog.stdin as unknown as {unref?: () => void} | null)?.unref?.()
  registry.set(child.pid, {child, watchdog, dir})
  arm()
}

function unregister(pid: number): void {
  const entry = registry.get(pid)
  if (!entry) return
  registry.delete(pid)
  // Kill the watchdog before it could ever see EOF: the PID it holds is free now.
  killQuietly(entry.watchdog, 'SIGKILL')
  if (registry.size === 0) disarm()
}

// ---------------------------------------------------------------------------------------------
// Ports and probes

function listen(server: Server): Promise<number> {
  return new Promise((resolvePort, reject) => {
    server.once('error', reject)
    server.listen(0, HOST, () => resolvePort((server.address() as {port: number}).port))
  })
}

/** `count` distinct free ports on 127.0.0.1 (all bound at once, then released). */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = []
  try {
    const ports: number[] = []
    for (let i = 0; i < count; i++) {
      const server = createServer()
      servers.push(server)
      ports.push(await listen(server))
    }

    return ports
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((done) => (s.listening ? s.close(() => done()) : done()))))
  }
}

/** A free ephemeral port on 127.0.0.1 (bind port 0, read it, close). */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]
}

export type Target = {host: string; port: number} | {path: string}

const describeTarget = (t: Target): string => ('path' in t ? t.path : `${t.host}:${t.port}`)

/** True when a TCP (or unix socket) connect succeeds within a second. */
export function canConnect(target: Target): Promise<boolean> {
  return new Promise((done) => {
    const socket = 'path' in target ? connect({path: target.path}) : connect({host: target.host, port: target.port})
    const finish = (ok: boolean) => {
      socket.destroy()
      done(ok)
    }

    socket.setTimeout(1000, () => finish(false))
    socket.once('connect', () => finish(true))
    socket.once('error', () => finish(false))
  })
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

// ---------------------------------------------------------------------------------------------
// Launching and waiting

interface Launched {
  child: ChildProcess
  pid: number
  /** Resolves when the process has exited and its stdout/stderr are drained. */
  exited: Promise<void>
  /** undefined while running (until 'close'). */
  exitCode(): number | null | undefined
  /** What this process printed, then what it wrote to its log files (not what they held before). */
  readLog(): string
}

const fileSize = (file: string): number => {
  try {
    return statSync(file).size
  } catch {
    return 0
  }
}

function readFrom(file: string, offset: number): string {
  try {
    return readFileSync(file).subarray(offset).toString('utf8')
  } catch {
    return '' // not written yet
  }
}

function launch(confPath: string, logFiles: string[], dirToRemove: string | undefined): Launched {
  const tools = findMosquittoTools()
  // A log file may exist already (log_dest file is opened in append mode).
  const before = logFiles.map(fileSize)
  const child = spawn(tools.broker, ['-c', confPath], {stdio: ['ignore', 'pipe', 'pipe']})
  register(child, dirToRemove)
  let output = ''
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d))
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d))
  let code: number | null | undefined
  let spawnError: Error | undefined
  const exited = new Promise<void>((done) => {
    child.once('error', (error) => {
      // spawn failed (ENOENT, EACCES): there is no process to wait for.
      spawnError = error
      if (code === undefined) code = null
      done()
    })
    // 'exit' can come before the last stderr bytes (config errors go there): wait for 'close'.
    child.once('exit', () => {
      if (child.pid !== undefined) unregister(child.pid)
    })
    child.once('close', (c, signal) => {
      code = c ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : null)
      done()
    })
  })
  const readLog = () => {
    let text = output
    if (spawnError) text += `spawn ${tools.broker}: ${spawnError.message}\n`
    for (const [i, file] of logFiles.entries()) text += readFrom(file, before[i])
    return text
  }

  return {child, pid: child.pid ?? -1, exited, exitCode: () => code, readLog}
}

type WaitResult = 'up' | 'exited' | 'timeout'

/**
 * Waits until every target accepts a connection and the broker has logged "… running" (it does
 * so after opening all its listeners; when its log is not visible, 1 s after the targets
 * accepted is taken as up), or until the process exits, or the time is up. Without targets only
 * the log line (or 2 s of life) counts.
 */
async function waitUntilUp(l: Launched, targets: Target[], timeoutMs: number): Promise<WaitResult> {
  const deadline = Date.now() + timeoutMs
  const pending = [...targets]
  let acceptedAt = targets.length === 0 ? Date.now() : undefined
  const settleMs = targets.length === 0 ? 2000 : 1000
  while (Date.now() < deadline) {
    if (l.exitCode() !== undefined) return 'exited'
    for (const t of [...pending]) {
      if (await canConnect(t)) pending.splice(pending.indexOf(t), 1)
    }

    if (l.exitCode() !== undefined) return 'exited'
    if (pending.length === 0) {
      acceptedAt ??= Date.now()
      if (RUNNING_LINE.test(l.readLog()) || Date.now() - acceptedAt >= settleMs) return 'up'
    }

    await Promise.race([sleep(pending.length === 0 ? 10 : 25), l.exited])
  }

  if (l.exitCode() !== undefined) return 'exited'
  return 'timeout'
}

async function terminate(l: Launched): Promise<void> {
  if (l.exitCode() !== undefined) return
  l.child.kill('SIGTERM')
  const timer = setTimeout(() => l.child.kill('SIGKILL'), STOP_GRACE_MS)
  await l.exited
  clearTimeout(timer)
}

const lastLines = (text: string, n: number) => text.trimEnd().split('\n').slice(-n).join('\n')

interface MakeBroker {
  l: Launched
  port: number
  tlsPort?: number
  socketPath?: string
  dir: string
  removeDir: boolean
  configPath: string
  logPath: string
}

function makeBroker(m: MakeBroker): Broker {
  const {l} = m
  let stopping: Promise<void> | undefined
  const broker: Broker = {
    host: HOST,
    port: m.port,
    tlsPort: m.tlsPort,
    socketPath: m.socketPath,
    dir: m.dir,
    configPath: m.configPath,
    pid: l.pid,
    logPath: m.logPath,
    readLog: l.readLog,
    isRunning: () => l.exitCode() === undefined,
    stop() {
      stopping ??= (async () => {
        await terminate(l)
        unregister(l.pid)
        if (m.removeDir) await rm(m.dir, {recursive: true, force: true})
      })()
      return stopping
    },
    async reload() {
      if (l.exitCode() !== undefined) throw new Error(`mosquitto (pid ${l.pid}) is not running; cannot reload`)
      const count = () => (l.readLog().match(/Reloading config/g) ?? []).length
      const before = count()
      l.child.kill('SIGHUP')
      const deadline = Date.now() + 5000
      while (count() <= before && Date.now() < deadline && l.exitCode() === undefined) await sleep(10)
      // The reload runs in the broker's main loop right after that line; one more answered
      // connection means it is over.
      if (m.port > 0) await mqttConnectCheck({port: m.port, clientId: 'broker-ts-reload-probe', timeoutSeconds: 5})
      else if (m.socketPath)
        await mqttConnectCheck({unix: m.socketPath, clientId: 'broker-ts-reload-probe', timeoutSeconds: 5})
      else await sleep(100)
    },
  }
  return broker
}

// ---------------------------------------------------------------------------------------------
// startRawBroker: exactly the caller's config

/** The listeners a config names: `listener <port> [address]`, `listener 0 <socket path>`, `port <n>`. */
function listenersOf(lines: string[]): Target[] {
  const targets: Target[] = []
  for (const line of lines) {
    const words = line.trim().split(/\s+/)
    if (words[0] === 'listener' && /^\d+$/.test(words[1] ?? '')) {
      const port = Number(words[1])
      const address = words.slice(2).join(' ')
      if (port === 0) {
        if (address) targets.push({path: address})
      } else if (!address || address === '0.0.0.0') {
        targets.push({host: HOST, port})
      } else if (address === '::') {
        targets.push({host: '::1', port})
      } else {
        targets.push({host: address, port})
      }
    } else if (words[0] === 'port' && /^\d+$/.test(words[1] ?? '')) {
      targets.push({host: HOST, port: Number(words[1])})
    }
  }

  return targets
}

/** The files a config logs to (`log_dest file <path>`). */
function logFilesOf(lines: string[], dir: string): string[] {
  const files: string[] = []
  for (const line of lines) {
    const m = /^\s*log_dest\s+file\s+(.+?)\s*$/.exec(line)
    if (m) files.push(isAbsolute(m[1]) ? m[1] : resolve(dir, m[1]))
  }

  return files
}

/**
 * Starts mosquitto with exactly these config lines (nothing added: as root, add `user root`
 * yourself if the broker must read files only root can read). Waits until the broker listens
 * (`opts.port`, or else every listener the lines name) or exits, 10 s at most; never throws for a
 * refused config: `{exitCode, log}` then. A broker still not listening after the time limit is
 * killed and reported with `exitCode: null`.
 *
 * For compatibility, `opts` may be the port number itself.
 */
export async function startRawBroker(confLines: string[], opts: number | RawBrokerOptions = {}): Promise<RawStart> {
  const o: RawBrokerOptions = typeof opts === 'number' ? {port: opts} : opts
  const ownDir = o.dir === undefined
  const dir = o.dir ?? (await mkdtemp(join(tmpdir(), 'mqctl-broker-')))
  const configPath = join(dir, 'mosquitto.conf')
  await writeFile(configPath, confLines.join('\n') + '\n')
  const logFiles = logFilesOf(confLines, dir)
  const l = launch(configPath, logFiles, ownDir ? dir : undefined)
  const parsed = listenersOf(confLines)
  const targets: Target[] = o.port !== undefined ? [{host: HOST, port: o.port}] : parsed
  const result = await waitUntilUp(l, targets, o.timeoutMs ?? START_TIMEOUT_MS)
  if (result === 'up') {
    const firstTcp = parsed.find((t): t is {host: string; port: number} => 'port' in t)
    const firstSocket = parsed.find((t): t is {path: string} => 'path' in t)
    const broker = makeBroker({
      l,
      port: o.port ?? firstTcp?.port ?? 0,
      socketPath: firstSocket?.path,
      dir,
      removeDir: ownDir,
      configPath,
      logPath: logFiles[0] ?? '',
    })
    return {broker, log: l.readLog()}
  }

  if (result === 'timeout') await terminate(l)
  unregister(l.pid)
  let log = l.readLog()
  if (result === 'timeout')
    log += `\n[broker.ts] mosquitto was not listening on ${targets.map(describeTarget).join(', ') || '(no listener found)'} after ${o.timeoutMs ?? START_TIMEOUT_MS} ms; killed it\n`
  if (ownDir) await rm(dir, {recursive: true, force: true})
  return {exitCode: result === 'timeout' ? null : (l.exitCode() ?? null), log}
}

// ---------------------------------------------------------------------------------------------
// startBroker: a generated config

function generateConfig(
  options: BrokerOptions,
  dir: string,
  port: number,
  tlsPort: number | undefined,
  socketPath: string | undefined,
  logPath: string,
): string[] {
  const tools = findMosquittoTools()
  const extra = options.config ?? []
  const perListener = extra.filter((l) => /^\s*per_listener_settings\b/.test(l))
  const perListenerOn = perListener.some((l) => /^\s*per_listener_settings\s+true\s*$/.test(l))
  const auth: string[] = [`allow_anonymous ${options.allowAnonymous ? 'true' : 'false'}`]
  if (options.passwordFile) auth.push(`password_file ${options.passwordFile}`)
  if (options.aclFile) auth.push(`acl_file ${options.aclFile}`)
  if (options.dynsec) auth.push(`plugin ${tools.dynsecPlugin}`, `plugin_opt_config_file ${options.dynsec.configFile}`)

  const lines = [
    `# generated by test/helpers/broker.ts in ${dir}`,
    ...perListener,
    `log_dest file ${logPath}`,
    'log_type all',
    'persistence false',
  ]
  // As root, mosquitto drops to user "mosquitto" before reading the password, ACL and dynsec
  // files tests write 0600 as root; stay root (it logs a warning about it).
  if (process.getuid?.() === 0) lines.push('user root')
  if (!perListenerOn) lines.push(...auth)
  const perListenerAuth = perListenerOn ? auth : []
  if (options.tls && tlsPort !== undefined) {
    lines.push(
      `listener ${tlsPort} ${HOST}`,
      `cafile ${options.tls.cafile}`,
      `certfile ${options.tls.certfile}`,
      `keyfile ${options.tls.keyfile}`,
    )
    if (options.tls.requireCertificate) lines.push('require_certificate true')
    lines.push(...perListenerAuth)
  }

  if (socketPath) lines.push(`listener 0 ${socketPath}`, ...perListenerAuth)
  lines.push(`listener ${port} ${HOST}`, ...perListenerAuth)
  lines.push(...extra.filter((l) => !perListener.includes(l)))
  return lines
}

/**
 * Starts a private mosquitto: `listener <free port> 127.0.0.1`, optional TLS and unix-socket
 * listeners, log in `<dir>/mosquitto.log` (log_type all). Resolves once every listener accepts
 * connections; throws with the exit code and the last 20 log lines if mosquitto exits first
 * (a port taken between choosing and binding is retried with new ports).
 */
export async function startBroker(options: BrokerOptions = {}): Promise<Broker> {
  findMosquittoTools()
  let lastLog = ''
  for (let attempt = 0; attempt < 5; attempt++) {
    const dir = await mkdtemp(join(tmpdir(), 'mqctl-broker-'))
    const tlsFixed = typeof options.tls?.port === 'number' ? options.tls.port : undefined
    const wanted = options.tls && tlsFixed === undefined ? 2 : 1
    const ports = await freePorts(wanted)
    const port = ports[0]
    const tlsPort = options.tls ? (tlsFixed ?? ports[1]) : undefined
    const socketPath = options.unixSocket ? join(dir, 'mqtt.sock') : undefined
    const logPath = join(dir, 'mosquitto.log')
    const configPath = join(dir, 'mosquitto.conf')
    await writeFile(configPath, generateConfig(options, dir, port, tlsPort, socketPath, logPath).join('\n') + '\n')

    const l = launch(configPath, [logPath], dir)
    const targets: Target[] = [{host: HOST, port}]
    if (tlsPort !== undefined) targets.push({host: HOST, port: tlsPort})
    if (socketPath) targets.push({path: socketPath})
    const result = await waitUntilUp(l, targets, START_TIMEOUT_MS)
    if (result === 'up') return makeBroker({l, port, tlsPort, socketPath, dir, removeDir: true, configPath, logPath})

    if (result === 'timeout') await terminate(l)
    unregister(l.pid)
    lastLog = l.readLog()
    const config = readFileSync(configPath, 'utf8')
    await rm(dir, {recursive: true, force: true})
    if (result === 'exited' && /address already in use/i.test(lastLog) && tlsFixed === undefined) continue
    const what =
      result === 'exited'
        ? `mosquitto exited with code ${l.exitCode()} before listening`
        : `mosquitto was not listening on ${targets.map(describeTarget).join(', ')} after ${START_TIMEOUT_MS / 1000} s (killed)`
    throw new Error(`${what}; last lines of its log:\n${lastLines(lastLog, 20)}\n--- its config:\n${config}`)
  }

  throw new Error(`mosquitto found its ports taken 5 times in a row; last lines of its log:\n${lastLines(lastLog, 20)}`)
}

// ---------------------------------------------------------------------------------------------
// mqttConnectCheck: does the broker accept this identity?

export interface ConnectCheckOptions {
  port?: number
  host?: string
  /** Connect over a unix socket instead of TCP. */
  unix?: string
  username?: string
  password?: string
  clientId?: string
  protocol?: 'mqttv5' | 'mqttv311' | 'mqttv31'
  /** `--cafile`: connect with TLS, verifying the server against this CA. */
  cafile?: string
  /** More mosquitto_sub arguments (e.g. `--cert`, `--key`, `--insecure`). */
  extraArgs?: string[]
  /** Give up after this many seconds (mosquitto_sub -W); 5 by default. */
  timeoutSeconds?: number
}

export interface ConnectCheckResult {
  accepted: boolean
  exitCode: number | null
  /** mosquitto_sub's stdout and stderr, e.g. "Connection error: Not authorized". */
  output: string
}

/**
 * Whether the broker ACCEPTS a connection with these credentials, told by the real client:
 * `mosquitto_sub -E -t test/connect -W 5 -V mqttv5 …` connects, subscribes, and exits 0 right
 * after the SUBACK; a refused CONNACK (bad/unknown user, anonymous not allowed), a closed port
 * or a TLS failure exits non-zero, and so does -W's timeout. A subscription the ACL denies
 * still exits 0 ("All subscription requests were denied."), so the answer is about the
 * connection only, and nothing is published.
 */
export async function mqttConnectCheck(o: ConnectCheckOptions): Promise<ConnectCheckResult> {
  const tools = findMosquittoTools()
  const timeout = o.timeoutSeconds ?? 5
  const args: string[] = []
  if (o.unix) args.push('--unix', o.unix)
  else {
    if (o.port === undefined) throw new Error('mqttConnectCheck: give a port or a unix socket path')
    args.push('-h', o.host ?? HOST, '-p', String(o.port))
  }

  args.push('-V', o.protocol ?? 'mqttv5')
  if (o.username !== undefined) args.push('-u', o.username)
  if (o.password !== undefined) args.push('-P', o.password)
  if (o.clientId !== undefined) args.push('-i', o.clientId)
  if (o.cafile !== undefined) args.push('--cafile', o.cafile)
  args.push(...(o.extraArgs ?? []), '-t', 'test/connect', '-E', '-W', String(timeout))
  return new Promise((done) => {
    const child = spawn(tools.sub, args, {stdio: ['ignore', 'pipe', 'pipe']})
    let output = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d))
    const killer = setTimeout(() => child.kill('SIGKILL'), (timeout + 5) * 1000)
    child.once('error', (error) => {
      clearTimeout(killer)
      done({accepted: false, exitCode: null, output: `${output}spawn ${tools.sub}: ${error.message}`})
    })
    child.once('close', (code) => {
      clearTimeout(killer)
      done({accepted: code === 0, exitCode: code, output})
    })
  })
}
