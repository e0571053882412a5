import {execFileSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import mqtt from 'mqtt'
import {describe, expect, it} from 'vitest'

import {evaluateAcl} from '../../src/lib/acl/evaluate.js'
import {parseAclFile} from '../../src/lib/acl/parse.js'
import {brokerWrites} from '../helpers/acl-differential.js'
import {freePort, startRawBroker} from '../helpers/broker.js'
import {mqctl} from '../helpers/cli.js'

const tmp = () => mkdtempSync(join(tmpdir(), 'mqctl-acl-cli-'))

describe('hostile bytes, decided by the broker', () => {
  // What mosquitto 2.0.11 does (fgets_extending measures lines with strlen): a NUL hides the
  // newline, so the rest of the file joins that line; it is parsed only if the file has no final newline.
  it.each([
    ['with a final newline', 'topic readwrite a\ntopic readwrite b\u0000x\ntopic readwrite c\n'],
    ['without a final newline', 'topic readwrite a\ntopic readwrite b\u0000x\ntopic readwrite c'],
    ['NUL first on a line', 'topic readwrite a\n\u0000topic readwrite b\ntopic readwrite c\n'],
    ['invalid UTF-8 in a topic', Buffer.from('topic readwrite \u00ff/#\ntopic readwrite b\n', 'latin1')],
    ['tab before the topic', 'topic readwrite \ta\ntopic read\tb\n'],
  ])('%s', async (_, text) => {
    const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text)
    const queries = ['a', 'b', 'c', 'read\tb']
      .filter((t) => !t.includes('\t'))
      .map((topic) => ({clientId: 'c1', topic}))
    const broker = await brokerWrites(bytes, queries)
    expect(broker, 'the broker loads the file').toBeDefined()
    const acl = parseAclFile(bytes)
    expect(acl.errors).toEqual([])
    expect(queries.map((q) => evaluateAcl(acl, {...q, access: 'write'}).allowed)).toEqual(broker)
  })
})

describe('$CONTROL delivery', () => {
  it('a PUBLISH to $CONTROL/x is never delivered, a will message on it is, as acl check says', async () => {
    const dir = tmp()
    writeFileSync(join(dir, 'acl'), 'topic readwrite $CONTROL/#\n')
    const port = await freePort()
    const conf = [`listener ${port} 127.0.0.1`, 'allow_anonymous true', `acl_file ${join(dir, 'acl')}`]
    const {broker} = await startRawBroker([...(process.getuid?.() === 0 ? ['user root'] : []), ...conf], {port})
    expect(broker).toBeDefined()
    const opts = {host: '127.0.0.1', port, protocolVersion: 5 as const, reconnectPeriod: 0}
    try {
      const sub = await mqtt.connectAsync({...opts, clientId: 'sub'})
      const got: string[] = []
      sub.on('message', (_t, payload) => got.push(payload.toString()))
      await sub.subscribeAsync('$CONTROL/x', {qos: 1})
      const pub = await mqtt.connectAsync({...opts, clientId: 'pub'})
      await pub.publishAsync('$CONTROL/x', 'direct', {qos: 1})
      const will = await mqtt.connectAsync({
        ...opts,
        clientId: 'w',
        will: {topic: '$CONTROL/x', payload: 'will', qos: 1},
      })
      will.stream.destroy()
      for (let i = 0; i < 100 && got.length === 0; i++) await new Promise((ok) => setTimeout(ok, 20))
      await new Promise((ok) => setTimeout(ok, 200))
      expect(got).toEqual(['will'])
      await Promise.all([sub.endAsync(true), pub.endAsync(true)])
    } finally {
      await broker?.stop()
    }

    const r = await mqctl([
      'acl',
      'check',
      join(dir, 'acl'),
      '--anonymous',
      '--topic',
      '$CONTROL/x',
      '--access',
      'read',
    ])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('never delivered (a will message would be allowed: allowed by line 1)')
  })
})

