import {execFileSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {migrateFiles} from '../../../src/lib/dynsec/migrate-files.js'
import {decodeDynsecFile} from '../../../src/lib/dynsec/state/file-codec.js'

const h7 = () => `$7$101$${Buffer.alloc(12, 1).toString('base64')}$${Buffer.alloc(64, 2).toString('base64')}`

describe('migrateFiles', () => {
  it('writes nothing when lossy unless accepted, then 0600 and a file the codec reads back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mqctl-migrate-'))
    const passwd = join(dir, 'passwd')
    const acl = join(dir, 'acl')
    writeFileSync(passwd, `alice:${h7()}\n`)
    writeFileSync(acl, 'pattern read c/%c\n')
    const out = join(dir, 'out.json')
    const refused = await migrateFiles({passwd, acl, output: out, target: '2.0'})
    expect(refused.written).toBe(false)
    expect(existsSync(out)).toBe(false)
    const written = await migrateFiles({passwd, acl, output: out, target: '2.0', acceptLossy: true})
    expect(written.written).toBe(true)
    expect(statSync(out).mode & 0o777).toBe(0o600)
    expect(decodeDynsecFile(readFileSync(out, 'utf8'), out).warnings).toEqual([])
    await expect(migrateFiles({passwd, acl, output: out, target: '2.0', acceptLossy: true})).rejects.toThrow(
      /already exists/,
    )
  })

  it('hostile inputs: a FIFO or a directory is exit 5 naming it, an acl_file the broker refuses is exit 5 at file:line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mqctl-migrate-'))
    const passwd = join(dir, 'passwd')
    writeFileSync(passwd, `alice:${h7()}\n`)
    const fifo = join(dir, 'fifo')
    execFileSync('mkfifo', [fifo])
    const out = join(dir, 'out.json')
    await expect(migrateFiles({passwd: fifo, acl: passwd, output: out, target: '2.0'})).rejects.toMatchObject({
      exit: 5,
      message: expect.stringContaining(fifo),
    })
    await expect(migrateFiles({passwd, acl: dir, output: out, target: '2.0'})).rejects.toMatchObject({exit: 5})
    const bad = join(dir, 'acl')
    writeFileSync(bad, 'topic read a\n  # indented\n')
    await expect(migrateFiles({passwd, acl: bad, output: out, target: '2.0'})).rejects.toMatchObject({
      exit: 5,
      location: {file: bad, line: 2},
    })
    expect(existsSync(out)).toBe(false)
  })
})
