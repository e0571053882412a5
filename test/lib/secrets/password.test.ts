import {spawnSync} from 'node:child_process'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {PassThrough} from 'node:stream'
import {fileURLToPath} from 'node:url'

import {beforeEach, describe, expect, it, vi} from 'vitest'

import {tempDirs} from '../../helpers/temp-dirs.js'

import {MqctlError} from '../../../src/lib/errors.js'
import {verifyPassword} from '../../../src/lib/passwd/hash.js'
import {readNewPassword, readPasswordFromSources} from '../../../src/lib/secrets/password.js'
import {LineReader} from '../../../src/lib/secrets/stdin.js'

// readNewPassword reads piped input through the process-wide stdin reader; give it one over a
// stream this test controls.
const fake = vi.hoisted(() => ({reader: undefined as unknown}))
vi.mock('../../../src/lib/secrets/stdin.js', async (importOriginal) => {
  const orig = await importOriginal<typeof import('../../../src/lib/secrets/stdin.js')>()
  return {...orig, stdinLines: () => fake.reader}
})

const BIN = fileURLToPath(new URL('../../../bin/run.js', import.meta.url))
const REAL = '/usr/bin/mosquitto_passwd'
const {fresh: freshDir} = tempDirs('secrets')

const str = (b: Buffer | undefined) => (b === undefined ? undefined : b.toString('utf8'))
const tick = () => new Promise((r) => setImmediate(r))

/** Fails fast instead of hanging until the test timeout when a read never settles. */
function settle<T>(p: Promise<T>, ms = 1500): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`readLine did not settle within ${ms} ms`)), ms)),
  ])
}

