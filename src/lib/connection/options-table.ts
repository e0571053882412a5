import {atoi, isCInteger} from '../c-atoi.js'
import {escapeForLine} from '../output/escape.js'

/**
 * THE connection-option table. Each row is one option: its mqctl flag, mosquitto_ctrl's
 * spellings, what its value is and how it is checked, its profile key and environment
 * variable, and its help text. Everything else is derived from here: the oclif flags
 * (src/base/connection-flags.ts), the mosquitto_ctrl argv rewrite and options files
 * (ctrl-options.ts), profile validation (profiles.ts), the environment layer (resolve.ts) and
 * the man pages (through the oclif flags and connectionManual).
 */
export type ValueKind =
  'text' | 'port' | 'qos' | 'version' | 'seconds' | 'tls-version' | 'keyform' | 'hex' | 'url' | 'proxy' | 'engine'

export interface ConnectionOption {
  /** mqctl's long flag name, also the profile key. */
  name: string
  /** mosquitto_ctrl's short letter, accepted before the command word (and by probe). */
  letter?: string
  /** mosquitto_ctrl's spellings; empty for mqctl's own options. */
  ctrl: readonly string[]
  /** Undefined for a switch; else what the value is, which decides its check. */
  kind?: ValueKind
  /** The word in mosquitto_ctrl's "<opt> argument given but no <what> specified." */
  what?: string
  /** Profile key (the flag name unless given); false when the option makes no sense in a profile. */
  profile?: string | false
  /** Environment variable read below flags and above profiles. */
  env?: string
  /** Only means something with TLS: warned about when the connection is plain text. */
  tlsOnly?: boolean
  /** How mosquitto_ctrl names it in "argument given but no … specified" (its first spelling otherwise). */
  spelled?: string
  /** Checked with the other options (crossProblem), as mosquitto_ctrl does, not when read. */
  checkedTogether?: boolean
  /** Only the dynsec commands take it (their own oclif flag, src/base/connection-flags.ts). */
  dynsecOnly?: boolean
  help: string
}

const v = (name: string, kind: ValueKind, what: string, help: string, more: Partial<ConnectionOption> = {}) =>
  ({name, kind, what, help, ctrl: [`--${name}`], ...more}) as ConnectionOption
const sw = (name: string, help: string, more: Partial<ConnectionOption> = {}) =>
  ({name, help, ctrl: [`--${name}`], ...more}) as ConnectionOption

const ENGINE_WHY = 'OpenSSL engines are not available in Node'
const ENGINE_REFUSAL = `Not supported (${ENGINE_WHY})`
/** The one refusal of every engine option, naming it (`--tls-engine`, `--keyform engine`). */
export const engineRefusal = (what: string): string => `Error: ${what} is not supported: ${ENGINE_WHY}.`