describe('acl commands on hostile input', () => {
  it('acl check exits 5 naming file:line when the broker would refuse the file', async () => {
    const dir = tmp()
    writeFileSync(join(dir, 'acl'), 'topic read a\n  # x\n')
    const r = await mqctl(['acl', 'check', join(dir, 'acl'), '--anonymous', '--topic', 'a', '--access', 'read'])
    expect(r.code).toBe(5)
    expect(r.stderr).toContain(`${join(dir, 'acl')}:2:3: the broker would refuse this file`)
  })

  it('reads - from standard input for lint and check', async () => {
    const lint = await mqctl(['acl', 'lint', '-'], {input: 'topic read\n'})
    expect([lint.code, lint.stdout]).toEqual([0, expect.stringContaining('<stdin>:1:7: warning:')])
    const check = await mqctl(['acl', 'check', '-', '--anonymous', '--topic', 'a', '--access', 'write', '--json'], {
      input: 'topic readwrite a\n',
    })
    expect(check.code).toBe(0)
    expect(JSON.parse(check.stdout)).toMatchObject({verdict: 'allow', allowed: true, line: 1})
  })

  it('refuses a FIFO at once (exit 5) instead of blocking', async () => {
    const fifo = join(tmp(), 'fifo')
    execFileSync('mkfifo', [fifo])
    const t0 = Date.now()
    const r = await mqctl(['acl', 'lint', fifo])
    expect(r.code).toBe(5)
    expect(r.stderr).toContain('is a FIFO, not a regular file')
    expect(Date.now() - t0).toBeLessThan(10_000)
  })

  it('--json conflicts with --format sarif (exit 2); SARIF URIs are percent-encoded', async () => {
    const dir = tmp()
    const file = join(dir, 'my acl#1')
    writeFileSync(file, 'topic read\n')
    expect((await mqctl(['acl', 'lint', file, '--json', '--format', 'sarif'])).code).toBe(2)
    const r = await mqctl(['acl', 'lint', file, '--format', 'sarif'])
    const uri = JSON.parse(r.stdout).runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri
    expect(uri).toBe(`file://${dir.replaceAll(' ', '%20')}/my%20acl%231`)
    expect(new URL(uri).pathname.endsWith('/my%20acl%231')).toBe(true)
  })

  it('escapes control bytes from the file in findings and errors', async () => {
    const dir = tmp()
    writeFileSync(join(dir, 'acl'), 'topic read a\u001b[2J\ntopic\u001b]0;pwned\u0007 read b\n')
    const r = await mqctl(['acl', 'lint', join(dir, 'acl')])
    expect(r.stdout + r.stderr).not.toContain('\u001b')
    expect(r.stdout).toContain('\\x1b]0;pwned\\x07')
    const c = await mqctl(['acl', 'check', join(dir, 'acl'), '--anonymous', '--topic', 'a', '--access', 'read'])
    expect(c.code).toBe(5)
    expect(c.stderr).not.toContain('\u001b')
  })

  it('acl check refuses a --topic no client can publish (exit 2)', async () => {
    const dir = tmp()
    writeFileSync(join(dir, 'acl'), 'topic read a\n')
    const r = await mqctl(['acl', 'check', join(dir, 'acl'), '--anonymous', '--topic', 'a\tb', '--access', 'read'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('control character')
  })
})

describe('acl who', () => {
  it('lists anonymous, password-file and section users that are allowed, with the deciding line', async () => {
    const dir = tmp()
    writeFileSync(
      join(dir, 'acl'),
      'topic read public/#\nuser alice\ntopic readwrite public/#\nuser carol\ntopic deny public/#\npattern read public/%u\n',
    )
    execFileSync('mosquitto_passwd', ['-c', '-b', join(dir, 'passwd'), 'bob', 'x'])
    const r = await mqctl([
      'acl',
      'who',
      join(dir, 'acl'),
      '--topic',
      'public/bob',
      '--access',
      'read',
      '--passwd',
      join(dir, 'passwd'),
    ])
    expect(r.code).toBe(0)
    expect(r.stdout.trim().split('\n')).toEqual([
      '(anonymous): allowed by line 1',
      'alice: allowed by line 3 (not in the password file)',
      'bob: allowed by pattern on line 6',
    ])
    const none = await mqctl(['acl', 'who', join(dir, 'acl'), '--topic', 'private/x', '--access', 'write', '--json'])
    expect(none.code).toBe(0)
    expect(JSON.parse(none.stdout)).toMatchObject({allowed: [], candidates: 3, denied: 3})
  })
})
