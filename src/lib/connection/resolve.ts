import {MqctlError} from '../errors.js'
import {readInputText} from '../files/input.js'
import type {RawOptions} from './ctrl-options.js'
import {ctrlOptionsFilePath, readCtrlOptionsFile, type SourcedOptions} from './options-files.js'
import {
  CONNECTION_OPTIONS,
  crossProblem,
  optionByName,
  parseBrokerUrl,
  parseProtocolVersion,
  parseProxyUrl,
  parseTlsVersion,
  valueProblem,
} from './options-table.js'
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

const usage = (message: string, source: string) =>
  new MqctlError('USAGE_CONNECTION', `${message.trim()} (from ${source})`)

/** A password file: its first line, read as every input is (regular file, bounded). */
function readPasswordFile(file: string): string {
  return readInputText(file, {maxBytes: 64 * 1024, label: 'password file'})
    .text.split('\n')[0]
    .replace(/\r$/, '')
}

/**
 * Merges the layers in precedence order — flags, environment, profile, mosquitto_ctrl options
 * file, defaults — and validates every value, naming where a bad one came from.
 */
export async function resolveConnection(input: ResolveInput): Promise<ResolvedConnection> {
  const env = input.env ?? process.env
  const layers: Array<{name: string; options: SourcedOptions}> = []

  const cfgPath = configFilePath(env)
  const requested = (input.flags.get('profile') as string | undefined) ?? (env.MQCTL_PROFILE || undefined)
  const profile = selectProfile(await loadConfigFile(cfgPath), cfgPath, requested)

  // Lowest first; later layers override. A profile may name the options file too.
  const optionsFile = input.flags.get('options-file') ?? profile.options.options.get('options-file')
  const ctrlFile = typeof optionsFile === 'string' ? optionsFile : ctrlOptionsFilePath(env)
  layers.push({
    name: 'mosquitto_ctrl options file',
    options: readCtrlOptionsFile(ctrlFile, typeof optionsFile === 'string'),
  })
  layers.push({name: 'profile', options: profile.options})

  const envOptions: SourcedOptions = {options: new Map(), sources: new Map()}
  for (const {env: variable, name: key} of CONNECTION_OPTIONS) {
    const value = variable === undefined ? undefined : env[variable]
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

  // Every value of every layer gets the check the command line gives it.
  for (const [key, value] of raw) {
    const option = optionByName.get(key)
    if (option?.kind === undefined || option.checkedTogether || typeof value !== 'string') continue
    const problem = valueProblem(option, value)
    if (problem) throw usage(problem, sources.get(key) ?? key)
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
    const parsed = parseBrokerUrl(url)
    tlsFromUrl = parsed.tls
    // Explicit options of a higher layer than the URL's win; within one layer the URL fills gaps.
    host = host ?? parsed.host
    port = parsed.port ?? (parsed.tls ? 8883 : 1883)
    username = username ?? parsed.username
    password = password ?? parsed.password
  }

  const portText = str('port')
  if (portText !== undefined) port = Number.parseInt(portText.trim(), 10)
  const qos = Number.parseInt((str('qos') ?? '1').trim(), 10) as 0 | 1 | 2
  const protocolVersion = parseProtocolVersion(str('protocol-version') ?? '5')!
  const timeout = Number(str('timeout') ?? '10')

  const cert = str('cert')
  const key = str('key')
  const cross = crossProblem(str)
  if (cross) throw usage(cross.problem, src(cross.option))
  const psk = str('psk')
  const pskIdentity = str('psk-identity')

  const tlsVersionText = str('tls-version')
  const minVersion = tlsVersionText === undefined ? undefined : parseTlsVersion(tlsVersionText)
  const useOsCerts = bool('tls-use-os-certs')
  const unix = str('unix')
  // As in mosquitto_ctrl, a CA option (or --psk, mqtts://) turns TLS on and a client certificate
  // alone does not; like 2.0.21+, so do --tls-use-os-certs and port 8883.
  const wantsTls =
    tlsFromUrl || str('cafile') !== undefined || str('capath') !== undefined || psk !== undefined || useOsCerts
  port ??= wantsTls ? 8883 : 1883
  const tls = wantsTls || (port === 8883 && !unix)
  const ignoredTlsOptions = tls
    ? []
    : CONNECTION_OPTIONS.filter((o) => o.tlsOnly && raw.has(o.name) && raw.get(o.name) !== 'false').map(
        (o) => `--${o.name}`,
      )

  if (password === undefined && str('password-file') !== undefined) {
    password = readPasswordFile(str('password-file')!)
  }

  if (password === undefined && str('password-env') !== undefined) password = env[str('password-env')!]
  if (raw.get('admin-password-stdin') === true && input.readStdinLine) {
    password = await input.readStdinLine()
    if (password === undefined)
      throw new MqctlError('USAGE_NO_PASSWORD', '--password-stdin given but standard input is empty')
    sources.set('pw', '--admin-password-stdin')
  }

  if (username !== undefined && password === undefined && input.promptPassword) {
    password = await input.promptPassword(username)
    if (password === '')
      // mosquitto_ctrl exits 1 here: a refusal (REFUSED_*), not a usage error.
      throw new MqctlError('REFUSED_EMPTY_PASSWORD', 'Empty password.', {
        verbatim: 'Error: Empty password.\nError getting password.',
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
          // mqtts:// means --tls-use-os-certs (2.1, and mosquitto_sub/pub 2.0), so it adds the
          // system store to --cafile; port 8883 uses it only without --cafile/--capath.
          useOsCerts: useOsCerts || tlsFromUrl || (str('cafile') === undefined && str('capath') === undefined),
          alpn: str('tls-alpn'),
          psk: psk === undefined ? undefined : {key: psk, identity: pskIdentity!},
        }
      : undefined,
    unix,
    proxy: proxyText === undefined ? undefined : (parseProxyUrl(proxyText) as NonNullable<ResolvedConnection['proxy']>),
    bindAddress: str('bind-address'),
    nodelay: bool('nodelay'),
    debug: bool('debug'),
    quiet: bool('quiet'),
    ignoredTlsOptions,
    timeoutMs: timeout * 1000,
    sources: Object.fromEntries(sources),
    profile: profile.name,
  }
  return resolved
}