export const CONNECTION_OPTIONS: readonly ConnectionOption[] = [
  v('host', 'text', 'host', 'Broker host (default localhost).', {
    letter: 'h',
    ctrl: ['-h', '--host'],
    env: 'MQCTL_HOST',
  }),
  v('port', 'port', 'port', 'Broker port (default 1883, 8883 with TLS).', {
    letter: 'p',
    ctrl: ['-p', '--port'],
    env: 'MQCTL_PORT',
  }),
  v('username', 'text', 'username', 'Username to connect as.', {
    letter: 'u',
    ctrl: ['-u', '--username'],
    env: 'MQCTL_USERNAME',
  }),
  v(
    'pw',
    'text',
    'password',
    'Password to connect with (visible in the process list; prefer MQCTL_PASSWORD, a profile or --admin-password-stdin).',
    {letter: 'P', ctrl: ['-P', '--pw'], env: 'MQCTL_PASSWORD'},
  ),
  sw('admin-password-stdin', 'Read the connection password as one line from standard input.', {
    ctrl: ['--password-stdin'],
    profile: false,
  }),
  v('id', 'text', 'id', 'MQTT client id (default: assigned by the broker).', {letter: 'i', ctrl: ['-i', '--id']}),
  v('qos', 'qos', 'QoS', 'QoS for the request and the reply subscription (0-2, default 1).', {
    letter: 'q',
    ctrl: ['-q', '--qos'],
  }),
  v('protocol-version', 'version', 'version', 'MQTT version: 5 (default), 311 or 31.', {
    letter: 'V',
    ctrl: ['-V', '--protocol-version'],
    spelled: '--protocol-version',
  }),
  v(
    'url',
    'url',
    'URL',
    'mqtt(s)://[user[:password]@]host[:port]/topic (the topic part is required, as by mosquitto_ctrl, and unused).',
    {letter: 'L', ctrl: ['-L', '--url']},
  ),
  v('cafile', 'text', 'file', 'CA certificates (PEM) to verify the broker with; enables TLS.'),
  v(
    'capath',
    'text',
    'directory',
    'Hashed directory of CA certificates: only <subject hash>.N files, as openssl rehash makes them; enables TLS.',
  ),
  v('cert', 'text', 'file', 'Client certificate (PEM), with --key; needs TLS (a CA option, port 8883 or mqtts://).', {
    tlsOnly: true,
  }),
  v('key', 'text', 'file', 'Client private key (PEM), with --cert.', {tlsOnly: true}),
  v('keyform', 'keyform', 'keyform', `Key format: pem (engine is refused, exit 2: ${ENGINE_WHY}).`, {
    tlsOnly: true,
    checkedTogether: true,
  }),
  v('ciphers', 'text', 'ciphers', 'OpenSSL cipher list.', {tlsOnly: true}),
  sw(
    'insecure',
    "Do not check that the broker's certificate names the host (-h); the chain and dates are still verified.",
    {tlsOnly: true},
  ),
  v('tls-version', 'tls-version', 'version', 'Minimum TLS version: tlsv1.3, tlsv1.2 or tlsv1.1.', {tlsOnly: true}),
  sw(
    'tls-use-os-certs',
    "Trust the system OpenSSL's CA store, as mosquitto's clients do ($SSL_CERT_FILE, $SSL_CERT_DIR, else OPENSSLDIR's cert.pem and certs/), with --cafile/--capath if given; implied by mqtts:// and, without --cafile/--capath, port 8883; enables TLS.",
  ),
  v('tls-alpn', 'text', 'protocol', 'TLS ALPN protocol to offer.', {tlsOnly: true}),
  // mosquitto_ctrl's OpenSSL engine options: read (with its texts for a missing value) so they
  // are never "Unknown option", and always refused, never ignored: Node has no engine support.
  v('tls-engine', 'engine', 'engine_id', `${ENGINE_REFUSAL}: refused (exit 2).`),
  v('tls-engine-kpass-sha1', 'engine', 'kpass sha1', `${ENGINE_REFUSAL}: refused (exit 2).`),
  v('psk', 'hex', 'key', 'TLS pre-shared key, hexadecimal (TLS 1.2).', {checkedTogether: true}),
  v('psk-identity', 'text', 'identity', 'Identity for --psk.'),
  v('unix', 'text', 'socket path', 'Connect through this Unix socket instead of TCP.'),
  v('proxy', 'proxy', 'proxy url', 'SOCKS5 proxy: socks5h://[user[:password]@]host[:port].'),
  v('bind-address', 'text', 'address', 'Local address to connect from.', {letter: 'A', ctrl: ['-A']}),
  sw('nodelay', "Disable Nagle's algorithm.", {ctrl: ['--nodelay']}),
  sw('debug', 'Log MQTT packets to stderr.', {letter: 'd', ctrl: ['-d', '--debug']}),
  sw('quiet', 'Do not print the unencrypted-connection warning.'),
  v(
    'options-file',
    'text',
    'options file',
    'mosquitto_ctrl options file to read instead of ~/.config/mosquitto_ctrl.',
    {letter: 'o', ctrl: ['-o']},
  ),
  v('timeout', 'seconds', 'timeout', 'Seconds to wait for the broker and the plugin (default 10, at most 3600).'),
  v('profile', 'text', 'profile', 'Profile of ~/.config/mqctl/config.yaml to use (or MQCTL_PROFILE).', {
    profile: false,
  }),
  // mosquitto_ctrl 2.1's offline target: a dynamic-security.json instead of a broker.
  v('file', 'text', 'data file', 'dynamic-security.json to work on instead of a broker.', {
    letter: 'f',
    ctrl: ['-f'],
    profile: false,
    dynsecOnly: true,
  }),
]

/** Keys a profile may hold besides the flags: other ways to give the password. */
export const PROFILE_ONLY_KEYS = {
  password: 'the password (same as pw)',
  'password-file': 'a file whose first line is the password',
  'password-env': 'an environment variable holding the password',
} as const

export const optionByName = new Map(CONNECTION_OPTIONS.map((o) => [o.name, o]))

/** mosquitto_ctrl's spellings (and `--name` for mqctl's own) → the option. */
export const optionBySpelling = new Map(
  CONNECTION_OPTIONS.flatMap((o) => [...new Set([...o.ctrl, `--${o.name}`])].map((s) => [s, o] as const)),
)

export const profileKeyOf = (o: ConnectionOption): string | undefined =>
  o.profile === false ? undefined : (o.profile ?? o.name)

