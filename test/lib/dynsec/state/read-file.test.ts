import {execFileSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {MqctlError} from '../../../../src/lib/errors.js'
import {readDynsecStateFile} from '../../../../src/lib/dynsec/state/read-file.js'

const dir = mkdtempSync(join(tmpdir(), 'mqctl-readfile-'))
const failure = (fn: () => unknown): MqctlError => {
  try {
    fn()
  } catch (error) {
    if (error instanceof MqctlError) return error
    throw error
  }

  throw new Error('did not throw')
}

describe('readDynsecStateFile', () => {
  it('refuses JSON the plugin cannot load with file:line and exit 5', () => {
    const file = join(dir, 'bad.json')
    writeFileSync(file, '{\n\t"clients": [\n\t\t{"username": "a",}\n\t]\n}')
    const e = failure(() => readDynsecStateFile(file))
    expect([e.exit, e.location?.file, e.location?.line]).toEqual([5, file, 3])
  })

  it('refuses a FIFO instead of blocking, and a missing file unless allowed', () => {
    const fifo = join(dir, 'fifo')
    execFileSync('mkfifo', [fifo])
    expect(failure(() => readDynsecStateFile(fifo)).exit).toBe(5)
    const missing = join(dir, 'missing.json')
    expect(failure(() => readDynsecStateFile(missing)).exit).toBe(5)
    expect(readDynsecStateFile(missing, {allowMissing: true})).toMatchObject({exists: false, state: {clients: []}})
  })

  it('refuses invalid UTF-8 rather than rewriting names', () => {
    const file = join(dir, 'latin1.json')
    writeFileSync(
      file,
      Buffer.concat([Buffer.from('{"clients":[{"username":"'), Buffer.from([0xe9]), Buffer.from('"}]}')]),
    )
    expect(failure(() => readDynsecStateFile(file)).exit).toBe(5)
  })
})
