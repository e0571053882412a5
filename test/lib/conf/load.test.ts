import {execFileSync} from 'node:child_process'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {lintConf} from '../../../src/lib/conf/lint.js'
import {loadConf} from '../../../src/lib/conf/load.js'
import {parseConf} from '../../../src/lib/conf/parse.js'
import type {Finding} from '../../../src/lib/output/findings.js'
import {tempDirs} from '../../helpers/temp-dirs.js'

const {fresh} = tempDirs('conf-load')

/** Hostile input (issue 9 §3): bounded time, one-line errors with documented exit codes. */
describe('reading configs', () => {
  it('reads include_dir only in the main file: self-including directories end at once', async () => {
    const dir = fresh()
    const inc = join(dir, 'conf.d')
    mkdirSync(inc)
    for (const n of ['a', 'b', 'c', 'd', 'e', 'f'])
      writeFileSync(join(inc, `${n}.conf`), `include_dir ${inc}\nmax_queued_messages 10\n`)
    const main = join(dir, 'mosquitto.conf')
    writeFileSync(main, `include_dir ${inc}\nlistener 1884 127.0.0.1\n`)
    const t0 = Date.now()
    const findings: Finding[] = []
    const {entries} = loadConf(main, findings)
    // six files, each read once: 1 + 6 * 2 entries, then the listener
    expect(entries).toHaveLength(14)
    expect(Date.now() - t0).toBeLessThan(2000)
    expect((await lintConf(main, {fileChecks: false})).filter((f) => f.severity === 'error')).toEqual([])
    // 2.1 refuses include_dir in an included file
    const on21 = await lintConf(main, {fileChecks: false, target: '2.1'})
    expect(on21.filter((f) => f.severity === 'error').map((f) => f.file)).toEqual(
      ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => join(inc, `${n}.conf`)),
    )
  })

  it('takes a 130,000-line include file (no spread of a big array into push)', async () => {
    const dir = fresh()
    mkdirSync(join(dir, 'd'))
    writeFileSync(join(dir, 'd', 'big.conf'), 'max_queued_messages 10\n'.repeat(130_000))
    writeFileSync(join(dir, 'm.conf'), `listener 1884 127.0.0.1\ninclude_dir ${join(dir, 'd')}\n`)
    const findings = await lintConf(join(dir, 'm.conf'), {fileChecks: false})
    expect(findings.filter((f) => f.severity === 'error')).toEqual([])
  })

  it('parses a 5 MB line of blanks in linear time', () => {
    for (const line of [`auto_id_prefix x${' '.repeat(5_000_000)}y\n`, `x${'\r'.repeat(2_000_000)}y\n`]) {
      const t0 = Date.now()
      parseConf(line)
      // the old trailing-blank regex took 11 s for 160,000 blanks; this is a generous bound
      expect(Date.now() - t0).toBeLessThan(3000)
    }

    const e = parseConf(`auto_id_prefix  a b \t \r\n`).entries[0]
    expect([e.value, e.word, e.rest]).toEqual(['a b', 'a', ' a b \t '])
  })

  it('refuses a FIFO, a device and a directory at once with exit 5', () => {
    const dir = fresh()
    const fifo = join(dir, 'fifo.conf')
    execFileSync('mkfifo', [fifo])
    for (const path of [fifo, '/dev/zero', dir]) {
      let error: {code?: string; exit?: number} | undefined
      try {
        loadConf(path, [])
      } catch (e) {
        error = e as typeof error
      }

      expect(error?.code, path).toBe('FILE_NOT_REGULAR')
      expect(error?.exit).toBe(5)
    }
  })

  it('refuses a FIFO named as password_file or acl_file with exit 5 instead of waiting', async () => {
    const dir = fresh()
    const fifo = join(dir, 'pw')
    execFileSync('mkfifo', [fifo])
    for (const option of ['password_file', 'acl_file']) {
      writeFileSync(join(dir, 'm.conf'), `listener 1884 127.0.0.1\n${option} ${fifo}\n`)
      await expect(lintConf(join(dir, 'm.conf'))).rejects.toMatchObject({code: 'FILE_NOT_REGULAR', exit: 5})
    }
  })

  it('escapes control bytes from the input in findings', async () => {
    const dir = fresh()
    writeFileSync(join(dir, 'm.conf'), 'listener 1884 127.0.0.1\n\u001b]0;pwned\u0007x 1\nlog_type \u001b[31m\n')
    const messages = (await lintConf(join(dir, 'm.conf'), {fileChecks: false})).map((f) => f.message).join('\n')
    expect(messages).toContain('\\x1b]0;pwned\\x07x')
    expect(messages).toContain('\\x1b[31m')
    // eslint-disable-next-line no-control-regex
    expect(messages).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/)
  })

  it('reads what 2.0 reads of a file with a NUL byte: up to it, nothing after', () => {
    const doc = parseConf(Buffer.from('listener 1884\nallow_anonymous true\0junk\nbogus 1\n'))
    expect(doc.entries.map((e) => e.name)).toEqual(['listener', 'allow_anonymous'])
    expect(doc.nulAt).toBe(2)
    const on21 = parseConf(Buffer.from('listener 1884\n\0\nlog_type all\nx\0\nbogus 1\n'), 'c', '2.1')
    expect(on21.entries.map((e) => e.name)).toEqual(['listener', 'log_type'])
  })
})
