import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {ProfileEditCommand, profileCommand} from '../../src/base/profile-command.js'
import ProfileAdd from '../../src/commands/profile/add.js'
import ProfileRemove from '../../src/commands/profile/remove.js'
import ProfileSet from '../../src/commands/profile/set.js'
import ProfileUse from '../../src/commands/profile/use.js'
import {runCommand} from '../helpers/run-command.js'

describe('the profile edit base', () => {
  it('profileCommand makes each class with its texts, the NAME argument, and the keys for add and set', () => {
    const use = profileCommand('use')
    expect(use.prototype).toBeInstanceOf(ProfileEditCommand)
    expect(use.name).toBe('ProfileUse')
    expect(use.examples).toEqual(['<%= config.bin %> profile use prod'])
    expect(ProfileRemove.summary).toBe('Remove a connection profile.')
    expect(ProfileUse.args?.name.required).toBe(true)
    expect(Object.keys(ProfileUse.flags ?? {})).toEqual([])
    expect(Object.keys(ProfileAdd.flags ?? {})).toEqual(expect.arrayContaining(['host', 'password-env', 'use']))
    expect(Object.keys(ProfileSet.flags ?? {})).toEqual(expect.arrayContaining(['host', 'password-file', 'unset']))
    expect(ProfileSet.flags).not.toHaveProperty('use')
  })

  it('add, set, use, remove edit the file and say what they did (only the document under --json)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mqctl-profile-base-'))
    const env = {MQCTL_CONFIG_DIR: dir}
    const file = join(dir, 'config.yaml')

    const add = await runCommand(ProfileAdd, ['lab', '--host', 'h1', '--pw', 'pw', '--use'], {env})
    expect(add.status).toBe(0)
    expect(add.stdout).toBe(`added profile "lab" to ${file} (now the default)\n`)
    expect(add.stderr).toContain('the password is stored in plain text')

    const set = await runCommand(ProfileSet, ['lab', '--port', '1884', '--json'], {env})
    expect(set.status).toBe(0)
    expect(JSON.parse(set.stdout)).toMatchObject({action: 'set', profile: 'lab', file})
    expect(readFileSync(file, 'utf8')).toMatch(/port: 1884/)
    const unset = await runCommand(ProfileSet, ['lab', '--unset', 'port'], {env})
    expect(unset.stdout).toBe(`updated profile "lab" in ${file}\n`)
    expect(readFileSync(file, 'utf8')).not.toMatch(/port:/)

    const use = await runCommand(ProfileUse, ['lab'], {env})
    expect(use.stdout).toBe('default profile is now "lab"\n')
    expect(readFileSync(file, 'utf8')).toMatch(/default: lab/)

    const remove = await runCommand(ProfileRemove, ['lab'], {env})
    expect(remove.stdout).toBe('removed profile "lab"\n')
    expect(readFileSync(file, 'utf8')).not.toMatch(/lab/)

    const missing = await runCommand(ProfileUse, ['lab'], {env})
    expect(missing.status).toBe(2)
  })
})
