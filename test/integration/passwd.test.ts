import {chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, describe, expect, it} from 'vitest'

import {startBroker, type Broker} from '../helpers/broker.js'
import {mqctl, run} from '../helpers/cli.js'
import {findMosquittoTools} from '../helpers/mosquitto-install.js'

const tools = findMosquittoTools()
const brokers: Broker[] = []
afterEach(async () => {
  await Promise.all(brokers.splice(0).map((b) => b.stop()))
})

/** Whether the real broker accepts these credentials, asked with the real mosquitto_pub. */
async function accepts(broker: Broker, username: string, password: string): Promise<boolean> {
  const r = await run(tools.pub, [
    '-h',
    '127.0.0.1',
    '-p',
    String(broker.port),
    '-u',
    username,
    '-P',
    password,
    '-t',
    'test/auth',
    '-m',
    'x',
    '-q',
    '1',
  ])
  return r.code === 0
}

const tmp = () => mkdtempSync(join(tmpdir(), 'mqctl-passwd-it-'))

describe('passwd files written by mqctl authenticate with a real broker', () => {
  it('in every mode, and wrong passwords are refused', async () => {
    const d = tmp()
    const file = join(d, 'passwd')
    expect((await mqctl(['passwd', '-c', '-b', file, 'alice', 'secret'])).code).toBe(0)
    expect((await mqctl(['passwd', '--target', '2.0', '-b', file, 'bob', 'bobpw'])).code).toBe(0)
    expect((await mqctl(['passwd', '-H', 'sha512', '-b', file, 'carol', 'c:p w'])).code).toBe(0)
    expect((await mqctl(['passwd', '-I', '5000', '--password-stdin', file, 'dave'], {input: 'dave pw\n'})).code).toBe(0)
    expect((await mqctl(['passwd', file, 'erin'], {input: 'erinpw\nerinpw\n'})).code).toBe(0)
    writeFileSync(join(d, 'plain'), '# plain file\nfrank:frankpw\n')
    const up = await mqctl(['passwd', '-I', '200', '-U', join(d, 'plain')])
    expect(up.code).toBe(0)
    writeFileSync(file, readFileSync(file, 'utf8') + readFileSync(join(d, 'plain'), 'utf8'))
    expect(readFileSync(file, 'utf8')).toMatch(/^frank:\$7\$200\$/m)

    const broker = await startBroker({passwordFile: file})
    brokers.push(broker)
    for (const [u, p] of [
      ['alice', 'secret'],
      ['bob', 'bobpw'],
      ['carol', 'c:p w'],
      ['dave', 'dave pw'],
      ['erin', 'erinpw'],
      ['frank', 'frankpw'],
    ]) {
      expect(await accepts(broker, u, p), `${u} accepted`).toBe(true)
      expect(await accepts(broker, u, p + 'x'), `${u} wrong password refused`).toBe(false)
    }

    expect(await accepts(broker, 'nobody', 'x')).toBe(false)
    expect(broker.readLog()).not.toMatch(/removing entry|Invalid/)
  })

  it('reads, updates and deletes in a file written by mosquitto_passwd, keeping odd lines', async () => {
    const d = tmp()
    const file = join(d, 'passwd')
    expect((await run(tools.passwd, ['-c', '-b', file, 'alice', 'secret'])).code).toBe(0)
    expect((await run(tools.passwd, ['-b', file, 'bob', 'bobpw'])).code).toBe(0)
    writeFileSync(file, `# managed by hand\r\n${readFileSync(file, 'utf8')}\n`)
    chmodSync(file, 0o640)
    expect((await mqctl(['passwd', '-b', file, 'alice', 'newsecret'])).code).toBe(0)
    expect((await mqctl(['passwd', '-b', file, 'carol', 'carolpw'])).code).toBe(0)
    expect((await mqctl(['passwd', '-D', file, 'bob'])).code).toBe(0)
    const text = readFileSync(file, 'utf8')
    expect(text.startsWith('# managed by hand\r\n')).toBe(true)
    expect(text).not.toMatch(/^bob:/m)
    expect(statSync(file).mode & 0o777).toBe(0o640)
    const verify = await mqctl(['passwd', 'verify', file, 'carol', '--password-stdin'], {input: 'carolpw\n'})
    expect(verify.code).toBe(0)
    expect(verify.stderr).not.toMatch(/process list/)
    expect((await mqctl(['passwd', 'verify', file, 'carol', '--password-stdin'], {input: 'nope\n'})).code).toBe(1)
    expect((await mqctl(['passwd', 'verify', file, 'bob', '--password-stdin'], {input: 'bobpw\n'})).code).toBe(1)

    const broker = await startBroker({passwordFile: file})
    brokers.push(broker)
    expect(await accepts(broker, 'alice', 'newsecret')).toBe(true)
    expect(await accepts(broker, 'alice', 'secret')).toBe(false)
    expect(await accepts(broker, 'carol', 'carolpw')).toBe(true)
    expect(await accepts(broker, 'bob', 'bobpw')).toBe(false)
  })

  it('gives mosquitto_passwd messages and exit codes, and leaves the file untouched', async () => {
    const d = tmp()
    const file = join(d, 'passwd')
    await mqctl(['passwd', '-c', '-b', file, 'alice', 'secret'])
    const before = readFileSync(file)
    const cases: Array<[string[], string | undefined, number, string]> = [
      [['passwd', file, 'bob'], 'pw\nxx\n', 2, 'Error: Passwords do not match.'],
      [['passwd', file, 'bob'], '\n\n', 1, 'Error: Empty password.'],
      [['passwd', '-D', file, 'nobody'], undefined, 1, 'Warning: User nobody not found in password file.'],
      [['passwd', '-H', 'md5', file, 'bob'], undefined, 1, "Error: Unknown hash type 'md5'"],
      [['passwd', '-c', '-D', file, 'bob'], undefined, 1, 'Error: -c and -D cannot be used together.'],
      [['passwd', '-b', file, 'a:b', 'pw'], undefined, 1, "Error: Username must not contain the ':' character."],
      [
        ['passwd', '-b', file, 'x'.repeat(65_536), 'pw'],
        undefined,
        1,
        'Error: Username must be less than 65536 characters long.',
      ],
      [['passwd', '-b', d, 'bob', 'pw'], undefined, 1, `Error: Unable to open password file ${d}. Is a directory.`],
    ]
    for (const [args, input, code, message] of cases) {
      const r = await mqctl(args, {input})
      expect(r.code, args.join(' ').slice(0, 60)).toBe(code)
      expect(r.stderr).toContain(message)
    }

    expect(readFileSync(file).equals(before)).toBe(true)

    // -c on a target that cannot be written: the same line and status as the real tool
    for (const target of [d, join(d, 'no-such-dir', 'passwd')]) {
      const real = await run(tools.passwd, ['-c', '-b', target, 'bob', 'pw'])
      const ours = await mqctl(['passwd', '-c', '-b', target, 'bob', 'pw'])
      expect(real.stderr.trim()).toMatch(/^Error: Unable to open file .* for writing\./)
      expect([ours.code, ours.stderr.trim().split('\n').at(-1)]).toEqual([real.code, real.stderr.trim()])
    }
  })

  it('keeps the exit status under --json', async () => {
    const d = tmp()
    const r = await mqctl(['passwd', 'check', join(d, 'missing'), '--json'])
    expect(r.code).toBe(5)
    expect(JSON.parse(r.stdout).error.exit).toBe(5)
    const lint = await mqctl(['acl', 'lint', join(d, 'missing'), '--json'])
    expect(lint.code).toBe(5)
    const usage = await mqctl(['acl', 'check', join(d, 'missing'), '--json'])
    expect(usage.code).toBe(2)
    expect(JSON.parse(usage.stdout).error.code).toBe('USAGE_ARGUMENTS')
  })

  it('passwd check reports what a 2.0 broker drops', async () => {
    const d = tmp()
    const file = join(d, 'passwd')
    writeFileSync(file, 'plain:text\n:$7$101$x$y\nnocolon\n')
    await mqctl(['passwd', '-b', file, 'ok', 'pw'])
    await mqctl(['passwd', '--target', '2.1', '-b', file, 'long', 'pw'])
    const r = await mqctl(['passwd', 'check', file, '--json'])
    expect(r.code).toBe(1)
    const rules = JSON.parse(r.stdout).findings.map((f: {line: number; rule: string}) => `${f.line}:${f.rule}`)
    // writeFileSync created the file 0644, so the world-readable warning is right too.
    // strtok skips the leading ':', so the broker reads line 2 as a user without a password.
    expect(rules).toEqual([
      '1:passwd/plaintext',
      '2:passwd/missing-password',
      '3:passwd/invalid-line',
      '5:passwd/bad-salt',
      '1:passwd/world-readable',
    ])
    const broker = await startBroker({passwordFile: file})
    brokers.push(broker)
    expect(broker.readLog()).toMatch(/Unable to decode password salt for user long/)
    expect(broker.readLog()).toMatch(/Invalid line in password file '.*': :\$7\$101\$x\$y/)
    expect(broker.readLog()).toMatch(/Invalid password hash type for user plain/)
  })
})
