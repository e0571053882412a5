import {spawn} from 'node:child_process'
import {
  chmodSync,
  chownSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  watch,
  writeFileSync,
} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {BIN, mqctl} from '../helpers/cli.js'
import {rng} from '../helpers/rng.js'

// kill -9 of `mqctl passwd -b` at seeded random moments, on the normal write path (a directory
// where the temp file can be made: temp file, fsync, rename). After every kill the file is
// exactly the old content or exactly the old content plus the one new entry, with its mode and
// owner; a new content always comes with a new inode (the rename), never an in-place rewrite.
// The in-place fallback's own kill test is in passwd-files.test.ts.
const SEED = Number(process.env.MQCTL_KILL_SEED ?? 20261201)
const KILLS = Number(process.env.MQCTL_KILL_ROUNDS ?? 30)
const isRoot = process.geteuid?.() === 0
let dir: string
afterAll(() => rmSync(dir, {recursive: true, force: true}))

const HASHED = (user: string) => new RegExp(`^${user}:\\$7\\$1000\\$[A-Za-z0-9+/]{16}\\$[A-Za-z0-9+/]{86}==\\n$`)

function runPasswd(args: string[]) {
  const child = spawn(process.execPath, [BIN, 'passwd', ...args], {stdio: ['ignore', 'ignore', 'pipe']})
  let stderr = ''
  child.stderr.on('data', (d) => (stderr += d))
  const done = new Promise<{signal: NodeJS.Signals | null; stderr: string}>((resolve) =>
    child.once('close', (_code, signal) => resolve({signal, stderr})),
  )
  return {child, done}
}

describe('kill -9 during mqctl passwd -b (temp file, fsync, rename)', () => {
  it(`${KILLS} kills at seeded moments: old or new content, mode and owner kept, no temp left`, async () => {
    dir = mkdtempSync(join(tmpdir(), 'mqctl-passwd-kill-'))
    const file = join(dir, 'pw')
    // 20,000 entries (about 2.4 MB): the write takes long enough for kills to land inside it.
    const lines = Array.from({length: 20_000}, (_, i) => `user${i}:$6$Ut1cUS9PG8+gC3vn$${'x'.repeat(86)}==\n`)
    writeFileSync(file, lines.join(''))
    chmodSync(file, 0o640)
    if (isRoot) chownSync(file, 65534, 65534)
    // how long one full run takes here, so the kills spread over all of it
    const started = Date.now()
    const full = runPasswd(['-b', file, 'warmup', 'x'])
    expect((await full.done).signal).toBe(null)
    const span = Date.now() - started

    const random = rng(SEED)
    const seen = {old: 0, new: 0, exited: 0, duringWrite: 0}
    let kills = 0
    for (let round = 0; kills < KILLS && round < KILLS * 4; round++) {
      const before = readFileSync(file)
      const beforeIno = statSync(file).ino
      const user = `killed${round}`
      // Half the rounds kill at a moment of the whole run; the other half a few milliseconds
      // after the temp file appears, i.e. inside the write, the fsync or just around the rename.
      const onTemp = random() < 0.5
      const delay = onTemp ? random() * 15 : random() * span * 1.2
      const run = runPasswd(['-b', file, user, `pw${round}`])
      let tempSeen = false
      const watcher = watch(dir, (_event, name) => {
        if (!onTemp || tempSeen || !String(name).startsWith('.pw.')) return
        tempSeen = true
        setTimeout(() => run.child.kill('SIGKILL'), delay)
      })
      if (!onTemp) setTimeout(() => run.child.kill('SIGKILL'), delay)
      const {signal, stderr} = await run.done
      watcher.close()
      if (signal === 'SIGKILL' && readdirSync(dir).some((n) => n.startsWith('.pw.'))) seen.duringWrite++
      expect(stderr, 'the normal path, never in place').not.toMatch(/in place/)
      const after = readFileSync(file)
      const st = statSync(file)
      expect(st.mode & 0o7777, `round ${round}: mode`).toBe(0o640)
      if (isRoot) expect([st.uid, st.gid], `round ${round}: owner`).toEqual([65534, 65534])
      const isOld = after.equals(before)
      const added = after.subarray(before.length).toString('utf8')
      const isNew = !isOld && after.subarray(0, before.length).equals(before) && HASHED(user).test(added)
      expect(
        isOld || isNew,
        `round ${round}: ${after.length} bytes, neither the old ${before.length} nor old + entry`,
      ).toBe(true)
      // new content arrives by rename (a new inode); the old one is the untouched old file
      expect(st.ino === beforeIno, `round ${round}: inode`).toBe(isOld)
      if (signal !== 'SIGKILL') {
        seen.exited++
        continue
      }

      kills++
      seen[isOld ? 'old' : 'new']++
    }

    console.log(`passwd -b kill -9 (seed ${SEED}, span ${span} ms):`, seen)
    expect(kills).toBeGreaterThanOrEqual(KILLS)
    expect(seen.old + seen.new).toBe(kills)
    // the kills did land inside the write (a temp file was left), not only before or after it
    expect(seen.duringWrite).toBeGreaterThan(0)
    // the next run removes what the killed writers left (temp files, a stale lock)
    const last = await mqctl(['passwd', '-b', file, 'final', 'x'])
    expect(last.code, last.stderr).toBe(0)
    expect(readdirSync(dir)).toEqual(['pw'])
    expect(statSync(file).mode & 0o7777).toBe(0o640)
    if (isRoot) expect(statSync(file).uid).toBe(65534)
  }, 240_000)
})
