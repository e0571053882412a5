import {execFileSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {mqctl} from '../helpers/cli.js'
import {tempDirs} from '../helpers/temp-dirs.js'

const {fresh} = tempDirs('conf-lint-input')

/** config lint's inputs as a user hands them over (issue 9 §3). */
describe('config lint input', () => {
  it('reads standard input for "-"', async () => {
    const bad = await mqctl(['config', 'lint', '--no-file-checks', '-'], {input: 'listener 1884\nmax_keepalive 5\n'})
    expect(bad.code).toBe(1)
    expect(bad.stdout).toContain('<stdin>:2:1: error: Invalid max_keepalive value (5). [conf/invalid-value]')
    const good = await mqctl(['config', 'lint', '--no-file-checks', '-'], {input: 'listener 1884 127.0.0.1\n'})
    expect(good.code).toBe(0)
  })

  it('judges --target 2.1 with 2.1 rules', async () => {
    const input = 'accept_protocol_versions 5\nlistener 1884 127.0.0.1\nretain_expiry_interval 5\n'
    const on21 = await mqctl(['config', 'lint', '--no-file-checks', '--target', '2.1', '-'], {input})
    expect(on21.code).toBe(1)
    expect(on21.stdout).toContain("<stdin>:1:1: error: The 'accept_protocol_versions' option requires a listener")
    expect(on21.stdout).not.toContain('retain_expiry_interval')
  })

  it('refuses a FIFO at once with exit 5 and one line naming it', async () => {
    const fifo = join(fresh(), 'mosquitto.conf')
    execFileSync('mkfifo', [fifo])
    const t0 = Date.now()
    const r = await mqctl(['config', 'lint', fifo])
    expect(r.code).toBe(5)
    expect(r.stderr).toContain(`${fifo} is a FIFO, not a regular file`)
    expect(Date.now() - t0).toBeLessThan(10_000)
    const zero = await mqctl(['config', 'lint', '/dev/zero'])
    expect(zero.code).toBe(5)
  })

  it('shows control bytes from the file escaped', async () => {
    const file = join(fresh(), 'mosquitto.conf')
    writeFileSync(file, 'listener 1884 127.0.0.1\n\u001b[2Jevil 1\n')
    const r = await mqctl(['config', 'lint', '--no-file-checks', file])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('Unknown configuration variable "\\x1b[2Jevil"')
    expect(r.stdout).not.toContain('\u001b')
  })
})