/** Every key a profile may hold, for help texts and "did you mean". */
export const profileKeyNames = (): string[] => [
  ...CONNECTION_OPTIONS.map(profileKeyOf).filter((k): k is string => k !== undefined),
  ...Object.keys(PROFILE_ONLY_KEYS),
]

/** mosquitto_ctrl's text for a missing value, ending with its blank line. */
export const missingValueText = (o: ConnectionOption): string =>
  `Error: ${o.spelled ?? o.ctrl[0] ?? `--${o.name}`} argument given but no ${o.what} specified.\n\n`

export const MAX_TIMEOUT_SECONDS = 3600

const PROTOCOL_VERSIONS: Record<string, 3 | 4 | 5> = {5: 5, mqttv5: 5, 311: 4, mqttv311: 4, 31: 3, mqttv31: 3}
const TLS_VERSIONS = {'tlsv1.3': 'TLSv1.3', 'tlsv1.2': 'TLSv1.2', 'tlsv1.1': 'TLSv1.1'} as const

export const parseProtocolVersion = (text: string): 3 | 4 | 5 | undefined => PROTOCOL_VERSIONS[text]
export const parseTlsVersion = (text: string): (typeof TLS_VERSIONS)[keyof typeof TLS_VERSIONS] | undefined =>
  TLS_VERSIONS[text as keyof typeof TLS_VERSIONS]

/**
 * A port's problem in mosquitto_ctrl's words. Its value is printed only when it is a number:
 * `-p adminpw` is most likely a password typed after the wrong letter, and must not be echoed.
 */
export function portProblem(text: string, words = 'Invalid port given'): string | undefined {
  if (!isCInteger(text)) return `Error: ${words}: the value is not a number (not shown, in case it is a password)`
  const n = Number.parseInt(text.trim(), 10)
  return n < 0 || n > 65_535 ? `Error: ${words}: ${n}` : undefined
}

/** The problem with one option value, in mosquitto_ctrl's words where it has them; undefined when fine. */
export function valueProblem(o: ConnectionOption, text: string): string | undefined {
  switch (o.kind) {
    case 'port': {
      return portProblem(text)
    }

    case 'qos': {
      if (!isCInteger(text)) return `Error: Invalid QoS given: ${escapeForLine(text)}`
      const n = Number.parseInt(text.trim(), 10)
      return n < 0 || n > 2 ? `Error: Invalid QoS given: ${n}` : undefined
    }

    case 'version': {
      // mosquitto_ctrl follows this one (and the URL scheme one) with a blank line.
      return parseProtocolVersion(text) ? undefined : 'Error: Invalid protocol version argument given.\n'
    }

    case 'seconds': {
      const n = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN
      return n > 0 && n <= MAX_TIMEOUT_SECONDS
        ? undefined
        : `Error: Invalid timeout given: "${escapeForLine(text)}" (give seconds, more than 0 and at most ${MAX_TIMEOUT_SECONDS})`
    }

    case 'tls-version': {
      return parseTlsVersion(text)
        ? undefined
        : `Error: Unsupported TLS version "${escapeForLine(text)}" (use tlsv1.3, tlsv1.2 or tlsv1.1)`
    }

    case 'keyform': {
      if (text === 'engine') return engineRefusal('--keyform engine')
      return text === 'pem' ? undefined : "Error: Problem setting key form, it must be one of 'pem' or 'engine'."
    }

    case 'hex': {
      return /^[0-9a-fA-F]+$/.test(text) ? undefined : 'Error: --psk must be a hexadecimal key'
    }

    case 'engine': {
      return engineRefusal(`--${o.name}`)
    }

    case 'url': {
      return brokerUrlProblem(text)
    }

    case 'proxy': {
      const parsed = parseProxyUrl(text)
      return 'problem' in parsed ? parsed.problem : undefined
    }

    default: {
      return undefined
    }
  }
}

export interface BrokerUrl {
  tls: boolean
  host: string
  port?: number
  username?: string
  password?: string
}

// The scheme in any letter case, as mosquitto_ctrl compares it (strncasecmp).
const URL_SHAPE = /^(mqtts?):\/\/(?:([^:@/]*)(?::([^@/]*))?@)?(\[[^\]]+\]|[^:/]*)(?::([^/]*))?(\/.*)?$/i

function brokerUrlProblem(url: string): string | undefined {
  const m = URL_SHAPE.exec(url)
  const scheme = /^mqtts?:\/\//i.exec(url)
  if (!scheme) return 'Error: Unsupported URL scheme.\n'
  // Both mosquitto_ctrl versions refuse a URL without a "/topic" part (any '/' after the scheme).
  if (!url.slice(scheme[0].length).includes('/')) return 'Error: Invalid URL for -L argument specified - topic missing.'
  if (!m || m[4] === '') return `Error: Invalid URL for -L argument specified: ${escapeForLine(url)}`
  if (m[2] === '') return 'Error: Empty username in URL.'
  if (m[5] === '') return 'Error: Empty port in URL.'
  if (m[5] !== undefined) return portProblem(m[5], 'Invalid port in URL')
  return undefined
}

