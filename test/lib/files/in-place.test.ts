import {spawn, spawnSync} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

import {afterAll, describe, expect, it} from 'vitest'

import {rng} from '../../helpers/rng.js'
import {tempDirs} from '../../helpers/temp-dirs.js'

import {writeInPlace} from '../../../src/lib/files/in-place.js'

const REPO = fileURLToPath(new URL('../../../', import.meta.url))
const IN_PLACE_JS = pathToFileURL(join(REPO, 'dist/lib/files/in-place.js')).href
const {fresh} = tempDirs('inplace')
const isRoot = process.geteuid?.() === 0

/** Password-file-like text of `n` lines; `tag` makes two contents differ on every line. */
const text = (n: number, tag: string, width: number) =>
  Buffer.from(Array.from({length: n}, (_, i) => `user${i}:${tag}${'x'.repeat(width)}${i}\n`).join(''))

/** `got` is `content` followed only by blank padding. */
const isPadded = (got: Buffer, content: Buffer) =>
  got.length >= content.length &&
  got.subarray(0, content.length).equals(content) &&
  got.subarray(content.length).every((b) => b === 0x0a)

describe('writeInPlace', () => {
  it('a shorter and a longer rewrite end with exactly the new bytes, same inode', () => {
    return (async () => {
      const f = join(fresh(), 'pw')
      const long = text(500, 'a', 40)
      const short = text(20, 'b', 3)
      writeFileSync(f, long)
      await writeInPlace(f, short)
      expect(readFileSync(f).equals(short)).toBe(true)
      await writeInPlace(f, long)
      expect(readFileSync(f).equals(long)).toBe(true)
    })()
  })

  describe.runIf(isRoot)('on a full disk (a 128 KiB tmpfs; needs root to mount)', () => {
    const mnt = fresh()
    let mounted = false
    afterAll(() => {
      if (mounted) spawnSync('umount', [mnt])
    })

    it('ENOSPC is an error and the file is byte-identical, never shorter', async () => {
      const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=128k', 'tmpfs', mnt])
      expect(r.status, String(r.stderr)).toBe(0)
      mounted = true
      const f = join(mnt, 'pw')
      const old = text(1500, 'plain', 8)
      writeFileSync(f, old)
      const bigger = text(1500, '$7$1000$', 120)
      const err = await writeInPlace(f, bigger).catch((e: NodeJS.ErrnoException) => e)
      expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC')
      expect(readFileSync(f).equals(old)).toBe(true)
    })
  })
})

describe('SIGKILL during in-place rewrites', () => {
  it('≥ 20 kills: the file is always the old or the new content (plus blank padding), never less', async () => {
    const dir = fresh()
    const target = join(dir, 'pw')
    const A = text(1500, 'a', 10)
    const B = text(1500, 'b', 90)
    writeFileSync(join(dir, 'A'), A)
    writeFileSync(join(dir, 'B'), B)
    writeFileSync(target, A)
    const script = join(dir, 'writer.mjs')
    writeFileSync(
      script,
      `import {readFileSync} from 'node:fs'
import {writeInPlace} from ${JSON.stringify(IN_PLACE_JS)}
const [target, a, b] = process.argv.slice(2)
const contents = [readFileSync(a), readFileSync(b)]
let i = 1
for (;;) {
  await writeInPlace(target, contents[i++ % 2])
  if (i === 3) process.stdout.write('looping\\n')
}
`,
    )

    const random = rng(20_261_201)
    const started = Date.now()
    let kills = 0
    const seen = {A: 0, B: 0, torn: 0}
    while (kills < 20 && Date.now() - started < 35_000) {
      const child = spawn(process.execPath, [script, target, join(dir, 'A'), join(dir, 'B')], {
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let stderr = ''
      child.stderr.on('data', (d) => (stderr += d))
      const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)))
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', () => resolve())
        child.once('exit', () => reject(new Error(`writer exited early: ${stderr}`)))
      })
      await new Promise((r) => setTimeout(r, Math.floor(random() * 40)))
      child.kill('SIGKILL')
      expect(await exited).toBe('SIGKILL')
      kills++
      const got = readFileSync(target)
      expect(got.length, `kill ${kills}: ${got.length} bytes, shorter than the old content`).toBeGreaterThanOrEqual(
        A.length,
      )
      if (isPadded(got, A)) seen.A++
      else if (isPadded(got, B)) seen.B++
      else {
        // Only a kill inside the one overwrite call may leave the new content's start over the old one's end.
        const pad = (c: Buffer) => Buffer.concat([c, Buffer.alloc(Math.max(0, got.length - c.length), 0x0a)])
        const torn = (next: Buffer, old: Buffer) => {
          const cut = got.findIndex((byte, i) => byte !== pad(next)[i])
          return got.subarray(cut).equals(pad(old).subarray(cut))
        }

        expect(torn(A, B) || torn(B, A), `kill ${kills}: neither old, new nor one torn write`).toBe(true)
        seen.torn++
      }
    }

    expect(kills).toBeGreaterThanOrEqual(20)
    expect(seen.A + seen.B + seen.torn).toBe(kills)
  }, 50_000)
})
