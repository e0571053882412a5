import {chmodSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {checkAclFile, checkPasswordFile} from '../../../src/lib/conf/lint-files.js'
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
