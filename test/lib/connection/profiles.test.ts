import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {tempDirs} from '../../helpers/temp-dirs.js'

import {loadConfigFile} from '../../../src/lib/connection/profiles.js'
import {MqctlError} from '../../../src/lib/errors.js'

const {fresh} = tempDirs('profiles')

describe('loadConfigFile', () => {
  it('a YAML alias bomb is a parse error of the file (exit 5), not an internal error', async () => {
    let text = 'a: &a [x, x, x, x, x, x, x, x, x]\n'
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i)
      text += `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${prev}`).join(', ')}]\n`
    }

    const path = join(fresh(), 'config.yaml')
    writeFileSync(path, text)
    const error = await loadConfigFile(path).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(MqctlError)
    expect((error as MqctlError).code).toBe('PARSE_CONFIG')
    expect((error as MqctlError).location?.file).toBe(path)
  })
})
