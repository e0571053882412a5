import {MqctlError} from '../errors.js'

/**
 * mosquitto_ctrl's connection options (spec 2.2), as read from argv before the module name
 * and from options files. Each maps to one mqctl long flag name; short letters exist only
 * here, because after `dynsec <command>` they belong to the command (`createClient -p`).
 */
export interface CtrlOption {
  /** mqctl's long flag name. */
  flag: string
  /** Takes a value. */
  value: boolean
  /** What mosquitto_ctrl says when the value is missing. */
  missing?: string
}

const v = (flag: string, what: string, names: string[]): Array<[string, CtrlOption]> =>
  names.map((n) => [n, {flag, value: true, missing: `Error: ${names[0]} argument given but no ${what} specified.`}])
const b = (flag: string, names: string[]): Array<[string, CtrlOption]> => names.map((n) => [n, {flag, value: false}])

export const CTRL_OPTIONS: ReadonlyMap<string, CtrlOption> = new Map([
  ...v('bind-address', 'address', ['-A']),
  ...v('cafile', 'file', ['--cafile']),
  ...v('capath', 'directory', ['--capath']),
  ...v('cert', 'file', ['--cert']),
  ...v('key', 'file', ['--key']),
  ...v('keyform', 'keyform', ['--keyform']),
  ...v('ciphers', 'ciphers', ['--ciphers']),
  ...b('debug', ['-d', '--debug']),
  ...v('host', 'host', ['-h', '--host']),
  ...v('id', 'id', ['-i', '--id']),
  ...b('insecure', ['--insecure']),
  ...v('url', 'URL', ['-L', '--url']),
  ...v('options-file', 'options file', ['-o']),
  ...v('port', 'port', ['-p', '--port']),
  ...v('pw', 'password', ['-P', '--pw']),
  ...v('proxy', 'proxy url', ['--proxy']),
  ...v('psk', 'key', ['--psk']),
  ...v('psk-identity', 'identity', ['--psk-identity']),
  ...v('qos', 'QoS', ['-q', '--qos']),
  ...b('quiet', ['--quiet']),
  ...v('tls-alpn', 'protocol', ['--tls-alpn']),
  ...v('tls-version', 'version', ['--tls-version']),
  ...b('tls-use-os-certs', ['--tls-use-os-certs']),
  ...v('username', 'username', ['-u', '--username']),
  ...v('unix', 'socket path', ['--unix']),
  ...v('protocol-version', 'version', ['-V', '--protocol-version']),
  ...b('verbose', ['-v', '--verbose']),
  // 2.1: the dynamic-security.json to work on offline.
  ...v('file', 'data file', ['-f', '--file']),
  // mqctl's own, accepted in the same places.
  ...b('nodelay', ['--nodelay']),
  ...v('timeout', 'timeout', ['--timeout']),
  ...v('profile', 'profile', ['--profile']),
  ...b('password-stdin', ['--password-stdin']),
])

/** Raw option values by mqctl flag name, before validation. */
export type RawOptions = Map<string, string | true>

export interface CtrlParse {
  options: RawOptions
  /** Index of the first word that is not a connection option. */
  rest: number
}

/**
 * Reads connection options from `words` until the first word that is not one (mosquitto_ctrl
 * stops at the first word not starting with `-`). `--flag=value` is accepted too.
 */
export function parseCtrlOptions(words: readonly string[], where = 'command line'): CtrlParse {
  const options: RawOptions = new Map()
  let i = 0
  for (; i < words.length; i++) {
    const word = words[i]
    if (!word.startsWith('-') || word === '-') break
    const eq = word.startsWith('--') ? word.indexOf('=') : -1
    const name = eq > 0 ? word.slice(0, eq) : word
    const option = CTRL_OPTIONS.get(name)
    if (!option) {
      throw new MqctlError('USAGE_CONNECTION_OPTION', `Unknown option '${name}' (${where}).`, {
        verbatim: `Error: Unknown option '${name}'.`,
      })
    }

    if (!option.value) {
      options.set(option.flag, true)
      continue
    }

    const value = eq > 0 ? word.slice(eq + 1) : words[++i]
    if (value === undefined || value === '') {
      throw new MqctlError('USAGE_CONNECTION_OPTION', `${option.missing!.replace(/^Error: /, '')} (${where})`, {
        verbatim: option.missing,
      })
    }

    options.set(option.flag, value)
  }

  return {options, rest: i}
}
