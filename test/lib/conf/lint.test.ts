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

describe('config lint: two listeners on one port', () => {
  it('reports every listener that cannot bind beside an earlier one, on seeded files (a pairwise oracle)', async () => {
    let seed = 2026
    const next = (n: number) => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) % n
    const binds = [undefined, '127.0.0.1', '::1', '0.0.0.0']
    for (let round = 0; round < 20; round++) {
      const listeners = Array.from({length: 5 + next(60)}, () => ({port: 1000 + next(12), bind: binds[next(4)]}))
      const text = listeners.map((l) => `listener ${l.port}${l.bind ? ` ${l.bind}` : ''}\n`).join('')
      // The broker's rule, pair by pair: the second of two listeners on one port fails to bind when
      // either has no address or both have the same one.
      const expected: string[] = []
      for (let i = 0; i < listeners.length; i++)
        for (let j = i + 1; j < listeners.length; j++) {
          const [a, b] = [listeners[i], listeners[j]]
          if (a.port === b.port && (a.bind === undefined || b.bind === undefined || a.bind === b.bind))
            expected.push(`${j + 1}:error:conf/duplicate-port`)
        }
      const got = (await lint(text)).filter((f) => f.endsWith('conf/duplicate-port'))
      expect(got.sort()).toEqual(expected.sort())
    }
  })

  it('stays linear in the number of listeners on distinct ports (40,000 of them)', async () => {
    const text = Array.from({length: 40_000}, (_, i) => `listener ${10_000 + i} 127.0.0.1\n`).join('')
    // pairwise, this took about 3 s on the development machine; grouped by port it is a fraction
    const started = Date.now()
    expect(await lint(text)).toEqual([])
    expect(Date.now() - started).toBeLessThan(20_000)
  })
})
