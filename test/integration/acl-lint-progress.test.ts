import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {lintParsedAcl} from '../../src/lib/acl/lint.js'
import {parseAclFile} from '../../src/lib/acl/parse.js'
import {BIN} from '../helpers/cli.js'

// Issue 13 section 5: a large lint draws progress on stderr, on a terminal only.
const PTY = fileURLToPath(new URL('../helpers/run-in-pty.py', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'mqctl-acl-progress-'))
const file = join(dir, 'big.acl')
// 135,000 rules: parsing and checking last well over the 300 ms before progress is drawn.
const USERS = 15_000
beforeAll(() => {
  const lines: string[] = []
  for (let u = 0; u < USERS; u++) {
    lines.push(`user u${u}`)
    for (let t = 0; t < 9; t++) lines.push(`topic readwrite a/${u}/${t}/+/#`)
  }

  writeFileSync(file, lines.join('\n') + '\n')
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('acl lint progress', () => {
  it('stderr a pipe: no progress bytes', () => {
    const r = spawnSync(process.execPath, [BIN, 'acl', 'lint', file], {encoding: 'utf8'})
    expect(r.status, r.stderr).toBe(0)
    expect(r.stderr).toBe('')
  }, 60_000)

  // The fast path draws it as oclif's command does (the same ProcessIO.progress and delay).
  for (const [path, fast] of [
    ['fast path', '1'],
    ['oclif', '0'],
  ])
    it(`${path} under a pseudo-terminal: "checking rules done/total" redrawn in place, then erased`, () => {
      const env = {...process.env, MQCTL_FAST: fast}
      const args = [PTY, '60', '--', process.execPath, BIN, 'acl', 'lint', file]
      const r = spawnSync('python3', args, {encoding: 'utf8', env})
      const {output, status} = JSON.parse(r.stdout) as {output: string; status: number}
      expect(status, output).toBe(0)
      expect(output).toMatch(new RegExp(`\\r\\u001B\\[2Kchecking rules \\d+/${USERS * 9}`))
      expect(output.endsWith('\r\u001B[2K')).toBe(true)
    }, 60_000)

  it('lintParsedAcl reports counts that grow to at most the number of rules', () => {
    const text = Array.from({length: 5000}, (_, i) => `topic read t/${i}`).join('\n')
    const seen: Array<[number, number]> = []
    lintParsedAcl(parseAclFile(text), {onProgress: (done, total) => seen.push([done, total])})
    expect(seen.length).toBeGreaterThan(2)
    for (let i = 1; i < seen.length; i++) expect(seen[i][0]).toBeGreaterThan(seen[i - 1][0])
    for (const [done, total] of seen) expect([total, done <= total]).toEqual([5000, true])
  })
})
