import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {runCommand} from '../../helpers/run-command.js'

import ProfileList from '../../../src/commands/profile/list.js'

describe('profile list', () => {
  it('escapes control bytes of profile names and problems (the file is input, stdout a terminal)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mqctl-profile-list-'))
    writeFileSync(join(dir, 'config.yaml'), 'profiles:\n  "p\\e]0;x\\a":\n    host: "h"\n    port: 99999\n')
    const {stdout, status} = await runCommand(ProfileList, [], {env: {MQCTL_CONFIG_DIR: dir}})
    expect(status).toBe(0)
    expect(stdout).toContain('p\\x1b]0;x\\x07')
    expect(stdout.includes('\u001b') || stdout.includes('\u0007')).toBe(false)
  })
})
