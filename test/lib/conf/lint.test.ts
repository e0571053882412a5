import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {lintConf} from '../../../src/lib/conf/lint.js'
import {tempDirs} from '../../helpers/temp-dirs.js'

const {fresh} = tempDirs('conf-lint')
const lint = async (text: string) => {
  const file = join(fresh(), 'mosquitto.conf')
  writeFileSync(file, text)
  return (await lintConf(file, {fileChecks: false})).map((f) => `${f.line}:${f.severity}:${f.rule}`)
}

// The verdicts here were observed on mosquitto 2.0.11; config-lint-agreement.test.ts replays
// them against the installed broker.
describe('config lint', () => {
  it('reads ports as atoi does: junk after digits is a warning, out of range an error', async () => {
    expect(await lint('listener 1884x 127.0.0.1\n')).toEqual(['1:warning:conf/port-text'])
    expect(await lint('listener abc 127.0.0.1\n')).toEqual(['1:warning:conf/port-text'])
    expect(await lint('listener 70000 127.0.0.1\n')).toEqual(['1:error:conf/invalid-value'])
    expect(await lint('listener -1 127.0.0.1\n')).toEqual(['1:error:conf/invalid-value'])
    expect(await lint('listener 1884 127.0.0.1\n')).toEqual([])
    // the deprecated "port" has no Unix-socket form: 0 is refused, and the message shows the number
    expect(await lint('port abc\n')).toContain('1:error:conf/invalid-value')
    expect(await lint('port 0\n')).toContain('1:error:conf/invalid-value')
    const file = join(fresh(), 'mosquitto.conf')
    writeFileSync(file, 'listener 70000x 127.0.0.1\n')
    expect((await lintConf(file, {fileChecks: false}))[0].message).toBe('Invalid port value (70000).')
  })

  it('refuses cafile or certfile after psk_hint, and only warns the other way round', async () => {
    expect(await lint('listener 8883 127.0.0.1\npsk_hint h\ncertfile c\nkeyfile k\n')).toContain(
      '3:error:conf/cert-and-psk',
    )
    expect(await lint('listener 8883 127.0.0.1\npsk_hint h\ncafile a\n')).toContain('3:error:conf/cert-and-psk')
    const keyFirst = await lint('listener 8883 127.0.0.1\ncertfile c\npsk_hint h\nkeyfile k\n')
    expect(keyFirst.filter((f) => f.endsWith('conf/cert-and-psk'))).toEqual(['3:warning:conf/cert-and-psk'])
  })
})
