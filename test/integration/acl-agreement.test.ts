import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {lintAclText} from '../../src/lib/acl/lint.js'
import {runAclDifferential} from '../helpers/acl-differential.js'
import {freePort, startRawBroker} from '../helpers/broker.js'
import {mqctl} from '../helpers/cli.js'

const tmp = () => mkdtempSync(join(tmpdir(), 'mqctl-acl-it-'))

/** ACL files, valid and broken, each judged by the real broker. */
const CORPUS: string[] = [
  '',
  '# only a comment\n',
  'topic read a/#\n',
  'topic a/b\n',
  'topic read\n',
  'topic  read   spaced topic\n',
  'topic readwrite #\n',
  'topic deny a/#\ntopic read a/b\n',
  'user alice\ntopic readwrite alice/#\n',
  'user alice smith\ntopic read x\n',
  'pattern readwrite users/%u/#\n',
  'pattern read clients/%c/#\n',
  'pattern write a/b\n',
  'topic write $SYS/#\n',
  'topic read $SYS/broker/#\n',
  'topic read a/+/c\n',
  'topic read +/+/+\n',
  'topic read a/b/#\n',
  'user bob\n',
  'topic read a\r\ntopic write b\r\n',
  'topic read a   \n',
  '\n\n\ntopic read a\n\n',
  'topic read a/#\nuser u\npattern deny x/%u\n',
  'topic read a/%u\n',
  'pattern readwrite %c/%u/#\n',
  'topic deny #\n',
  'user alice\ntopic deny alice/secret\ntopic readwrite alice/#\n',
  'topic read a\n# comment\nuser x\n# another\ntopic write b\n',
  '    topic read indented/keyword\n',
  'topic read tab\there\n',
  // Broken: the broker refuses every one of these.
  '  # indented comment\n',
  '\t# tab comment\n',
  'topic\tread\tfoo\n',
  'topic\n',
  'pattern\n',
  'topic readonly a\n',
  'topic Read a\n',
  'topic read a/#/b\n',
  'topic read a/+b\n',
  'topic write a#\n',
  'pattern read %c/#/x\n',
  'user\n',
  'user   \n',
  'Topic read a\n',
  'topics read a\n',
  'rule read a\n',
  'topic read a\nbogus\n',
  'user alice\ntopic read a\ndeny a\n',
  'topic read ok\n  topic read also-ok\n  #bad\n',
  'pattern readwrite a/#/b\n',
  'topic deny a/#/\n',
  'topic read a/b#\n',
]

describe('acl lint agrees with the broker', () => {
  it(`on ${CORPUS.length} files`, async () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(50)
    const disagreements: string[] = []
    for (const [i, text] of CORPUS.entries()) {
      const dir = tmp()
      const aclPath = join(dir, 'acl')
      writeFileSync(aclPath, text)
      const port = await freePort()
      const conf = [
        `listener ${port} 127.0.0.1`,
        'allow_anonymous true',
        `acl_file ${aclPath}`,
        ...(process.getuid?.() === 0 ? ['user root'] : []),
      ]
      const started = await startRawBroker(conf, port)
      const refused = started.broker === undefined
      await started.broker?.stop()
      const lintErrors = lintAclText(text, aclPath).filter((f) => f.severity === 'error')
      if (refused !== lintErrors.length > 0) {
        disagreements.push(
          `#${i} ${JSON.stringify(text)}: broker ${refused ? `refused (${started.log.trim().split('\n').slice(-2).join(' | ')})` : 'started'}, lint found ${lintErrors.length} error(s)`,
        )
      }
    }

    expect(disagreements).toEqual([])
  })

  it('through the CLI: exit 1 on errors, 0 on warnings only', async () => {
    const dir = tmp()
    writeFileSync(join(dir, 'bad'), 'topic read a\n  # x\n')
    writeFileSync(join(dir, 'warn'), 'topic read\n')
    const bad = await mqctl(['acl', 'lint', join(dir, 'bad')])
    expect([bad.code, bad.stdout.trim()]).toEqual([
      1,
      `${join(dir, 'bad')}:2:3: error: Invalid line in acl_file "${join(dir, 'bad')}": #. (a comment must start in column 1) [acl/indented-comment]`,
    ])
    const warn = await mqctl(['acl', 'lint', join(dir, 'warn'), '--format', 'sarif'])
    expect(warn.code).toBe(0)
    const sarif = JSON.parse(warn.stdout)
    expect(sarif.version).toBe('2.1.0')
    expect(sarif.runs[0].results[0]).toMatchObject({ruleId: 'acl/access-word-as-topic', level: 'warning'})
  })
})

describe('acl lint, acl check and acl who agree with the broker on generated files', () => {
  const seed = Number(process.env.MQCTL_TEST_SEED ?? Math.floor(Math.random() * 1e9))

  // The generator (test/helpers/acl-gen.ts) and the oracle (test/helpers/acl-differential.ts) are
  // the ones `node scripts/acl-differential.js --cases N --seed S` runs at scale.
  it(`on a sample of 400 cases (seed ${seed})`, {timeout: 180_000}, async () => {
    const res = await runAclDifferential({seed, cases: 400, budgetMs: 60_000, whoEvery: 4, cliEvery: 3})
    expect(res.counts.lint).toBeGreaterThan(5)
    expect(res.counts.write + res.counts.read).toBeGreaterThan(150)
    expect(res.counts.cli).toBeGreaterThan(0)
    expect(res.disagreements, `seed ${seed}: ${res.disagreements.length} disagreement(s)`).toEqual([])
  })
})
