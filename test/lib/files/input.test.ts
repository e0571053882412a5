import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {readInputFile} from '../../../src/lib/files/input.js'

let dir: string
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'mqctl-input-'))))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('readInputFile', () => {
  it('reads files of every size around the buffer sizes whole', () => {
    for (const size of [0, 1, 4095, 4096, 4097, 1024 * 1024, 1024 * 1024 + 1, 3 * 1024 * 1024 + 7]) {
      const file = join(dir, `f${size}`)
      const bytes = Buffer.alloc(size, size % 251)
      writeFileSync(file, bytes)
      expect(readInputFile(file).bytes.equals(bytes), `size ${size}`).toBe(true)
    }
  })

  it('reads a file whose size fstat does not know (/proc), and bounds one that lies', () => {
    const status = readInputFile('/proc/self/status').bytes.toString()
    expect(status).toMatch(/^Name:/)
    expect(() => readInputFile('/proc/self/status', {maxBytes: 10})).toThrow(/larger than 10 bytes/)
  })

  it('refuses a FIFO and a device without blocking', () => {
    const fifo = join(dir, 'fifo')
    execFileSync('mkfifo', [fifo])
    expect(() => readInputFile(fifo)).toThrow(/FIFO/)
    expect(() => readInputFile('/dev/zero')).toThrow(/character device/)
  })
})
