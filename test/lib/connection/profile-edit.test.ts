import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {editProfiles} from '../../../src/lib/connection/profile-edit.js'
import {MqctlError} from '../../../src/lib/errors.js'

const dir = mkdtempSync(join(tmpdir(), 'mqctl-profile-edit-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

const refusal = async (path: string): Promise<MqctlError> => {
  try {
    await editProfiles(path, {action: 'add', name: 'p', values: {host: 'h'}})
  } catch (error) {
    if (error instanceof MqctlError) return error
    throw error
  }

  throw new Error('accepted')
}

describe('editProfiles on hostile profile files', () => {
  it('a FIFO as the profile file is refused at once (exit 5), not waited on', async () => {
    const fifo = join(dir, 'fifo.yaml')
    execFileSync('mkfifo', [fifo])
    const started = Date.now()
    const e = await refusal(fifo)
    expect([e.code, e.exit, e.located]).toEqual(['FILE_NOT_REGULAR', 5, expect.stringContaining('is a FIFO')])
    expect(Date.now() - started).toBeLessThan(5000)
  })

  it('a YAML alias bomb is a file problem naming the file (exit 5), and the file is left as it was', async () => {
    const file = join(dir, 'bomb.yaml')
    let bomb = 'a0: &a0 [x, x, x, x, x, x, x, x, x]\n'
    for (let i = 1; i < 12; i++) bomb += `a${i}: &a${i} [${Array.from({length: 9}, () => `*a${i - 1}`).join(', ')}]\n`
    writeFileSync(file, `${bomb}profiles: {}\n`)
    const e = await refusal(file)
    expect([e.code, e.exit, e.located]).toEqual(['PARSE_CONFIG', 5, expect.stringMatching(/bomb\.yaml: .*alias/i)])
    expect(readFileSync(file, 'utf8')).toBe(`${bomb}profiles: {}\n`)
  })

  it('a missing file is still created', async () => {
    const file = join(dir, 'new', 'config.yaml')
    await editProfiles(file, {action: 'add', name: 'p', values: {host: 'h'}})
    expect(readFileSync(file, 'utf8')).toContain('host: h')
  })
})
