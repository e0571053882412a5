import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {confLintOutput} from '../../../src/lib/conf/lint-run.js'

const dir = mkdtempSync(join(tmpdir(), 'mqctl-lint-run-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

// 1,003 unknown options in the main file and 5,000 more in an include_dir file, 4 bad ports.
const conf = join(dir, 'm.conf')
const include = join(dir, 'conf.d')
mkdirSync(include)
writeFileSync(
  conf,
  ['listener 1883', `include_dir ${include}`, ...Array.from({length: 1003}, (_, i) => `bogus${i} 1`)].join('\n') + '\n',
)
writeFileSync(
  join(include, 'a.conf'),
  [...Array.from({length: 5000}, (_, i) => `other${i} x`), ...Array.from({length: 4}, () => 'max_keepalive x')].join(
    '\n',
  ) + '\n',
)
const options = {target: '2.0', fileChecks: false, version: '0.0.0'} as const

describe('confLintOutput on a config with thousands of findings', () => {
  it('lists the first 1000 of each rule id, counts every finding, and says how many were left out', async () => {
    const {report, lines} = await confLintOutput(conf, {...options, format: 'text'})
    const unknown = report.findings.filter((f) => f.rule === 'conf/unknown-option')
    expect(unknown.length).toBe(1000)
    expect(report.omitted).toEqual({'conf/unknown-option': 6003 - 1000})
    const errors = report.findings.filter((f) => f.severity === 'error').length
    expect(report.errors).toBe(errors + 5003)
    // The first 1000 in the report's order (by file name: conf.d/a.conf sorts before m.conf).
    expect(unknown[0]).toMatchObject({file: join(include, 'a.conf'), line: 1})
    expect(unknown[999]).toMatchObject({file: join(include, 'a.conf'), line: 1000})
    expect(lines.at(-1)).toBe(`${conf}: 5003 more conf/unknown-option findings not listed (the first 1000 are)`)
    expect(lines.length).toBe(report.findings.length + 1)
  })

  it('gives a JSON document with the same counts, and SARIF with the listed findings', async () => {
    const json = JSON.parse((await confLintOutput(conf, {...options, format: 'json'})).lines.join('\n'))
    const text = (await confLintOutput(conf, {...options, format: 'text'})).report
    expect(json).toEqual(JSON.parse(JSON.stringify(text)))
    const sarif = JSON.parse((await confLintOutput(conf, {...options, format: 'sarif'})).lines.join('\n'))
    expect(sarif.runs[0].results.length).toBe(text.findings.length)
  })

  it('reports progress over the entries of the main file and its include_dir files', async () => {
    const seen: Array<[number, number]> = []
    await confLintOutput(conf, {...options, format: 'json', onProgress: (d, n) => seen.push([d, n])})
    expect(seen).toEqual([[4096, 2 + 1003 + 5004]])
  })
})