describe('LineReader over a stream', () => {
  it('joins a line split across chunks', async () => {
    const s = new PassThrough()
    const r = new LineReader(s)
    const pending = r.readLine()
    s.write('ab')
    await tick()
    s.write('c')
    await tick()
    s.write('d\nrest')
    expect(str(await settle(pending))).toBe('abcd')
    const next = r.readLine()
    await tick()
    s.write('\n')
    expect(str(await settle(next))).toBe('rest')
  })

  it('strips CRLF and any run of trailing CR/LF', async () => {
    const s = new PassThrough()
    const r = new LineReader(s)
    s.write('one\r\ntwo\r\r\nthree\n')
    expect(str(await settle(r.readLine()))).toBe('one')
    expect(str(await settle(r.readLine()))).toBe('two')
    expect(str(await settle(r.readLine()))).toBe('three')
  })

  it('a CR inside a line is kept', async () => {
    const s = new PassThrough()
    const r = new LineReader(s)
    s.write('a\rb\n')
    expect(str(await settle(r.readLine()))).toBe('a\rb')
  })

  it('EOF without a newline gives the last line, then undefined (again and again)', async () => {
    const s = new PassThrough()
    const r = new LineReader(s)
    s.write('last')
    const p = r.readLine()
    await tick()
    s.end()
    expect(str(await settle(p))).toBe('last')
    expect(await settle(r.readLine())).toBeUndefined()
    expect(await settle(r.readLine())).toBeUndefined()
  })

  it('EOF after a trailing CR only', async () => {
    const s = new PassThrough()
    const r = new LineReader(s)
    s.write('pw\r')
    const p = r.readLine()
    await tick()
    s.end()
    expect(str(await settle(p))).toBe('pw')
  })

  it('an empty line is an empty Buffer, not the end', async () => {
    const s = new PassThrough()
    const r = new LineReader(s)
    s.write('\n\nx\n')
    expect(str(await settle(r.readLine()))).toBe('')
    expect(str(await settle(r.readLine()))).toBe('')
    expect(str(await settle(r.readLine()))).toBe('x')
  })

  it('empty input is undefined at once', async () => {
    const s = new PassThrough()
    const r = new LineReader(s)
    s.end()
    expect(await settle(r.readLine())).toBeUndefined()
  })

  it('two reads share what one chunk brought (nothing is lost between reads)', async () => {
    const s = new PassThrough()
    const r = new LineReader(s)
    s.write('admin-pw\nclient-pw\nthird')
    expect(str(await settle(r.readLine()))).toBe('admin-pw')
    expect(str(await settle(r.readLine()))).toBe('client-pw')
    // the stream is still open: the third line waits for its newline
    let third: string | undefined = 'pending'
    const p = r.readLine().then((b) => (third = str(b)))
    await tick()
    expect(third).toBe('pending')
    s.write('-line\n')
    await settle(p)
    expect(third).toBe('third-line')
  })

  it('stops reading after each line (leaves the rest in the stream for later)', async () => {
    const s = new PassThrough()
    const r = new LineReader(s)
    s.write('a\n')
    expect(str(await settle(r.readLine()))).toBe('a')
    expect(s.isPaused()).toBe(true)
    s.write('b\n')
    await tick()
    expect(str(await settle(r.readLine()))).toBe('b')
  })

  it('binary bytes are kept exactly', async () => {
    const s = new PassThrough()
    const r = new LineReader(s)
    s.write(Buffer.from([0xff, 0x00, 0xfe, 0x0a, 0xc3, 0xa9, 0x0a]))
    expect((await settle(r.readLine()))!.equals(Buffer.from([0xff, 0x00, 0xfe]))).toBe(true)
    expect((await settle(r.readLine()))!.equals(Buffer.from([0xc3, 0xa9]))).toBe(true)
  })

  it('string chunks work too', async () => {
    const s = new PassThrough({encoding: 'utf8'})
    const r = new LineReader(s)
    s.write('pässwörd\n')
    expect(str(await settle(r.readLine()))).toBe('pässwörd')
  })

  it('a stream error is an MqctlError', async () => {
    const s = new PassThrough()
    const r = new LineReader(s)
    const p = r.readLine()
    s.destroy(new Error('EIO'))
    const err = await settle(p).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(MqctlError)
    expect((err as MqctlError).code).toBe('FILE_STDIN')
  })

  // The stream's end arrives together with its last data (all input already buffered, as with
  // `s.end(text)`): 'end' is emitted right after the last 'data' while the reader has paused the
  // stream and removed its listeners, so the next readLine waits for an 'end' that never comes.
  it('input that is already complete: lines, then undefined, without hanging', async () => {
    const s = new PassThrough()
    const r = new LineReader(s)
    s.end('one\ntwo')
    expect(str(await settle(r.readLine()))).toBe('one')
    expect(str(await settle(r.readLine()))).toBe('two')
    expect(await settle(r.readLine())).toBeUndefined()
  })

  it('complete input ending in a newline: the read after the last line is undefined', async () => {
    const s = new PassThrough()
    const r = new LineReader(s)
    s.end('pw\n')
    expect(str(await settle(r.readLine()))).toBe('pw')
    expect(await settle(r.readLine())).toBeUndefined()
  })
})

