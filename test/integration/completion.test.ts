import {spawnSync} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
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

// Types into an interactive shell under a pseudo-terminal: TAB, then waits for what it must show.
const DRIVE_PTY = String.raw`
import json, os, pty, sys, time, select
steps = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
seen = b''
def wait_for(text, timeout=30):
    global seen
    end = time.time() + timeout
    while text.encode() not in seen:
        if time.time() > end:
            sys.stdout.write(seen.decode(errors='replace'))
            sys.exit('timed out waiting for ' + repr(text))
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try: seen += os.read(fd, 4096)
            except OSError: break
for i in range(0, len(steps), 2):
    seen = b''
    os.write(fd, steps[i].encode())
    wait_for(steps[i + 1])
os.write(fd, b'\x15exit\r')
_, status = os.waitpid(pid, 0)
sys.exit(os.WEXITSTATUS(status))
`

describe('zsh completion (zsh is installed by .ci/run when missing)', () => {
  it('completes commands in an interactive zsh set up as the README says', async () => {
    const home = isolatedHome()
    const env = {HOME: home, XDG_CACHE_HOME: join(home, '.cache')}
    expect((await mqctl(['autocomplete', 'create'], {env})).code).toBe(0)
    const setup = (await mqctl(['autocomplete', 'script', 'zsh'], {env})).stdout
    const bin = join(home, 'bin')
    mkdirSync(bin)
    writeFileSync(join(bin, 'mqctl'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`)
    chmodSync(join(bin, 'mqctl'), 0o755)
    writeFileSync(join(home, '.zshrc'), `PS1='zsh> '\n${setup}\n`)
    writeFileSync(join(home, 'drive.py'), DRIVE_PTY)
    // Each TAB must complete: a word zsh cannot complete would leave the wait timing out.
    const steps = ['', 'zsh> ', 'mqctl dyn\t', 'dynsec', 'createC\t', 'createClient', '\x15mqctl acl l\t', 'lint']
    const r = spawnSync('python3', [join(home, 'drive.py'), JSON.stringify(steps), 'zsh', '-i'], {
      env: {...process.env, ...env, ZDOTDIR: home, PATH: `${bin}:${process.env.PATH}`},
      encoding: 'utf8',
      timeout: 90_000,
    })
    expect(r.error).toBeUndefined()
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
  }, 120_000)
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
