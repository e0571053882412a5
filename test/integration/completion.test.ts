import {spawnSync} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {BIN, isolatedHome, mqctl} from '../helpers/cli.js'

describe('shell completion (@oclif/plugin-autocomplete)', () => {
  it('writes a bash script that bash sources without error and that completes commands; and a zsh one', async () => {
    const home = isolatedHome()
    const env = {HOME: home, XDG_CACHE_HOME: join(home, '.cache')}
    expect((await mqctl(['autocomplete', 'create'], {env})).code).toBe(0)
    const script = `
      set -e
      source <("${process.execPath}" "${BIN}" autocomplete script bash)
      complete -p mqctl
      COMP_WORDS=(mqctl acl l); COMP_CWORD=2; _mqctl_autocomplete; echo "acl: \${COMPREPLY[*]}"
      COMP_WORDS=(mqctl dynsec getCl); COMP_CWORD=2; _mqctl_autocomplete; echo "dynsec: \${COMPREPLY[*]}"
      COMP_WORDS=(mqctl bro); COMP_CWORD=1; _mqctl_autocomplete; echo "top: \${COMPREPLY[*]}"
    `
    const r = spawnSync('bash', ['-c', script], {env: {...process.env, ...env}, encoding: 'utf8'})
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('complete -F _mqctl_autocomplete mqctl')
    expect(r.stdout).toMatch(/^acl: lint$/m)
    expect(r.stdout).toMatch(/^dynsec: getClient$/m)
    expect(r.stdout).toMatch(/^top: broker\b/m)
    const zsh = join(home, '.cache', 'mqctl', 'autocomplete', 'functions', 'zsh', '_mqctl')
    expect(existsSync(zsh)).toBe(true)
    expect(readFileSync(zsh, 'utf8')).toMatch(/^#compdef mqctl/)
    expect((await mqctl(['autocomplete', 'script', 'zsh'], {env})).stdout).toContain('zsh_setup')
  }, 60_000)
})

describe('did you mean', () => {
  it("keeps mosquitto_ctrl's line and exit 13 for a dynsec command, and names the closest one", async () => {
    const r = await mqctl(['dynsec', 'creatClient', 'bob'])
    expect(r.code).toBe(13)
    expect(r.stderr).toBe(`Command 'creatClient' not recognised.\nDid you mean "createClient"?\n`)
    const far = await mqctl(['-h', 'localhost', 'dynsec', 'frobnicate'])
    expect([far.code, far.stderr]).toEqual([13, "Command 'frobnicate' not recognised.\n"])
  })

  it('names the closest command when oclif finds none', async () => {
    const r = await mqctl(['acl', 'lnt', 'file.acl'])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe('mqctl: "acl lnt" is not a mqctl command (see "mqctl --help").\nDid you mean "acl lint"?\n')
    expect((await mqctl(['confg', 'lint'])).stderr).toContain('Did you mean "config lint"?')
    expect((await mqctl(['xyzzy'])).stderr).not.toContain('Did you mean')
  })
})
