import {spawn, spawnSync} from 'node:child_process'
import {chmodSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {BIN, mqctl} from '../helpers/cli.js'
import {currentBootId, startTimeOf} from '../../src/lib/files/holder.js'

/** Hostile inputs (issue 9 section 3) through the real CLI: each a one-line error, a documented exit, bounded time. */
const dirs: string[] = []
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'mqctl-pwin-'))
  dirs.push(d)
  return d
}

afterAll(() => {
  for (const d of dirs) rmSync(d, {recursive: true, force: true})
})

/** Runs the CLI with standard input read from `stdinPath` (/dev/zero), timing it. */
function withStdinFrom(stdinPath: string, args: string[]): Promise<{code: number | null; stderr: string; ms: number}> {
  const started = Date.now()
  return new Promise((resolve) => {
    const fd = openSync(stdinPath, 'r')
    const child = spawn(process.execPath, [BIN, ...args], {
      stdio: [fd, 'ignore', 'pipe'],
      env: {...process.env, NO_COLOR: '1'},
    })
    let stderr = ''
    child.stderr!.on('data', (d) => (stderr += d))
    child.once('close', (code) => resolve({code, stderr, ms: Date.now() - started}))
  })
}

const HASHED =
  'alice:$7$101$VnuVQktcDUV3QEwL$WLYYlPmzFtc80xm3BIuWZhdmhtjYJVWXnu7LC3zeme9TfdO8QgQk76q5SAoDVItkMDvC/wa5C1djQysff5GEzA==\n'

describe('bounded inputs', () => {
  it('passwd check /dev/zero and a FIFO: refused at once (exit 5), no growth, no hang', async () => {
    const dir = tmp()
    spawnSync('mkfifo', [join(dir, 'fifo')])
    for (const file of ['/dev/zero', join(dir, 'fifo')]) {
      const r = await mqctl(['passwd', 'check', file])
      expect(r.code, r.stderr).toBe(5)
      expect(r.stderr).toMatch(/not a regular file/)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
    }
  })

  it('passwd check - reads standard input', async () => {
    const r = await mqctl(['passwd', 'check', '-'], {input: `${HASHED}bob:plain\n`})
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/^-:2:5: error: plain-text password/m)
    const ok = await mqctl(['passwd', 'check', '-', '--json'], {input: HASHED})
    expect(ok.code, ok.stderr).toBe(0)
    expect(JSON.parse(ok.stdout).entries).toBe(1)
  })

  it('--password-stdin </dev/zero stops at the 65535-byte line limit: passwd exit 1, hash and dynsec init exit 2', async () => {
    const dir = tmp()
    writeFileSync(join(dir, 'pw'), HASHED)
    const cases: Array<[string[], number, RegExp]> = [
      [
        ['passwd', '--password-stdin', join(dir, 'pw'), 'bob'],
        1,
        /^Error: Password must be less than 65536 characters long\.$/m,
      ],
      [['hash', '--password-stdin'], 2, /longer than 65535 bytes/],
      [['hash'], 2, /longer than 65535 bytes/],
      [['dynsec', 'init', join(dir, 'd.json'), 'admin', '--password-stdin'], 2, /longer than 65535 bytes/],
    ]
    for (const [args, exit, message] of cases) {
      const r = await withStdinFrom('/dev/zero', args)
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(exit)
      expect(r.stderr).toMatch(message)
      expect(r.ms).toBeLessThan(10_000)
    }

    expect(readFileSync(join(dir, 'pw'), 'utf8')).toBe(HASHED)
  })

  it('--password-file /dev/zero or a FIFO is refused (exit 5; 1 in the mosquitto_passwd form)', async () => {
    const dir = tmp()
    spawnSync('mkfifo', [join(dir, 'fifo')])
    writeFileSync(join(dir, 'pw'), HASHED)
    for (const source of ['/dev/zero', join(dir, 'fifo')]) {
      const h = await mqctl(['hash', '--password-file', source])
      expect(h.code, h.stderr).toBe(5)
      expect(h.stderr).toMatch(/not a regular file/)
      const p = await mqctl(['passwd', '--password-file', source, join(dir, 'pw'), 'bob'])
      expect(p.code, p.stderr).toBe(1)
    }

    writeFileSync(join(dir, 'secret'), 'from-file\nignored\n')
    const ok = await mqctl([
      'hash',
      '--password-file',
      join(dir, 'secret'),
      '--verify',
      (await mqctl(['hash', '--password-file', join(dir, 'secret')])).stdout.trim(),
    ])
    expect(ok.code, ok.stderr).toBe(0)
  })
})

