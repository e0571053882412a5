import {readFileSync} from 'node:fs'

import {MqctlError} from '../errors.js'
import type {RawOptions} from './ctrl-options.js'
import {ctrlOptionsFilePath, readCtrlOptionsFile, type SourcedOptions} from './options-files.js'
import {configFilePath, loadConfigFile, selectProfile} from './profiles.js'
import type {ResolvedConnection} from './resolved.js'

// The schema lives in resolved.ts: building zod schemas costs start-up time on every command.
export type {ResolvedConnection} from './resolved.js'

export interface ResolveInput {
  /** Connection flags given on the command line (long names). */
  flags: RawOptions
  env?: NodeJS.ProcessEnv
  /** Reads the admin password when nothing else gave one (prompt); undefined = no prompt. */
  promptPassword?: (username: string) => Promise<string>
  /** Reads one line from stdin, for --password-stdin. */
  readStdinLine?: () => Promise<string | undefined>
}

const ENV_KEYS: Array<[string, string]> = [
  ['MQCTL_HOST', 'host'],
  ['MQCTL_PORT', 'port'],
  ['MQCTL_USERNAME', 'username'],
  ['MQCTL_PASSWORD', 'pw'],
]

const usage = (message: string, source: string) => new MqctlError('USAGE_CONNECTION', `${message} (from ${source})`)

function atoiStrict(text: string): number | undefined {
  return /^\s*[+-]?\d+\s*$/.test(text) ? Number.parseInt(text, 10) : undefined
}

/** Splits `mqtt(s)://[user[:pass]@]host[:port][/topic]` as mosquitto_ctrl's -L does. */
export function parseBrokerUrl(
  url: string,
  source: string,
): {tls: boolean; host: string; port?: number; username?: string; password?: string} {
  const m = /^(mqtts?):\/\/(?:([^:@/]*)(?::([^@/]*))?@)?(\[[^\]]+\]|[^:/]+)(?::([^/]*))?(?:\/.*)?$/.exec(url)
  if (!m) {
    if (!/^mqtts?:\/\//.test(url)) throw usage('Error: Unsupported URL scheme.', source)
    throw usage(`Error: Invalid URL for -L argument specified: ${url}`, source)
  }

  const [, scheme, user, pass, host, portText] = m
  if (user === '') throw usage('Error: Empty username in URL.', source)
  let port: number | undefined
  if (portText !== undefined) {
    port = atoiStrict(portText)
    if (port === undefined || port < 1 || port > 65_535)
      throw usage(`Error: Invalid port in URL: "${portText}"`, source)
  }

  return {tls: scheme === 'mqtts', host: host.replace(/^\[|\]$/g, ''), port, username: user, password: pass}
}

function parseProxy(url: string, source: string): NonNullable<ResolvedConnection['proxy']> {
  const m = /^socks5h:\/\/(?:([^:@]*)(?::([^@]*))?@)?([^:/]+)(?::(\d*))?\/?$/.exec(url)
  if (!url.startsWith('socks5h://')) throw usage(`Error: Unsupported proxy protocol: ${url}`, source)
  if (!m) throw usage('Error: Invalid proxy.', source)
  const port = m[4] === undefined || m[4] === '' ? 1080 : Number(m[4])
  if (port < 1 || port > 65_535) throw usage(`Error: Invalid proxy port ${m[4]}`, source)
  const decode = (s: string | undefined) => (s === undefined ? undefined : decodeURIComponent(s))
  return {host: m[3], port, username: decode(m[1]), password: decode(m[2])}
}

/**
 * Merges the layers in precedence order — flags, environment, profile, mosquitto_ctrl options
 * file, defaults — and validates every value, naming where a bad one came from.
 */
