import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {MqctlError} from '../../../src/lib/errors.js'
import {parsePolicy} from '../../../src/lib/dynsec/policy.js'

async function failure(text: string): Promise<MqctlError> {
  try {
    await parsePolicy(text, 'p.yaml')
  } catch (error) {
    if (error instanceof MqctlError) return error
    throw error
  }

  throw new Error('accepted')
}

describe('parsePolicy', () => {
  it('refuses a YAML alias bomb as a file problem (exit 5, naming the file), quickly', async () => {
    let bomb = 'a0: &a0 [x, x, x, x, x, x, x, x, x]\n'
    for (let i = 1; i < 12; i++) bomb += `a${i}: &a${i} [${Array.from({length: 9}, () => `*a${i - 1}`).join(', ')}]\n`
    const started = Date.now()
    const e = await failure(`${bomb}version: 1\n`)
    expect([e.code, e.exit, e.located]).toEqual(['PARSE_POLICY', 5, expect.stringMatching(/^p\.yaml: .*alias/i)])
    expect(Date.now() - started).toBeLessThan(10_000)
  })

  it('points at the line of each problem (exit 5)', async () => {
    const cases: Array<[string, number, RegExp]> = [
      ['version: 1\nroles:\n  - rolename: r\n    colour: red\n', 4, /unknown key "colour"/],
      [
        'version: 1\nroles:\n  - rolename: r\n    acls:\n      - {acltype: subscribe, topic: a, allow: true}\n',
        5,
        /acltype/,
      ],
      [
        'version: 1\nroles:\n  - rolename: r\n    acls:\n      - {acltype: subscribePattern, topic: a/#/b, allow: true}\n',
        5,
        /invalid ACL topic/,
      ],
      ['version: 1\nclients:\n  - username: a\n    roles: [{rolename: missing}]\n', 4, /role "missing" is not defined/],
      ['version: 1\nclients:\n  - username: a\n  - username: a\n', 4, /duplicate username "a"/],
      ['version: 2\n', 1, /version/],
      ['version: 1\nroles: [\n', 3, /./],
    ]
    for (const [text, line, message] of cases) {
      const e = await failure(text)
      expect([e.exit, e.location?.file, e.location?.line, e.message], text).toEqual([
        5,
        'p.yaml',
        line,
        expect.stringMatching(message),
      ])
    }
  })

  it("refuses a password hash the plugin could not decode, and takes mosquitto_passwd's", async () => {
    const pw = join(mkdtempSync(join(tmpdir(), 'mqctl-policy-hash-')), 'pw')
    execFileSync('mosquitto_passwd', ['-c', '-b', pw, 'a', 'secret'])
    const real = readFileSync(pw, 'utf8').trim().split(':')[1]
    const policy = (hash: string) => `version: 1\nclients:\n  - username: a\n    password: {hash: "${hash}"}\n`
    expect((await parsePolicy(policy(real), 'p.yaml')).clients?.[0].password).toEqual({hash: real})
    for (const [hash, why] of [
      ['s3cret', 'not-a-hash'],
      ['$7$101$c2hvcnQ=$AAAA', 'bad-salt-length'],
      ['$5$abc', 'unknown-type'],
    ]) {
      const e = await failure(policy(hash))
      expect([e.exit, e.location?.line, e.message]).toEqual([
        5,
        4,
        `clients.0.password.hash: not a password hash mosquitto can read (${why})`,
      ])
    }
  })

  it('accepts JSON as well as YAML', async () => {
    expect(
      await parsePolicy('{"version": 1, "clients": [{"username": "a", "password": {"env": "A"}}]}', 'p.json'),
    ).toEqual({
      version: 1,
      clients: [{username: 'a', password: {env: 'A'}}],
    })
  })
})
