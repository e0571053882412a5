import {chmodSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {checkGenPaths} from '../../../src/lib/conf/gen-files.js'
import {resolveGenOptions} from '../../../src/lib/conf/gen-request.js'
import type {Account} from '../../../src/lib/files/account.js'
import {tempDirs} from '../../helpers/temp-dirs.js'

const {fresh} = tempDirs('gen-files')
const ctx = {cwd: '/work', found: {}, generator: 'mqctl 9.9.9'}
const nobody: Account = {name: 'nobody', uid: 65_534, gids: [65_534]}
/** A machine without a "mosquitto" user. */
const lookup = async (name: string) => (name === 'nobody' ? nobody : undefined)

// Issue 10: config gen and config lint judge the broker's account through one module. Without
// a "mosquitto" user the broker falls back to "nobody" (2.0.11: "Trying 'nobody' instead."),
// so gen must not say the broker will not start.
describe('checkGenPaths and the broker account', () => {
  it('falls back to nobody when the default user is missing, as the broker does', async () => {
    const d = fresh()
    chmodSync(dirname(d), 0o755)
    chmodSync(d, 0o755)
    const passwd = join(d, 'passwd')
    writeFileSync(passwd, 'u:x\n', {mode: 0o600})
    const o = resolveGenOptions({listener: ['1883'], passwordFile: passwd}, ctx)
    const warnings = await checkGenPaths(o, {asRoot: true, lookup})
    expect(warnings.join('\n')).not.toMatch(/there is no user/)
    expect(warnings.join('\n')).toMatch(/switches to user "nobody" before opening it, and user "nobody" cannot read it/)
    chmodSync(passwd, 0o644)
    expect(await checkGenPaths(o, {asRoot: true, lookup})).toEqual([])
  })

  it('says the broker will not start for a named user that does not exist', async () => {
    const o = resolveGenOptions({listener: ['1883'], user: 'ghost'}, ctx)
    expect(await checkGenPaths(o, {asRoot: true, lookup})).toEqual([
      'there is no user "ghost" on this machine, and mosquitto started as root refuses to run without it: create it or give --user',
    ])
  })
})