export async function resolveConnection(input: ResolveInput): Promise<ResolvedConnection> {
  const env = input.env ?? process.env
  const layers: Array<{name: string; options: SourcedOptions}> = []

  // Lowest first; later layers override.
  const optionsFile = input.flags.get('options-file')
  const ctrlFile = typeof optionsFile === 'string' ? optionsFile : ctrlOptionsFilePath(env)
  layers.push({
    name: 'mosquitto_ctrl options file',
    options: readCtrlOptionsFile(ctrlFile, typeof optionsFile === 'string'),
  })

  const cfgPath = configFilePath(env)
  const requested = (input.flags.get('profile') as string | undefined) ?? (env.MQCTL_PROFILE || undefined)
  const profile = selectProfile(await loadConfigFile(cfgPath), cfgPath, requested)
  layers.push({name: 'profile', options: profile.options})

  const envOptions: SourcedOptions = {options: new Map(), sources: new Map()}
  for (const [variable, key] of ENV_KEYS) {
    const value = env[variable]
    if (value !== undefined && value !== '') {
      envOptions.options.set(key, value)
      envOptions.sources.set(key, `environment variable ${variable}`)
    }
  }

  layers.push({name: 'environment', options: envOptions})
  const flagSources = new Map([...input.flags.keys()].map((k) => [k, `--${k}`]))
  layers.push({name: 'flags', options: {options: input.flags, sources: flagSources}})

  const raw = new Map<string, string | true>()
  const sources = new Map<string, string>()
  for (const layer of layers) {
    for (const [key, value] of layer.options.options) {
      raw.set(key, value)
      sources.set(key, layer.options.sources.get(key) ?? layer.name)
    }
  }

  const str = (key: string) => {
    const value = raw.get(key)
    return typeof value === 'string' ? value : undefined
  }

  const bool = (key: string) => raw.get(key) === true || raw.get(key) === 'true'
  const src = (key: string) => sources.get(key) ?? 'default'

  let tlsFromUrl = false
  let host = str('host')
  let port: number | undefined
  let username = str('username')
  let password = str('pw')
  const url = str('url')
  if (url !== undefined) {
    const parsed = parseBrokerUrl(url, src('url'))
    tlsFromUrl = parsed.tls
    // Explicit options of a higher layer than the URL's win; within one layer the URL fills gaps.
    host = host ?? parsed.host
    port = parsed.port ?? (parsed.tls ? 8883 : 1883)
    username = username ?? parsed.username
    password = password ?? parsed.password
  }

  const portText = str('port')
  if (portText !== undefined) {
    const n = atoiStrict(portText)
    if (n === undefined || n < 0 || n > 65_535) throw usage(`Error: Invalid port given: ${portText}`, src('port'))
    port = n
  }

  const qosText = str('qos') ?? '1'
  const qos = atoiStrict(qosText)
  if (qos === undefined || qos < 0 || qos > 2) throw usage(`Error: Invalid QoS given: ${qosText}`, src('qos'))

  const versionText = str('protocol-version') ?? '5'
  const protocolVersion = ({5: 5, mqttv5: 5, 311: 4, mqttv311: 4, 31: 3, mqttv31: 3} as Record<string, 3 | 4 | 5>)[
    versionText
  ]
  if (!protocolVersion) throw usage('Error: Invalid protocol version argument given.', src('protocol-version'))

  const timeoutText = str('timeout') ?? '10'
  const timeout = Number(timeoutText)
  if (!Number.isFinite(timeout) || timeout <= 0)
    throw usage(`invalid --timeout "${timeoutText}": give seconds above 0`, src('timeout'))

  const cert = str('cert')
  const key = str('key')
  if ((cert === undefined) !== (key === undefined)) {
    throw usage(
      'Error: Both certfile and keyfile must be provided if one of them is set.',
      src(cert === undefined ? 'key' : 'cert'),
    )
  }

  const keyform = str('keyform')
  if (keyform !== undefined && keyform !== 'pem')
    throw usage(`--keyform ${keyform} is not supported (only pem)`, src('keyform'))

  const psk = str('psk')
  const pskIdentity = str('psk-identity')
  if (psk !== undefined && pskIdentity === undefined)
    throw usage('Error: --psk-identity required if --psk used.', src('psk'))
  if (psk !== undefined && (str('cafile') !== undefined || str('capath') !== undefined)) {
    throw usage('Error: Only one of --psk or --cafile/--capath may be used at once.', src('psk'))
  }

  if (psk !== undefined && !/^[0-9a-fA-F]+$/.test(psk)) throw usage('--psk must be a hexadecimal key', src('psk'))

  const tlsVersionText = str('tls-version')
  const minVersion =
    tlsVersionText === undefined
      ? undefined
      : ({'tlsv1.3': 'TLSv1.3', 'tlsv1.2': 'TLSv1.2', 'tlsv1.1': 'TLSv1.1'} as const)[tlsVersionText as 'tlsv1.3']
  if (tlsVersionText !== undefined && !minVersion)
    throw usage(
      `Error: Unsupported TLS version "${tlsVersionText}" (use tlsv1.3, tlsv1.2 or tlsv1.1)`,
      src('tls-version'),
    )

  const useOsCerts = bool('tls-use-os-certs')
  const unix = str('unix')
  const wantsTls =
    tlsFromUrl ||
    str('cafile') !== undefined ||
    str('capath') !== undefined ||
    psk !== undefined ||
    useOsCerts ||
    cert !== undefined
  port ??= wantsTls ? 8883 : 1883
  // Like mosquitto_ctrl 2.0.21+: port 8883 means TLS, verified against the system's CAs.
  const tls = wantsTls || (port === 8883 && !unix)

  if (password === undefined && str('password-file') !== undefined) {
    const file = str('password-file')!
    try {
      password = readFileSync(file, 'utf8').split('\n')[0].replace(/\r$/, '')
    } catch (error) {
      throw new MqctlError('FILE_PASSWORD', `cannot read password file ${file}: ${(error as Error).message}`)
    }
  }

  if (password === undefined && str('password-env') !== undefined) password = env[str('password-env')!]
  if (raw.get('password-stdin') === true && input.readStdinLine) {
    password = await input.readStdinLine()
    if (password === undefined)
      throw new MqctlError('USAGE_NO_PASSWORD', '--password-stdin given but standard input is empty')
    sources.set('pw', '--password-stdin')
  }

  if (username !== undefined && password === undefined && input.promptPassword) {
    password = await input.promptPassword(username)
    if (password === '')
      throw new MqctlError('USAGE_NO_PASSWORD', 'Empty password.', {
        verbatim: 'Error: Empty password.\nError getting password.',
        exit: 1,
      })
    sources.set('pw', 'prompt')
  }

  const proxyText = str('proxy')
  const resolved: ResolvedConnection = {
    host: host ?? 'localhost',
    port,
    username,
    password,
    clientId: str('id'),
    qos: qos as 0 | 1 | 2,
    protocolVersion,
    tls: tls
      ? {
          cafile: str('cafile'),
          capath: str('capath'),
          cert,
          key,
          ciphers: str('ciphers'),
          insecure: bool('insecure'),
          minVersion,
          useOsCerts: useOsCerts || (str('cafile') === undefined && str('capath') === undefined),
          alpn: str('tls-alpn'),
          psk: psk === undefined ? undefined : {key: psk, identity: pskIdentity!},
        }
      : undefined,
    unix,
    proxy: proxyText === undefined ? undefined : parseProxy(proxyText, src('proxy')),
    bindAddress: str('bind-address'),
    nodelay: bool('nodelay'),
    debug: bool('debug'),
    quiet: bool('quiet'),
    timeoutMs: timeout * 1000,
    sources: Object.fromEntries(sources),
    profile: profile.name,
  }
  return resolved
}