/** Splits `mqtt(s)://[user[:pass]@]host[:port]/topic` as mosquitto_ctrl's -L does (check first). */
export function parseBrokerUrl(url: string): BrokerUrl {
  const [, scheme, user, pass, host, portText] = URL_SHAPE.exec(url)!
  return {
    tls: scheme.toLowerCase() === 'mqtts',
    host: host.replace(/^\[|\]$/g, ''),
    port: portText === undefined ? undefined : Number.parseInt(portText.trim(), 10),
    username: user,
    password: pass,
  }
}

export interface ProxyUrl {
  host: string
  port: number
  username?: string
  password?: string
}

/**
 * mosquitto_ctrl 2.1's %-decoding of the proxy user and password: only %25 (%), %3a/%3A (:)
 * and %40 (@) exist; any other escape, or a % without two characters after it, is refused.
 * (2.1.2 turns %40 into ":" by mistake; mqctl decodes it to "@", as its own comment says.)
 */
function proxyDecode(text: string | undefined): string | undefined | null {
  if (text === undefined) return undefined
  let out = ''
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '%') {
      out += text[i]
      continue
    }

    const code = text.slice(i + 1, i + 3)
    const decoded = code === '25' ? '%' : code.toLowerCase() === '3a' ? ':' : code === '40' ? '@' : undefined
    if (decoded === undefined || code.length < 2) return null
    out += decoded
    i += 2
  }

  return out
}

/** `socks5h://[user[:password]@]host[:port]`, with mosquitto_ctrl's checks and messages. */
export function parseProxyUrl(url: string): ProxyUrl | {problem: string} {
  if (!url.startsWith('socks5h://')) {
    // mosquitto_ctrl's words, without the password a URL like http://user:pw@host carries.
    const shown = url.replace(/^([^:/@]*:\/\/[^:@/]*:)[^/]*@/, '$1***@')
    return {problem: `Error: Unsupported proxy protocol: ${escapeForLine(shown)}`}
  }
  const m = /^socks5h:\/\/(?:([^:@]+)(?::([^@]+))?@)?([^:@/]+)(?::([^:@/]*))?\/?$/.exec(url)
  if (!m) return {problem: 'Error: Invalid proxy.'}
  const username = proxyDecode(m[1])
  if (username === null) return {problem: 'Error: Invalid URL encoding in username.'}
  const password = proxyDecode(m[2])
  if (password === null) return {problem: 'Error: Invalid URL encoding in password.'}
  // mosquitto_ctrl reads the port with atoi: `host:abc` is port 0, refused below.
  const port = m[4] === undefined || m[4] === '' ? 1080 : atoi(m[4])
  if (port < 1 || port > 65_535) return {problem: `Error: Invalid proxy port ${port}`}
  return {host: m[3], port, username, password}
}

/**
 * The checks mosquitto_ctrl makes on options together, in its order (client_config_load in
 * apps/mosquitto_ctrl/options.c), before any connection: the first problem and the option to
 * blame, or undefined.
 */
export function crossProblem(get: (name: string) => string | undefined): {problem: string; option: string} | undefined {
  const cert = get('cert')
  const key = get('key')
  if ((cert === undefined) !== (key === undefined))
    return {
      problem: 'Error: Both certfile and keyfile must be provided if one of them is set.',
      option: cert ? 'cert' : 'key',
    }
  const keyform = get('keyform')
  if (keyform !== undefined && key === undefined)
    return {problem: 'Error: If keyform is set, keyfile must be also specified.', option: 'keyform'}
  const psk = get('psk')
  if (psk !== undefined && (get('cafile') !== undefined || get('capath') !== undefined))
    return {problem: 'Error: Only one of --psk or --cafile/--capath may be used at once.', option: 'psk'}
  if (psk !== undefined && get('psk-identity') === undefined)
    return {problem: 'Error: --psk-identity required if --psk used.', option: 'psk'}
  for (const name of ['keyform', 'psk']) {
    const value = get(name)
    const problem = value === undefined ? undefined : valueProblem(optionByName.get(name)!, value)
    if (problem) return {problem, option: name}
  }

  return undefined
}

/** The long names of the shared connection flags (src/base/connection-flags.ts makes one oclif flag per name). */
export const CONNECTION_FLAG_NAMES: ReadonlySet<string> = new Set(
  CONNECTION_OPTIONS.filter((o) => !o.dynsecOnly).map((o) => o.name),
)
