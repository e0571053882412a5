import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {connectionFlags, connectionFlagsWithLetters} from '../../../src/base/connection-flags.js'
import {parseCtrlOptions} from '../../../src/lib/connection/ctrl-options.js'
import {
  CONNECTION_OPTIONS,
  hideUrlPassword,
  optionByName,
  parseProxyUrl,
  profileKeyNames,
  valueProblem,
} from '../../../src/lib/connection/options-table.js'
import {loadConfigFile} from '../../../src/lib/connection/profiles.js'
import {MqctlError} from '../../../src/lib/errors.js'

const problem = (name: string, value: string) => valueProblem(optionByName.get(name)!, value)

describe('the connection-option table', () => {
  it('feeds the oclif flags, with mosquitto_ctrl letters where it has them', () => {
    // -f/--file is the dynsec commands' own flag (dynsecFileFlag), not every connecting command's.
    expect(Object.keys(connectionFlags).sort()).toEqual(
      CONNECTION_OPTIONS.filter((o) => !o.dynsecOnly)
        .map((o) => o.name)
        .sort(),
    )
    const letters = Object.entries(connectionFlagsWithLetters)
      .filter(([, f]) => f.char)
      .map(([n, f]) => `${f.char}=${n}`)
    expect(letters.sort()).toEqual(
      ['A=bind-address', 'L=url', 'P=pw', 'V=protocol-version', 'd=debug', 'h=host', 'i=id', 'o=options-file']
        .concat(['p=port', 'q=qos', 'u=username'])
        .sort(),
    )
    expect(connectionFlags.host.description).toMatch(/Before the command also -h\.$/)
  })

  it('makes every connection flag a profile key (but --profile and --admin-password-stdin)', async () => {
    const d = mkdtempSync(join(tmpdir(), 'mqctl-table-'))
    const values: Record<string, string> = {
      port: '1884',
      qos: '2',
      'protocol-version': 'mqttv311',
      timeout: '2.5',
      'tls-version': 'tlsv1.2',
      keyform: 'pem',
      psk: 'abcd',
      url: 'mqtt://h:1/t',
      proxy: 'socks5h://p',
    }
    // The engine options are profile keys too, but always refused (checked below).
    const skip = ['profile', 'admin-password-stdin', 'file', 'tls-engine', 'tls-engine-kpass-sha1']
    const lines = CONNECTION_OPTIONS.filter((o) => !skip.includes(o.name)).map((o) =>
      o.kind === undefined ? `    ${o.name}: true` : `    ${o.name}: "${values[o.name] ?? 'x'}"`,
    )
    writeFileSync(join(d, 'config.yaml'), `profiles:\n  all:\n${lines.join('\n')}\n    password-env: X\n`)
    const profile = (await loadConfigFile(join(d, 'config.yaml')))!.profile('all')!
    for (const key of ['quiet', 'tls-alpn', 'keyform', 'debug']) expect(profile).toHaveProperty(key)
    expect(profileKeyNames()).toEqual(expect.arrayContaining([...Object.keys(profile), 'password', 'password-file']))
    // the same checks as on the command line, at the key's line
    writeFileSync(join(d, 'config.yaml'), 'profiles:\n  bad:\n    timeout: 1e9\n')
    const loaded = await loadConfigFile(join(d, 'config.yaml'))
    const error = (() => {
      try {
        loaded!.profile('bad')
      } catch (e) {
        return e as MqctlError
      }
    })()
    expect(error?.located).toMatch(/config\.yaml:3:14: profile "bad": key "timeout": Invalid timeout given/)
    writeFileSync(join(d, 'config.yaml'), 'profiles:\n  eng:\n    tls-engine: pkcs11\n')
    const engine = await loadConfigFile(join(d, 'config.yaml'))
    expect(() => engine!.profile('eng')).toThrow(/key "tls-engine": --tls-engine is not supported: OpenSSL engines/)
  })

  it('checks values as mosquitto_ctrl does, never echoing a non-numeric port', () => {
    expect(problem('port', '-1')).toBe('Error: Invalid port given: -1')
    expect(problem('port', '0')).toBeUndefined()
    expect(problem('port', 'adminpw')).not.toContain('adminpw')
    expect(problem('qos', '3')).toBe('Error: Invalid QoS given: 3')
    expect(problem('timeout', '1e9')).toMatch(/at most 3600/)
    expect(problem('timeout', '3601')).toMatch(/at most 3600/)
    expect(problem('timeout', '0')).toMatch(/more than 0/)
    expect(problem('timeout', '0.5')).toBeUndefined()
    expect(problem('timeout', '3600')).toBeUndefined()
  })

  it('decodes the proxy user and password like mosquitto_ctrl 2.1 and refuses other escapes', () => {
    expect(parseProxyUrl('socks5h://us%25er:p%3aw%40d%3A@host:1081')).toEqual({
      host: 'host',
      port: 1081,
      username: 'us%er',
      password: 'p:w@d:',
    })
    expect(parseProxyUrl('socks5h://user%@host')).toEqual({problem: 'Error: Invalid URL encoding in username.'})
    expect(parseProxyUrl('socks5h://u%4@host')).toEqual({problem: 'Error: Invalid URL encoding in username.'})
    expect(parseProxyUrl('socks5h://u:%zz@host')).toEqual({problem: 'Error: Invalid URL encoding in password.'})
    // An unsupported scheme is named without the password its URL carries.
    expect(parseProxyUrl('http://pu:s3cret@proxy:3128')).toEqual({
      problem: 'Error: Unsupported proxy protocol: http://pu:***@proxy:3128',
    })
    expect(parseProxyUrl('socks5://pu:s3:cr@et@proxy')).toEqual({
      problem: 'Error: Unsupported proxy protocol: socks5://pu:***@proxy',
    })
    expect(parseProxyUrl('socks4://user@proxy')).toEqual({
      problem: 'Error: Unsupported proxy protocol: socks4://user@proxy',
    })
    // A password that holds "/" or comes without a scheme is hidden too.
    expect(parseProxyUrl('http://pu:s3/cr@proxy')).toEqual({
      problem: 'Error: Unsupported proxy protocol: http://pu:***@proxy',
    })
    expect(parseProxyUrl('pu:s3cret@proxy:1080')).toEqual({
      problem: 'Error: Unsupported proxy protocol: pu:***@proxy:1080',
    })
    expect(parseProxyUrl('socks5h://host')).toEqual({
      host: 'host',
      port: 1080,
      username: undefined,
      password: undefined,
    })
  })

  it('reads argv with the table: checked values, blank line after a missing value', () => {
    expect([...parseCtrlOptions(['-h', 'a', '--port=1', '-v', '--password-stdin', 'dynsec']).options]).toEqual([
      ['host', 'a'],
      ['port', '1'],
      ['admin-password-stdin', true],
    ])
    const verbatim = (words: string[]) => {
      try {
        parseCtrlOptions(words)
      } catch (error) {
        return (error as MqctlError).verbatim
      }

      return undefined
    }

    expect(verbatim(['-p'])).toBe('Error: -p argument given but no port specified.\n\n')
    expect(verbatim(['-V', 'x'])).toBe('Error: Invalid protocol version argument given.\n\n')
    expect(verbatim(['--timeout', '1e9'])).toMatch(/^Error: Invalid timeout given: "1e9"/)
  })
})

describe('hideUrlPassword', () => {
  it('hides only the password of the user part, in every URL message', () => {
    expect(hideUrlPassword('mqtt://host:1883/t')).toBe('mqtt://host:1883/t')
    expect(hideUrlPassword('socks4://user@proxy')).toBe('socks4://user@proxy')
    expect(hideUrlPassword('mqtts://admin:pa@ss/w@host/t')).toBe('mqtts://admin:***@host/t')
    // The -L message names a URL with no host, which still carries the password.
    const option = optionByName.get('url')!
    expect(valueProblem(option, 'mqtt://admin:s3cret@/t')).toBe(
      'Error: Invalid URL for -L argument specified: mqtt://admin:***@/t',
    )
  })
})
