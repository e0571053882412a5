import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {parseFastCheck, parseFastLint} from '../../src/cli/lint.js'
import {generateCase} from '../differential/conf-generator.js'
import {makeFixtures} from '../differential/conf-oracle.js'
import {mqctl} from '../helpers/cli.js'

// acl lint and config lint run without oclif for their own flags (src/cli/lint.ts); oclif's
// path (MQCTL_FAST=0) is the reference for stdout, stderr and the exit status.
const dir = mkdtempSync(join(tmpdir(), 'mqctl-fastlint-'))
const file = (name: string, text: string) => {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

/** A small seeded generator of ACL lines, good and bad. */
function aclText(seed: number): string {
  let s = seed
  const next = (n: number) => (s = (s * 1_103_515_245 + 12_345) % 2_147_483_648) % n
  const words = ['topic', 'pattern', 'user', 'topics', '#', '  # x', 'topic\tread', '']
  const access = ['', 'read ', 'write ', 'readwrite ', 'deny ', 'readonly ']
  const topics = ['a/#', 'a/b', '#', '$SYS/#', 'users/%u', 'a/#/b', '$share/g/x', 'read']
  const lines: string[] = []
  for (let i = 0; i < 12; i++) {
    const w = words[next(words.length)]
    lines.push(w === 'user' ? `user u${next(3)}` : `${w} ${access[next(access.length)]}${topics[next(topics.length)]}`)
  }

  return lines.join('\n') + '\n'
}

describe('config lint without oclif', () => {
  it('gives what oclif gives', async () => {
    const passwd = file('pw', 'u0:$7$101$abc$def\n')
    const conf = file(
      'm.conf',
      `listener 1883\nallow_anonymous true\npassword_file ${passwd}\nport 1883x\nbogus_option 1\n`,
    )
    const cases: string[][] = [
      ['config', 'lint', conf],
      ['config', 'lint', conf, '--no-file-checks', '--format', 'json'],
      ['config', 'lint', conf, '--target=2.1', '--format=sarif'],
      ['config', 'lint', join(dir, 'missing.conf')],
    ]
    for (let seed = 1; seed <= 6; seed++) {
      // The ACL file a config names is linted too (conf/acl-error, conf/acl-warning).
      const acl = file(`acl${seed}`, aclText(seed))
      const withAcl = file(`m${seed}.conf`, `listener 1883\nacl_file ${acl}\n`)
      cases.push(['config', 'lint', withAcl], ['config', 'lint', withAcl, '--format', seed % 2 ? 'json' : 'sarif'])
    }

    for (const args of cases) {
      expect(parseFastLint(args), args.join(' ')).toBeDefined()
      const fast = await mqctl(args)
      const oclif = await mqctl(args, {env: {MQCTL_FAST: '0'}})
      expect({args, ...fast}).toEqual({args, ...oclif})
    }
  }, 180_000)

  it('leaves other forms to oclif', () => {
    for (const args of [
      ['acl', 'lint', 'f', '--format', 'xml'],
      ['acl', 'lint'],
      ['acl', 'lint', 'a', 'b'],
      ['acl', 'lint', 'f', '--json', '--json'],
      ['acl', 'lint', 'f', '--format', 'json', '--format=text'],
      ['acl', 'lint', 'f', '--passwd='],
      ['acl', 'lint', 'f', '--passwd', '--json'],
      ['acl', 'lint', 'f', '--', '-x'],
      ['acl', 'lint', 'f', '-h'],
      ['acl', 'lint', 'f', '--help'],
      ['acl', 'lint', 'f', '--target', '2.0'],
      ['config', 'lint', 'f', '--passwd', 'x'],
      ['config', 'lint', 'f', '--no-file-checks', '--file-checks'],
      ['acl', 'check', 'f'],
    ])
      expect([args, parseFastLint(args)]).toEqual([args, undefined])
  })
})

describe('config lint without oclif, on generated configs', () => {
  it("gives what oclif gives on the differential generator's configs and on thousands of findings", async () => {
    const fixtures = await makeFixtures()
    const cases: string[][] = []
    const forms = [[], ['--json'], ['--format', 'sarif'], ['--no-file-checks'], ['--target', '2.1'], ['--format=json']]
    for (let seed = 1; seed <= 12; seed++) {
      const target = seed % 4 === 0 ? '2.1' : '2.0'
      const c = generateCase(seed * 7717, fixtures, target)
      const caseDir = join(dir, `gen-case-${seed}`)
      // No broker runs here: the ports are only numbers both paths judge alike.
      const fill = (text: string) =>
        text.replaceAll(/@P(\d+)/g, (_, n) => String(20_000 + Number(n))).replaceAll('@CASE', caseDir)
      for (const [name, text] of Object.entries(c.files)) {
        mkdirSync(dirname(join(caseDir, name)), {recursive: true})
        writeFileSync(join(caseDir, name), fill(text))
      }

      const conf = file(`gen${seed}.conf`, c.lines.map(fill).join('\n') + '\n')
      cases.push(['config', 'lint', conf, ...forms[seed % forms.length]])
    }

    // Over 1000 findings of one rule, in the main file and an include_dir file: the "not listed" line.
    const manyDir = join(dir, 'many.d')
    mkdirSync(manyDir, {recursive: true})
    writeFileSync(join(manyDir, 'x.conf'), 'bogus y\n'.repeat(600))
    const many = file('many.conf', `include_dir ${manyDir}\n` + 'bogus x\nport z\n'.repeat(700))
    cases.push(['config', 'lint', many], ['config', 'lint', many, '--json'], ['config', 'lint', many, '--format=sarif'])
    for (const args of cases) {
      expect(parseFastLint(args), args.join(' ')).toBeDefined()
      const fast = await mqctl(args)
      const oclif = await mqctl(args, {env: {MQCTL_FAST: '0'}})
      expect({args, ...fast}).toEqual({args, ...oclif})
    }

    expect(JSON.parse((await mqctl(['config', 'lint', many, '--json'])).stdout)).toMatchObject({
      errors: 2000,
      omitted: {'conf/unknown-option': 300},
    })
  }, 300_000)
})

describe('acl lint without oclif', () => {
  it('gives what oclif gives on generated files, flags, standard input and errors', async () => {
    const passwd = file('acl-pw', 'u0:$7$101$abc$def\nu2:$7$101$abc$def\n')
    // Over 1000 findings of one rule: the "not listed" lines.
    const many = file('many', 'topic a/b\n'.repeat(1003))
    const hostile = file('hostile', 'topic read a\u001b[31m/b\nuser \u0007x\ntopic\tread\tc\ntopic read d\u0000e\n')
    const cases: Array<{args: string[]; input?: string}> = [
      {args: ['acl', 'lint', many]},
      {args: ['acl', 'lint', many, '--json']},
      {args: ['acl', 'lint', hostile]},
      {args: ['acl', 'lint', hostile, '--format=sarif']},
      {args: ['acl', 'lint', join(dir, 'missing')]},
      {args: ['acl', 'lint', join(dir, 'missing'), '--json']},
      {args: ['acl', 'lint', dir]},
      {args: ['acl', 'lint', many, '--passwd', join(dir, 'missing-pw')]},
      {args: ['acl', 'lint', many, '--json', '--format', 'text']},
      {args: ['acl', 'lint', many, '--format', 'sarif', '--json']},
      {args: ['acl', 'lint', '-'], input: aclText(99)},
      {args: ['acl', 'lint', '-', '--json'], input: aclText(98)},
      {args: ['acl', 'lint', '-', '--format', 'sarif'], input: ''},
      {args: ['config', 'lint', '-', '--json', '--no-file-checks'], input: 'listener 1883\nport x\n'},
      {args: ['config', 'lint', join(dir, 'missing.conf'), '--json']},
    ]
    const forms = [
      [],
      ['--format', 'json'],
      ['--format=sarif'],
      ['--json'],
      ['--passwd', passwd],
      ['--json', '--format=json'],
    ]
    for (let seed = 1; seed <= 12; seed++) {
      const acl = file(`gen${seed}`, aclText(seed * 7919))
      cases.push({args: ['acl', 'lint', acl, ...forms[seed % forms.length]]})
    }

    for (const {args, input} of cases) {
      expect(parseFastLint(args), args.join(' ')).toBeDefined()
      const fast = await mqctl(args, {input})
      const oclif = await mqctl(args, {input, env: {MQCTL_FAST: '0'}})
      expect({args, ...fast}).toEqual({args, ...oclif})
    }
  }, 240_000)

  it('leaves MQCTL_CONTENT_TYPE=json to oclif, which reads it as --json', async () => {
    const acl = file('ct', aclText(5))
    const env = {MQCTL_CONTENT_TYPE: 'json'}
    const fast = await mqctl(['acl', 'lint', acl], {env})
    expect(fast).toEqual(await mqctl(['acl', 'lint', acl], {env: {...env, MQCTL_FAST: '0'}}))
    expect(JSON.parse(fast.stdout)).toHaveProperty('findings')
  }, 60_000)
})

describe('acl check without oclif', () => {
  it('gives what oclif gives on generated files and queries, and on errors', async () => {
    const good = file(
      'check-good',
      'topic read a/#\ntopic deny a/secret\nuser u1\ntopic readwrite users/u1/#\npattern write c/%c/x\n',
    )
    const who = [['--user', 'u1'], ['--anonymous'], ['--user=u0', '--client-id', 'id7'], ['--user', 'u\u001bx']]
    const topics = ['a/b', 'a/secret', 'users/u1/t', 'c/id7/x', '$SYS/broker/x', 'b', 'a/\u0007']
    const cases: Array<{args: string[]; input?: string}> = [
      {args: ['acl', 'check', good, '--topic', 'a/b', '--access', 'read']},
      {args: ['acl', 'check', good, '--topic', 'a/#', '--access', 'read', '--anonymous']},
      {args: ['acl', 'check', good, '--topic', 'a/b', '--access', 'read', '--anonymous', '--json', '--explain']},
      {args: ['acl', 'check', join(dir, 'missing'), '--topic', 'a', '--access', 'write', '--anonymous']},
      {args: ['acl', 'check', join(dir, 'missing'), '--topic', 'a', '--access', 'write', '--anonymous', '--json']},
      {args: ['acl', 'check', file('broken', 'topics a\n'), '--topic', 'a', '--access', 'read', '--user', 'x']},
      {args: ['acl', 'check', '-', '--topic', 'a/b', '--access', 'read', '--user', 'u1'], input: 'topic a/#\n'},
    ]
    for (let seed = 1; seed <= 14; seed++) {
      const acl = file(`check${seed}`, aclText(seed * 104_729).replaceAll('\ttopic', 'topic'))
      const extra = seed % 3 === 0 ? ['--explain'] : seed % 3 === 1 ? ['--json'] : []
      cases.push({
        args: [
          'acl',
          'check',
          acl,
          ...who[seed % who.length],
          `--topic=${topics[seed % topics.length]}`,
          '--access',
          seed % 2 ? 'read' : 'write',
          ...extra,
        ],
      })
    }

    for (const {args, input} of cases) {
      expect(parseFastCheck(args), args.join(' ')).toBeDefined()
      const fast = await mqctl(args, {input})
      const oclif = await mqctl(args, {input, env: {MQCTL_FAST: '0'}})
      expect({args, ...fast}).toEqual({args, ...oclif})
    }
  }, 240_000)

  it('leaves the forms oclif must judge to oclif', () => {
    for (const args of [
      ['acl', 'check', 'f', '--access', 'read'],
      ['acl', 'check', 'f', '--topic', 'a'],
      ['acl', 'check', 'f', '--topic', 'a', '--access', 'all'],
      ['acl', 'check', 'f', '--topic', 'a', '--access', 'read', '--user', 'x', '--anonymous'],
      ['acl', 'check', 'f', '--topic', 'a', '--access', 'read', '--topic', 'b'],
      ['acl', 'check', 'f', 'g', '--topic', 'a', '--access', 'read'],
      ['acl', 'check', '--topic', 'a', '--access', 'read'],
      ['acl', 'check', 'f', '--topic', 'a', '--access', 'read', '--help'],
      ['acl', 'check', 'f', '--topic=', '--access', 'read'],
    ])
      expect([args, parseFastCheck(args)]).toEqual([args, undefined])
  })
})

describe('the fast paths load no heavy package', () => {
  it('acl lint, acl check, config lint and an online dynsec command load neither zod, oclif nor mqtt.js', async () => {
    // A preload that reports every package the process loads from node_modules.
    const preload = file(
      'report-packages.cjs',
      `const M = require('node:module'); const load = M._load; const seen = new Set()
M._load = function (id, ...rest) { if (!id.startsWith('node:') && !id.startsWith('.') && !id.startsWith('/')) seen.add(id); return load.call(this, id, ...rest) }
process.on('exit', () => require('node:fs').writeSync(2, 'packages: ' + [...seen].sort().join(',') + '\\n'))`,
    )
    const acl = file('light', 'topic read a/#\n')
    const conf = file('light.conf', 'listener 1883\n')
    for (const args of [
      ['acl', 'lint', acl],
      ['acl', 'check', acl, '--anonymous', '--topic', 'a/b', '--access', 'read'],
      ['config', 'lint', conf, '--no-file-checks'],
      ['dynsec', 'getClient', 'x', '--unix', join(dir, 'no-socket')],
    ]) {
      const r = await mqctl(args, {env: {NODE_OPTIONS: `--require ${preload}`}})
      const line = r.stderr.split('\n').find((l) => l.startsWith('packages: '))
      expect({args, line}).toEqual({args, line: 'packages: '})
    }
  }, 60_000)
})