describe('readNewPassword, non-interactive (two piped lines, spec 1.3)', () => {
  let input: PassThrough
  beforeEach(() => {
    input = new PassThrough()
    fake.reader = new LineReader(input)
  })

  it('two equal lines give the password', async () => {
    input.end('pw\npw\n')
    expect(str(await readNewPassword({interactive: false}))).toBe('pw')
  })

  it('CRLF input works', async () => {
    input.end('pw\r\npw\r\n')
    expect(str(await readNewPassword({interactive: false}))).toBe('pw')
  })

  it('different lines: "Passwords do not match.", exit 2', async () => {
    input.end('pw\nxx\n')
    const err = await readNewPassword({interactive: false}).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(MqctlError)
    expect((err as MqctlError).verbatim).toBe('Error: Passwords do not match.')
    expect((err as MqctlError).exit).toBe(2)
  })

  it.each([
    ['two empty lines', '\n\n'],
    ['empty first line', '\npw\n'],
    ['empty second line', 'pw\n\n'],
    ['only one line', 'pw\n'],
    ['no input', ''],
  ])('%s: "Empty password.", exit 1', async (_name, text) => {
    input.write(text)
    const pending = readNewPassword({interactive: false}).catch((e: unknown) => e)
    await tick()
    input.end()
    const err = await settle(pending)
    expect(err).toBeInstanceOf(MqctlError)
    expect((err as MqctlError).verbatim).toBe('Error: Empty password.')
    expect((err as MqctlError).exit).toBe(1)
  })

  it('allowEmpty: empty first line means "no password"', async () => {
    input.end('\n')
    expect(await readNewPassword({interactive: false, allowEmpty: true})).toBeUndefined()
  })

  it('a prompt function is not used when not interactive', async () => {
    input.end('a\na\n')
    const prompt = vi.fn(async () => 'never')
    expect(str(await readNewPassword({interactive: false, prompt}))).toBe('a')
    expect(prompt).not.toHaveBeenCalled()
  })
})

describe('readNewPassword, interactive (masked prompt twice)', () => {
  const prompts = (...answers: string[]) => {
    const calls: string[] = []
    const fn = async (message: string) => {
      calls.push(message)
      return answers.shift() ?? ''
    }
    return {fn, calls}
  }

  it('asks "Password:" then "Reenter password:"', async () => {
    const p = prompts('s3cret', 's3cret')
    expect(str(await readNewPassword({interactive: true, prompt: p.fn}))).toBe('s3cret')
    expect(p.calls).toEqual(['Password:', 'Reenter password:'])
  })

  it('mismatch → exit 2, empty → exit 1 (and no second prompt)', async () => {
    const mismatch = await readNewPassword({interactive: true, prompt: prompts('a', 'b').fn}).catch((e: unknown) => e)
    expect((mismatch as MqctlError).exit).toBe(2)
    const p = prompts('', 'x')
    const empty = await readNewPassword({interactive: true, prompt: p.fn}).catch((e: unknown) => e)
    expect((empty as MqctlError).verbatim).toBe('Error: Empty password.')
    expect(p.calls).toEqual(['Password:'])
  })

  it('custom prompt texts', async () => {
    const p = prompts('x', 'x')
    await readNewPassword({interactive: true, prompt: p.fn, first: 'New:', second: 'Again:'})
    expect(p.calls).toEqual(['New:', 'Again:'])
  })
})

describe('readPasswordFromSources', () => {
  it('--password-stdin reads exactly one line', async () => {
    const input = new PassThrough()
    fake.reader = new LineReader(input)
    input.end('first\r\nsecond\n')
    expect(str(await readPasswordFromSources({stdin: true}))).toBe('first')
  })

  it('--password-stdin with empty input is an error', async () => {
    const input = new PassThrough()
    fake.reader = new LineReader(input)
    input.end()
    const err = await readPasswordFromSources({stdin: true}).catch((e: unknown) => e)
    expect((err as MqctlError).code).toBe('USAGE_NO_PASSWORD')
  })

  it('--password-file: first line, CRLF stripped; missing file exit 5', async () => {
    const f = join(freshDir(), 'pwfile')
    writeFileSync(f, 'from file\r\nignored\n')
    expect(str(await readPasswordFromSources({file: f}))).toBe('from file')
    writeFileSync(f, 'no newline')
    expect(str(await readPasswordFromSources({file: f}))).toBe('no newline')
    const err = await readPasswordFromSources({file: f + '.missing'}).catch((e: unknown) => e)
    expect((err as MqctlError).exit).toBe(5)
  })

  it('--password-env reads the variable; unset is an error that does not leak values', async () => {
    process.env.MQCTL_TEST_PW = 'env-secret'
    try {
      expect(str(await readPasswordFromSources({env: 'MQCTL_TEST_PW'}))).toBe('env-secret')
    } finally {
      delete process.env.MQCTL_TEST_PW
    }

    const err = await readPasswordFromSources({env: 'MQCTL_TEST_PW'}).catch((e: unknown) => e)
    expect((err as MqctlError).code).toBe('USAGE_NO_PASSWORD')
    expect((err as MqctlError).message).not.toContain('env-secret')
  })

  it('no source → undefined; two sources → error', async () => {
    expect(await readPasswordFromSources({})).toBeUndefined()
    const err = await readPasswordFromSources({stdin: true, env: 'X'}).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(MqctlError)
  })
})

