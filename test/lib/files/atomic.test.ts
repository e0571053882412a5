import {spawn, spawnSync} from 'node:child_process'
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import {createServer} from 'node:net'
import {join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {rng} from '../../helpers/rng.js'
import {tempDirs} from '../../helpers/temp-dirs.js'

import {MqctlError} from '../../../src/lib/errors.js'
import {resolveWriteTarget, writeFileAtomic, writeFileExclusive} from '../../../src/lib/files/atomic.js'

const REPO = fileURLToPath(new URL('../../../', import.meta.url))
// The compiled module: a child starts in a tenth of the time tsx needs, so the kill loop gets its rounds.
const ATOMIC_JS = pathToFileURL(join(REPO, 'dist/lib/files/atomic.js')).href
const {root, fresh: freshDir} = tempDirs('atomic')

describe('writeFileAtomic', () => {
  it('creates a new file with mode 0600 whatever the umask', async () => {
    const dir = freshDir()
    const old = process.umask(0o000)
    try {
      await writeFileAtomic(join(dir, 'new'), 'hello\n')
    } finally {
      process.umask(old)
    }

    expect(readFileSync(join(dir, 'new'), 'utf8')).toBe('hello\n')
    expect(statSync(join(dir, 'new')).mode & 0o7777).toBe(0o600)
  })

  it('honours an explicit mode for a new file', async () => {
    const dir = freshDir()
    await writeFileAtomic(join(dir, 'new'), Buffer.from([0, 1, 2]), {mode: 0o640})
    expect(statSync(join(dir, 'new')).mode & 0o7777).toBe(0o640)
    expect(readFileSync(join(dir, 'new')).equals(Buffer.from([0, 1, 2]))).toBe(true)
  })

  it('an existing file keeps its mode (0640, 0604) and gets the new content', async () => {
    const dir = freshDir()
    const f = join(dir, 'pw')
    for (const mode of [0o640, 0o604, 0o755]) {
      writeFileSync(f, 'old content that is longer than the new one\n')
      chmodSync(f, mode)
      await writeFileAtomic(f, 'new\n', {mode: 0o600})
      expect(statSync(f).mode & 0o7777).toBe(mode)
      expect(readFileSync(f, 'utf8')).toBe('new\n')
    }
  })

  it('replaces the file (new inode), the rename being what makes it atomic', async () => {
    const dir = freshDir()
    const f = join(dir, 'pw')
    writeFileSync(f, 'a')
    const before = statSync(f).ino
    await writeFileAtomic(f, 'b')
    expect(statSync(f).ino).not.toBe(before)
    expect(readFileSync(f, 'utf8')).toBe('b')
  })

  it('writing through a symlink keeps the link and changes the target', async () => {
    const dir = freshDir()
    mkdirSync(join(dir, 'etc'))
    writeFileSync(join(dir, 'etc', 'real'), 'old\n')
    chmodSync(join(dir, 'etc', 'real'), 0o640)
    symlinkSync('etc/real', join(dir, 'link'))
    await writeFileAtomic(join(dir, 'link'), 'new\n')
    expect(lstatSync(join(dir, 'link')).isSymbolicLink()).toBe(true)
    expect(readlinkSync(join(dir, 'link'))).toBe('etc/real')
    expect(readFileSync(join(dir, 'etc', 'real'), 'utf8')).toBe('new\n')
    expect(statSync(join(dir, 'etc', 'real')).mode & 0o777).toBe(0o640)
    // the temp file lived beside the target, and is gone
    expect(readdirSync(join(dir, 'etc'))).toEqual(['real'])
    expect(readdirSync(dir).sort()).toEqual(['etc', 'link'])
  })

  it('a chain of symlinks and a dangling symlink', async () => {
    const dir = freshDir()
    writeFileSync(join(dir, 'real'), 'x')
    symlinkSync('real', join(dir, 'l1'))
    symlinkSync('l1', join(dir, 'l2'))
    await writeFileAtomic(join(dir, 'l2'), 'y')
    expect(readFileSync(join(dir, 'real'), 'utf8')).toBe('y')
    expect(lstatSync(join(dir, 'l2')).isSymbolicLink()).toBe(true)
    expect(await resolveWriteTarget(join(dir, 'l2'))).toBe(join(dir, 'real'))
  })

  it('leaves no temp files behind, over many writes', async () => {
    const dir = freshDir()
    const f = join(dir, 'pw')
    await Promise.all(Array.from({length: 20}, (_, i) => writeFileAtomic(f, `content ${i}\n`)))
    expect(readdirSync(dir)).toEqual(['pw'])
    expect(readFileSync(f, 'utf8')).toMatch(/^content \d+\n$/)
  })

  it('a directory path is a file error, exit 5, and nothing is left behind', async () => {
    const dir = freshDir()
    mkdirSync(join(dir, 'sub'))
    const err = await writeFileAtomic(join(dir, 'sub'), 'x').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(MqctlError)
    expect((err as MqctlError).exit).toBe(5)
    expect((err as MqctlError).code).toMatch(/^FILE_/)
    expect((err as MqctlError).message).toContain(join(dir, 'sub'))
    expect(readdirSync(dir)).toEqual(['sub'])
    expect(readdirSync(join(dir, 'sub'))).toEqual([])
  })

  it('a missing directory is a file error, exit 5', async () => {
    const err = await writeFileAtomic(join(root, 'no', 'such', 'dir', 'f'), 'x').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(MqctlError)
    expect((err as MqctlError).exit).toBe(5)
  })

  it('property: the file holds exactly the bytes written', async () => {
    const dir = freshDir()
    const f = join(dir, 'f')
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({maxLength: 5000}), async (bytes) => {
        await writeFileAtomic(f, Buffer.from(bytes))
        expect(readFileSync(f).equals(Buffer.from(bytes))).toBe(true)
      }),
      {numRuns: 60},
    )
    expect(readdirSync(dir)).toEqual(['f'])
  })
})

