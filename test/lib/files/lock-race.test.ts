import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync, unlinkSync, writeFileSync} from 'node:fs'
import {hostname, tmpdir} from 'node:os'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import {afterAll, describe, expect, it, vi} from 'vitest'

import {withFileLock} from '../../../src/lib/files/lock.js'

/**
 * The stale-lock check reads the owner's pid, then asks whether that pid is alive, then
 * unlinks the lock. Between the read and the unlink the owner can release the lock and exit
 * and a third writer can take it — exactly what happens with many short `mqctl passwd -b`
 * processes. This test widens that window deterministically by delaying the read.
 */
const control = vi.hoisted(() => ({delayNextRead: 0, readStarted: undefined as undefined | (() => void)}))

vi.mock('node:fs/promises', async (importOriginal) => {
  const orig = await importOriginal<typeof import('node:fs/promises')>()
  const readFile = (async (...args: Parameters<typeof orig.readFile>) => {
    const delay = control.delayNextRead
    control.delayNextRead = 0
    const result = await orig.readFile(...args)
    if (delay) {
      control.readStarted?.()
      await new Promise((r) => setTimeout(r, delay))
    }

    return result
  }) as typeof orig.readFile
  return {...orig, readFile, default: {...orig, readFile}}
})

const dir = mkdtempSync(join(tmpdir(), 'mqctl-lockrace-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('stale-lock takeover race', () => {
  it('a lock taken after the stale check read the old owner is not removed', async () => {
    const target = join(dir, 'pw')
    const lock = `${target}.lock`
    // P1: a live process holding the lock
    const p1 = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], {stdio: 'ignore'})
    const p1Exited = new Promise((r) => p1.once('exit', r))
    writeFileSync(lock, `${p1.pid}\n${hostname()}\n${Date.now()}\n`)

    let inside = 0
    let max = 0
    const hold = async (ms: number) => {
      inside++
      max = Math.max(max, inside)
      await sleep(ms)
      inside--
    }

    // A waits for the lock; its first stale check reads P1's pid and is then held up.
    const readDone = new Promise<void>((r) => (control.readStarted = r))
    control.delayNextRead = 300
    const a = withFileLock(target, () => hold(50), {timeoutMs: 5000})
    await readDone

    // Meanwhile P1 releases the lock and exits, and B takes the lock.
    unlinkSync(lock)
    p1.kill('SIGKILL')
    await p1Exited
    const b = withFileLock(target, () => hold(600), {timeoutMs: 5000})

    await Promise.all([a, b])
    expect(max, 'A removed the lock B held and both ran at once').toBe(1)
  }, 15_000)
})
