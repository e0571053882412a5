import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {readCtrlOptionsFile, ctrlOptionsFilePath} from '../../../src/lib/connection/options-files.js'
import {configFilePath, loadConfigFile} from '../../../src/lib/connection/profiles.js'
import {parseBrokerUrl, valueProblem, optionByName} from '../../../src/lib/connection/options-table.js'
import {resolveConnection} from '../../../src/lib/connection/resolve.js'
import {MqctlError} from '../../../src/lib/errors.js'

const dir = () => mkdtempSync(join(tmpdir(), 'mqctl-resolve-'))
const flags = (o: Record<string, string | true>) => new Map(Object.entries(o))

describe('connection resolution', () => {
  it('uses mosquitto_ctrl defaults', async () => {
    const c = await resolveConnection({flags: flags({}), env: {HOME: dir()}})
    expect([c.host, c.port, c.qos, c.protocolVersion, c.timeoutMs, c.tls]).toEqual([
      'localhost',
      1883,
      1,
      5,
      10_000,
      undefined,
    ])
  })

  it('applies flags > environment > profile > mosquitto_ctrl options file', async () => {
    const home = dir()
    writeFileSync(
      join(home, 'mosquitto_ctrl'),
      '# comment\n-h filehost\n-p 1111\n-u fileuser extra words ignored\n-P filepw\n',
    )
    const cfg = dir()
    writeFileSync(join(cfg, 'config.yaml'), 'default: p\nprofiles:\n  p:\n    port: 2222\n    username: profuser\n')
    const env = {XDG_CONFIG_HOME: home, MQCTL_CONFIG_DIR: cfg, MQCTL_USERNAME: 'envuser'}
    const c = await resolveConnection({flags: flags({}), env})
    expect([c.host, c.port, c.username, c.password]).toEqual(['filehost', 2222, 'envuser', 'filepw'])
    expect(c.sources.host).toBe(`${join(home, 'mosquitto_ctrl')}:2:1`)
    const d = await resolveConnection({flags: flags({username: 'flaguser', port: '3333'}), env})
    expect([d.port, d.username]).toEqual([3333, 'flaguser'])
  })

  it('finds the options file where mosquitto_ctrl does', () => {
    expect(ctrlOptionsFilePath({XDG_CONFIG_HOME: '/x', HOME: '/h'})).toBe('/x/mosquitto_ctrl')
    expect(ctrlOptionsFilePath({HOME: '/h'})).toBe('/h/.config/mosquitto_ctrl')
    expect(configFilePath({MQCTL_CONFIG_DIR: '/m', XDG_CONFIG_HOME: '/x'})).toBe('/m/config.yaml')
    expect(configFilePath({XDG_CONFIG_HOME: '/x'})).toBe('/x/mqctl/config.yaml')
  })

  it('reports a bad options-file line with file, line and column', () => {
    const d = dir()
    writeFileSync(join(d, 'opts'), '-h ok\n  --bogus 1\n')
    expect(() => readCtrlOptionsFile(join(d, 'opts'), true)).toThrow(MqctlError)
    try {
      readCtrlOptionsFile(join(d, 'opts'), true)
    } catch (error) {
      expect((error as MqctlError).located).toBe(
        `${join(d, 'opts')}:2:3: Unknown option '--bogus' (${join(d, 'opts')}:2:3).`,
      )
    }
  })

  it('validates profiles with zod and names the file, profile and key', async () => {
    const d = dir()
    const env = {MQCTL_CONFIG_DIR: d, HOME: d}
    writeFileSync(join(d, 'config.yaml'), 'profiles:\n  prod:\n    host: h\n    prot: 1\n')
    const located = (error: unknown) => (error as MqctlError).located
    expect(located(await resolveConnection({flags: flags({profile: 'prod'}), env}).catch((e: unknown) => e))).toBe(
      `${join(d, 'config.yaml')}:4:5: profile "prod": unknown key "prot"`,
    )
    writeFileSync(join(d, 'config.yaml'), 'profiles:\n  prod:\n    port: "x"\n  dev:\n    host: devhost\n')
    const loaded = await loadConfigFile(join(d, 'config.yaml'))
    expect(
      located(
        await Promise.resolve()
          .then(() => loaded!.profile('prod'))
          .catch((e: unknown) => e),
      ),
    ).toMatch(/config\.yaml:3:11: profile "prod": key "port"/)
    // a broken profile stops only the commands that use it
    expect(loaded!.names).toEqual(['prod', 'dev'])
    expect((await resolveConnection({flags: flags({profile: 'dev'}), env})).host).toBe('devhost')
    writeFileSync(join(d, 'config.yaml'), 'profile:\n  prod: {}\n')
    await expect(loadConfigFile(join(d, 'config.yaml'))).rejects.toThrow(/top level: unknown key "profile"/)
    await expect(
      resolveConnection({flags: flags({profile: 'nope'}), env: {MQCTL_CONFIG_DIR: d, HOME: d}}),
    ).rejects.toThrow(MqctlError)
  })

  it('validates values like mosquitto_ctrl', async () => {
    const env = {HOME: dir()}
    await expect(resolveConnection({flags: flags({port: '70000'}), env})).rejects.toThrow(/Invalid port given: 70000/)
    await expect(resolveConnection({flags: flags({qos: '3'}), env})).rejects.toThrow(/Invalid QoS given: 3/)
    await expect(resolveConnection({flags: flags({'protocol-version': '6'}), env})).rejects.toThrow(
      /Invalid protocol version/,
    )
    await expect(resolveConnection({flags: flags({cert: 'c'}), env})).rejects.toThrow(/Both certfile and keyfile/)
    await expect(resolveConnection({flags: flags({psk: 'ab'}), env})).rejects.toThrow(/--psk-identity required/)
  })

  it('turns on TLS for cafile, mqtts URLs and port 8883', async () => {
    const env = {HOME: dir()}
    expect((await resolveConnection({flags: flags({cafile: '/ca.pem'}), env})).port).toBe(8883)
    expect((await resolveConnection({flags: flags({port: '8883'}), env})).tls?.useOsCerts).toBe(true)
    const u = await resolveConnection({flags: flags({url: 'mqtts://bob:pw@broker:9000/t'}), env})
    expect([u.host, u.port, u.username, u.password, Boolean(u.tls)]).toEqual(['broker', 9000, 'bob', 'pw', true])
    // mqtts:// is --tls-use-os-certs (also with --cafile, as mosquitto_sub and 2.1 take it); port 8883 is not
    const trust = async (f: Record<string, string>) => (await resolveConnection({flags: flags(f), env})).tls?.useOsCerts
    expect(await trust({url: 'mqtts://broker/t', cafile: '/ca.pem'})).toBe(true)
    expect(await trust({port: '8883', cafile: '/ca.pem'})).toBe(false)
    expect(parseBrokerUrl('mqtt://h')).toEqual({
      tls: false,
      host: 'h',
      port: undefined,
      username: undefined,
      password: undefined,
    })
    expect(valueProblem(optionByName.get('url')!, 'http://h/t')).toBe('Error: Unsupported URL scheme.\n')
  })
})