describe('SIGKILL during writes never leaves a partial file', () => {
  const SEED = 20_240_611
  // Two contents of different sizes (≥ 1 MiB), each byte depending on its position, so a
  // truncated, mixed or half-renamed file cannot equal either.
  const make = (size: number, tag: number) => {
    const b = Buffer.alloc(size)
    for (let i = 0; i < size; i++) b[i] = (i * 31 + tag + (i >> 10)) & 0xff
    return b
  }

  const A = make(1 << 20, 1)
  const B = make((1 << 20) + 77_777, 2)

  it('≥ 20 kills at random moments: the file is always exactly A or exactly B', async () => {
    const dir = freshDir()
    const target = join(dir, 'data')
    writeFileSync(join(dir, 'A'), A)
    writeFileSync(join(dir, 'B'), B)
    writeFileSync(target, A)
    const script = join(dir, 'writer.mjs')
    writeFileSync(
      script,
      `import {readFileSync} from 'node:fs'
import {writeFileAtomic} from ${JSON.stringify(ATOMIC_JS)}
const [target, a, b] = process.argv.slice(2)
const contents = [readFileSync(a), readFileSync(b)]
let i = 0
process.stdout.write('ready\\n')
for (;;) {
  await writeFileAtomic(target, contents[i++ % 2])
  if (i === 2) process.stdout.write('looping\\n')
}
`,
    )

    const random = rng(SEED)
    const started = Date.now()
    const seen = {A: 0, B: 0}
    let kills = 0
    let maxTemps = 0
    // 20 kills; never start a round after 35 s (a loaded machine starts children slowly)
    while (kills < 20 && Date.now() - started < 35_000) {
      const child = spawn(process.execPath, [script, target, join(dir, 'A'), join(dir, 'B')], {
        cwd: REPO,
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let stderr = ''
      child.stderr.on('data', (d) => (stderr += d))
      const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
        child.once('exit', (code, signal) => resolve(signal ?? code)),
      )
      // wait until the loop is running (two complete writes), then kill after a random delay
      await new Promise<void>((resolve, reject) => {
        let out = ''
        child.stdout.on('data', (d) => {
          out += d
          if (out.includes('looping')) resolve()
        })
        child.once('exit', () => reject(new Error(`writer exited early: ${stderr}`)))
      })
      await new Promise((r) => setTimeout(r, Math.floor(random() * 60)))
      child.kill('SIGKILL')
      expect(await exited).toBe('SIGKILL')
      kills++

      const now = readFileSync(target)
      const isA = now.equals(A)
      const isB = now.equals(B)
      expect(
        isA || isB,
        `after kill ${kills} the file has ${now.length} bytes, neither A (${A.length}) nor B (${B.length})`,
      ).toBe(true)
      seen[isA ? 'A' : 'B']++
      // Each new writer removes what the killed ones left: at most the last one's temp remains.
      maxTemps = Math.max(maxTemps, readdirSync(dir).filter((n) => n.startsWith('.data.')).length)
    }

    expect(kills).toBeGreaterThanOrEqual(20)
    expect(seen.A + seen.B).toBe(kills)
    expect(maxTemps).toBeLessThanOrEqual(1)
    // Killed writers leave temp files in the fixed shape; the next write removes every one.
    const temps = readdirSync(dir).filter((n) => n.startsWith('.data.'))
    expect(
      temps.every((n) => /^\.data\.mqctl-[0-9a-f]{0,8}-\d+-\d*\.[0-9a-f]{8}\.tmp$/.test(n)),
      temps.join(),
    ).toBe(true)
    await writeFileAtomic(target, A)
    expect(readdirSync(dir).sort()).toEqual(['A', 'B', 'data', 'writer.mjs'])
  }, 50_000)
})

describe('special files are written through, never replaced', () => {
  it('a FIFO with a reader gets the bytes and stays a FIFO', async () => {
    const dir = freshDir()
    const fifo = join(dir, 'fifo')
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0)
    const reader = spawn('cat', [fifo], {stdio: ['ignore', 'pipe', 'ignore']})
    let got = ''
    reader.stdout.on('data', (d) => (got += d))
    const closed = new Promise((r) => reader.once('close', r))
    await writeFileAtomic(fifo, 'through\n')
    await closed
    expect(got).toBe('through\n')
    expect(lstatSync(fifo).isFIFO()).toBe(true)
    expect(readdirSync(dir)).toEqual(['fifo'])
  })

  it('/dev/null and a symlink to it stay what they are', async () => {
    const dir = freshDir()
    symlinkSync('/dev/null', join(dir, 'null'))
    await writeFileAtomic(join(dir, 'null'), 'x')
    await writeFileAtomic('/dev/null', 'x')
    expect(lstatSync(join(dir, 'null')).isSymbolicLink()).toBe(true)
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true)
  })

  it('a unix socket is refused (FILE_NOT_REGULAR, exit 5) and left alone', async () => {
    const dir = freshDir()
    const path = join(dir, 'sock')
    const server = createServer().listen(path)
    await new Promise((r) => server.once('listening', r))
    try {
      const err = await writeFileAtomic(path, 'x').catch((e: unknown) => e)
      expect((err as MqctlError).code).toBe('FILE_NOT_REGULAR')
      expect((err as MqctlError).exit).toBe(5)
      expect(lstatSync(path).isSocket()).toBe(true)
    } finally {
      server.close()
    }
  })

  it('create-only (writeFileExclusive) refuses anything already there, a FIFO included', async () => {
    const dir = freshDir()
    expect(spawnSync('mkfifo', [join(dir, 'fifo')]).status).toBe(0)
    const err = await writeFileExclusive(join(dir, 'fifo'), 'x').catch((e: unknown) => e)
    expect((err as MqctlError).code).toBe('FILE_EXISTS')
    await writeFileExclusive(join(dir, 'new'), 'complete\n', 0o640)
    expect(readFileSync(join(dir, 'new'), 'utf8')).toBe('complete\n')
    expect(statSync(join(dir, 'new')).mode & 0o777).toBe(0o640)
    expect(readdirSync(dir).sort()).toEqual(['fifo', 'new'])
  })
})