describe('capped work', () => {
  it('passwd -I 99999999999 is refused at once (exit 1, mosquitto_passwd form), the file untouched', async () => {
    const dir = tmp()
    writeFileSync(join(dir, 'pw'), HASHED)
    const r = await mqctl(['passwd', '-I', '99999999999', '-b', join(dir, 'pw'), 'bob', 'x'])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^Error: Number of iterations must be at most 10000000/m)
    expect(readFileSync(join(dir, 'pw'), 'utf8')).toBe(HASHED)
  })

  it('hash --iterations 99999999999, --cost 31 and --verify with a huge cost or count: usage errors (exit 2), at once', async () => {
    const bcrypt31 = '$2a$31$' + 'a'.repeat(53)
    const pbkdf2Huge =
      '$7$2000000000$VnuVQktcDUV3QEwL$WLYYlPmzFtc80xm3BIuWZhdmhtjYJVWXnu7LC3zeme9TfdO8QgQk76q5SAoDVItkMDvC/wa5C1djQysff5GEzA=='
    const cases = [
      ['hash', '--iterations', '99999999999'],
      ['hash', '--format', 'go-auth-pbkdf2', '--iterations', '99999999999'],
      ['hash', '--format', 'bcrypt', '--cost', '31'],
      ['hash', '--verify', bcrypt31],
      ['hash', '--verify', pbkdf2Huge],
    ]
    for (const args of cases) {
      const started = Date.now()
      const r = await mqctl(args, {input: 'pw\n'})
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2)
      expect(r.stderr).not.toMatch(/bug/)
      expect(Date.now() - started).toBeLessThan(10_000)
    }
  })
})

describe('the mosquitto_passwd form keeps its promises (0, 1, 2)', () => {
  it("a name starting with '#' is refused like an empty one; the file is untouched", async () => {
    const dir = tmp()
    writeFileSync(join(dir, 'pw'), HASHED)
    const r = await mqctl(['passwd', '-b', join(dir, 'pw'), '#bob', 'x'])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^Error: Username must not begin with '#'/m)
    expect(readFileSync(join(dir, 'pw'), 'utf8')).toBe(HASHED)
  })

  it('a lock held by a live writer times out with exit 1 and an Error: line', async () => {
    const dir = tmp()
    const file = join(dir, 'pw')
    writeFileSync(file, HASHED)
    writeFileSync(
      `${file}.lock`,
      `${process.pid}\n${(await import('node:os')).hostname()}\n${Date.now()}\n${startTimeOf(process.pid)}\n${currentBootId()}\n`,
    )
    const r = await mqctl(['passwd', '-b', file, 'bob', 'x'])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^Error: .* is locked by another writer/m)
    expect(readFileSync(file, 'utf8')).toBe(HASHED)
  }, 30_000)

  it('file errors exit 1 (a directory, a missing file, a full disk is shown in passwd-files.test.ts)', async () => {
    const dir = tmp()
    expect((await mqctl(['passwd', '-b', dir, 'bob', 'x'])).code).toBe(1)
    expect((await mqctl(['passwd', '-b', join(dir, 'missing'), 'bob', 'x'])).code).toBe(1)
    const json = await mqctl(['passwd', '--json', '-b', join(dir, 'missing'), 'bob', 'x'])
    expect(json.code).toBe(1)
    expect(JSON.parse(json.stdout).error.exit).toBe(1)
  })

  it.runIf(process.geteuid?.() === 0)('a read-only filesystem (EROFS) is a file error, never "a bug"', async () => {
    const dir = tmp()
    writeFileSync(join(dir, 'pw'), HASHED)
    chmodSync(dir, 0o755)
    expect(spawnSync('mount', ['--bind', dir, dir]).status).toBe(0)
    try {
      expect(spawnSync('mount', ['-o', 'remount,bind,ro', dir]).status).toBe(0)
      for (const [args, exit] of [
        [['passwd', '-b', join(dir, 'pw'), 'bob', 'x'], 1],
        [['passwd', '-c', '-b', join(dir, 'new'), 'bob', 'x'], 1],
        [['passwd', '-U', join(dir, 'pw')], 1],
        [['dynsec', 'init', join(dir, 'd.json'), 'admin', 'pw'], 5],
        [['dynsec', 'init', join(dir, 'pw'), 'admin', 'pw', '--force'], 5],
        [['cert', 'ca', '--out', join(dir, 'pki')], 5],
      ] as Array<[string[], number]>) {
        const r = await mqctl(args)
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(exit)
        expect(r.stderr).toMatch(/Read-only file system|No such file/)
        expect(r.stderr).not.toMatch(/bug/)
      }
    } finally {
      spawnSync('umount', [dir])
    }
  })

  it('passwd verify on a plain-text entry is a refused verdict (exit 1), not a usage error', async () => {
    const dir = tmp()
    writeFileSync(join(dir, 'pw'), 'bob:plain\n')
    const r = await mqctl(['passwd', 'verify', join(dir, 'pw'), 'bob', '--password-stdin'], {input: 'plain\n'})
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/no usable hash \(not a hash\)/)
  })
})