describe('the CLI with piped stdin, next to mosquitto_passwd (spec 1.3 / 1.10)', () => {
  const cli = (dir: string, args: string[], input: string) =>
    spawnSync(process.execPath, [BIN, 'passwd', ...args], {
      cwd: dir,
      input,
      encoding: 'utf8',
      env: {...process.env, NO_COLOR: '1', HOME: dir},
    })
  const real = (dir: string, args: string[], input: string) =>
    spawnSync(REAL, args, {cwd: dir, input, encoding: 'utf8'})

  it("printf 'pw\\nxx\\n' | passwd -c f alice → exit 2, no file", () => {
    const ours = freshDir()
    const theirs = freshDir()
    const r = cli(ours, ['-c', 'f', 'alice'], 'pw\nxx\n')
    const m = real(theirs, ['-c', 'f', 'alice'], 'pw\nxx\n')
    expect(m.status).toBe(2)
    expect(m.stderr).toBe('Error: Passwords do not match.\n')
    expect(r.status).toBe(2)
    expect(r.stderr).toBe('Error: Passwords do not match.\n')
    expect(existsSync(join(ours, 'f'))).toBe(false)
    expect(existsSync(join(theirs, 'f'))).toBe(false)
  })

  it.each([['\n\n'], ['pw\n\n'], ['pw\n'], ['']])(
    "printf %j | passwd -c f alice → exit 1 'Error: Empty password.'",
    (input) => {
      const ours = freshDir()
      const theirs = freshDir()
      const r = cli(ours, ['-c', 'f', 'alice'], input)
      const m = real(theirs, ['-c', 'f', 'alice'], input)
      expect(m.status).toBe(1)
      expect(m.stderr).toBe('Error: Empty password.\n')
      expect(r.status).toBe(1)
      expect(r.stderr).toBe('Error: Empty password.\n')
      expect(existsSync(join(ours, 'f'))).toBe(false)
    },
  )

  it('a mismatch on update leaves the existing file untouched', () => {
    const dir = freshDir()
    writeFileSync(join(dir, 'f'), 'a:1\n')
    const r = cli(dir, ['f', 'bob'], 'x\ny\n')
    expect(r.status).toBe(2)
    expect(readFileSync(join(dir, 'f'), 'utf8')).toBe('a:1\n')
  })

  it("printf 'pw\\npw\\n' | passwd -c f alice → exit 0, a line that verifies", async () => {
    const dir = freshDir()
    const r = cli(dir, ['-c', 'f', 'alice'], 'pw\r\npw\r\n')
    expect(r.status, r.stderr).toBe(0)
    const line = readFileSync(join(dir, 'f'), 'utf8')
    expect(line).toMatch(/^alice:\$7\$\d+\$[^$]+\$[^$\n]+\n$/)
    expect(await verifyPassword(line.slice('alice:'.length), Buffer.from('pw'))).toBe(true)
  })

  it('--password-stdin reads one line; the second line is not needed', async () => {
    const dir = freshDir()
    const r = cli(dir, ['--password-stdin', '-c', 'f', 'carol'], 'only-once\n')
    expect(r.status, r.stderr).toBe(0)
    const line = readFileSync(join(dir, 'f'), 'utf8')
    expect(await verifyPassword(line.slice('carol:'.length).trim(), Buffer.from('only-once'))).toBe(true)
  })
})
