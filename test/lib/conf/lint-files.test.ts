import {execFileSync} from 'node:child_process'
import {chmodSync, mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {checkAclFile, checkPasswordFile, checkPlugin} from '../../../src/lib/conf/lint-files.js'
import {findMosquittoTools} from '../../helpers/mosquitto-install.js'
import {parseConf} from '../../../src/lib/conf/parse.js'
import type {Finding} from '../../../src/lib/output/findings.js'

const entry = (name: string, path: string) => parseConf(`${name} ${path}\n`).entries[0]

async function findings(check: typeof checkAclFile, name: string, path: string) {
  const out: Finding[] = []
  await check(entry(name, path), out)
  return out.map((f) => [f.rule, f.severity])
}

describe('the list-file checks of config lint (password_file, acl_file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mqctl-lint-files-'))

  it('a directory: one finding with what the broker does, and nothing else is checked', async () => {
    expect(await findings(checkPasswordFile, 'password_file', dir)).toEqual([['conf/password-file-directory', 'error']])
    expect(await findings(checkAclFile, 'acl_file', dir)).toEqual([['conf/acl-directory', 'warning']])
  })

  it('a missing file cannot be read; a world-readable one is said so before its lines are checked', async () => {
    expect(await findings(checkAclFile, 'acl_file', join(dir, 'none'))).toEqual([['conf/missing-file', 'error']])
    const acl = join(dir, 'acl')
    writeFileSync(acl, 'topic read a/#\n')
    chmodSync(acl, 0o644)
    expect(await findings(checkAclFile, 'acl_file', acl)).toEqual([['conf/world-readable', 'warning']])
    const passwd = join(dir, 'passwd')
    writeFileSync(passwd, 'user-without-hash\n')
    chmodSync(passwd, 0o600)
    expect(await findings(checkPasswordFile, 'password_file', passwd)).toEqual([['conf/password-entries', 'warning']])
  })
})

describe('the plugin check of config lint', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mqctl-lint-plugin-'))

  it('judges a FIFO at once, a directory and a text file as no library, the real plugin as one', async () => {
    const fifo = join(dir, 'fifo.so')
    execFileSync('mkfifo', [fifo])
    mkdirSync(join(dir, 'dir.so'))
    writeFileSync(join(dir, 'text.so'), 'hello')
    const messages = async (path: string) => {
      const out: Finding[] = []
      await checkPlugin(entry('plugin', path), out)
      return out.map((f) => `${f.rule}: ${f.message}`)
    }

    expect(await messages(fifo)).toEqual([
      `conf/not-a-library: plugin "${fifo}" is not a regular file: the broker cannot load it (2.0.11 waits on a FIFO for ever)`,
    ])
    expect(await messages(join(dir, 'dir.so'))).toEqual([
      `conf/not-a-library: plugin "${join(dir, 'dir.so')}" is a directory: Unable to load auth plugin`,
    ])
    expect((await messages(join(dir, 'text.so')))[0]).toContain('no ELF header')
    expect(await messages(findMosquittoTools().dynsecPlugin)).toEqual([])
  })
})
