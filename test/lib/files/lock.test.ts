import {spawn, spawnSync} from 'node:child_process'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmdirSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import {hostname} from 'node:os'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {fileURLToPath} from 'node:url'

import {afterAll, describe, expect, it} from 'vitest'

import {tempDirs} from '../../helpers/temp-dirs.js'

import {MqctlError} from '../../../src/lib/errors.js'
import {currentBootId, startTimeOf} from '../../../src/lib/files/holder.js'
import {privateLockDir, withFileLock} from '../../../src/lib/files/lock.js'
import {parsePasswdFile} from '../../../src/lib/passwd/file.js'
import {verifyPassword} from '../../../src/lib/passwd/hash.js'

const BIN = fileURLToPath(new URL('../../../bin/run.js', import.meta.url))
const {fresh: freshDir} = tempDirs('lock')

/** The pid of a process that has exited (and been reaped), so no live process has it. */
const deadPid = (): number => {
  const r = spawnSync(process.execPath, ['-e', '0'])
  expect(r.status).toBe(0)
  return r.pid!
}

/** Runs `count` contenders for one lock and reports the largest number ever inside at once. */
async function maxInside(target: string, count: number, holdMs: number): Promise<{max: number; order: number[]}> {
  let inside = 0
  let max = 0
  const order: number[] = []
  await Promise.all(
    Array.from({length: count}, (_, i) =>
      withFileLock(target, async () => {
        inside++
        max = Math.max(max, inside)
        order.push(i)
        await sleep(holdMs)
        inside--
      }),
    ),
  )
  return {max, order}
}

describe('withFileLock', () => {
  it('serialises holders of the same file and returns fn’s value', async () => {
    const target = join(freshDir(), 'pw')
    const {max, order} = await maxInside(target, 8, 10)
    expect(max).toBe(1)
    expect(order.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
    expect(await withFileLock(target, async () => 42)).toBe(42)
  })

  it('read-modify-write under the lock loses no update', async () => {
    const dir = freshDir()
    const target = join(dir, 'counter')
    writeFileSync(target, '0')
    await Promise.all(
      Array.from({length: 25}, () =>
        withFileLock(target, async () => {
          const v = Number(readFileSync(target, 'utf8'))
          await sleep(1)
          writeFileSync(target, String(v + 1))
        }),
      ),
    )
    expect(readFileSync(target, 'utf8')).toBe('25')
  })

  it('different files do not block each other', async () => {
    const dir = freshDir()
    let bothInside = false
    let aInside = false
    await Promise.all([
      withFileLock(join(dir, 'a'), async () => {
        aInside = true
        await sleep(100)
        aInside = false
      }),
      (async () => {
        await sleep(20)
        await withFileLock(join(dir, 'b'), async () => {
          bothInside = aInside
        })
      })(),
    ])
    expect(bothInside).toBe(true)
  })

  it('writes pid, host and time into a sibling .lock file, and removes it afterwards', async () => {
    const dir = freshDir()
    const target = join(dir, 'pw')
    const content = await withFileLock(target, async () => readFileSync(`${target}.lock`, 'utf8'))
    const [pid, host, time] = content.split('\n')
    expect(Number(pid)).toBe(process.pid)
    expect(host).toBe(hostname())
    expect(Math.abs(Number(time) - Date.now())).toBeLessThan(10_000)
    expect(existsSync(`${target}.lock`)).toBe(false)
    expect(readdirSync(dir)).toEqual([])
  })

  it('releases the lock when fn throws', async () => {
    const target = join(freshDir(), 'pw')
    await expect(
      withFileLock(target, async () => {
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    expect(existsSync(`${target}.lock`)).toBe(false)
    expect(await withFileLock(target, async () => 'again', {timeoutMs: 200})).toBe('again')
  })

  it('takes over a stale lock left by a dead pid on this host', async () => {
    const target = join(freshDir(), 'pw')
    writeFileSync(`${target}.lock`, `${deadPid()}\n${hostname()}\n${Date.now()}\n`)
    const started = Date.now()
    expect(
      await withFileLock(target, async () => readFileSync(`${target}.lock`, 'utf8').split('\n')[0], {timeoutMs: 1000}),
    ).toBe(String(process.pid))
    expect(Date.now() - started).toBeLessThan(1000)
    expect(existsSync(`${target}.lock`)).toBe(false)
  })

  it('takes over an old unreadable lock (writer died before writing it)', async () => {
    const target = join(freshDir(), 'pw')
    writeFileSync(`${target}.lock`, '')
    const old = new Date(Date.now() - 60_000)
    utimesSync(`${target}.lock`, old, old)
    expect(await withFileLock(target, async () => 'ok', {timeoutMs: 1000})).toBe('ok')
  })

  it('a symlink and the file it leads to share one lock (no lost update through a link)', async () => {
    const dir = freshDir()
    const target = join(dir, 'ds.json')
    writeFileSync(target, '0')
    symlinkSync('ds.json', join(dir, 'link.json'))
    const names = [target, join(dir, 'link.json'), join(dir, '.', 'link.json')]
    let inside = 0
    let max = 0
    await Promise.all(
      Array.from({length: 24}, (_, i) =>
        withFileLock(names[i % names.length], async () => {
          max = Math.max(max, ++inside)
          const v = Number(readFileSync(target, 'utf8'))
          await sleep(1)
          writeFileSync(target, String(v + 1))
          inside--
        }),
      ),
    )
    expect(max).toBe(1)
    expect(readFileSync(target, 'utf8')).toBe('24')
  })

  it('a live lock times out with FILE_LOCKED (exit 5)', async () => {
    const target = join(freshDir(), 'pw')
    writeFileSync(`${target}.lock`, `${process.pid}\n${hostname()}\n${Date.now()}\n`)
    let ran = false
    const started = Date.now()
    const err = await withFileLock(
      target,
      async () => {
        ran = true
      },
      {timeoutMs: 300},
    ).catch((e: unknown) => e)
    const waited = Date.now() - started
    expect(ran).toBe(false)
    expect(err).toBeInstanceOf(MqctlError)
    expect((err as MqctlError).code).toBe('FILE_LOCKED')
    expect((err as MqctlError).exit).toBe(5)
    expect((err as MqctlError).message).toContain(target)
    expect(waited).toBeGreaterThanOrEqual(290)
    expect(waited).toBeLessThan(3000)
    // the other writer's lock is left alone
    expect(readFileSync(`${target}.lock`, 'utf8').split('\n')[0]).toBe(String(process.pid))
  })

  it('a lock from another host is respected until it is older than staleMs', async () => {
    const target = join(freshDir(), 'pw')
    writeFileSync(`${target}.lock`, `${deadPid()}\nsome-other-host\n${Date.now()}\n`)
    const err = await withFileLock(target, async () => 'no', {timeoutMs: 200}).catch((e: unknown) => e)
    expect((err as MqctlError).code).toBe('FILE_LOCKED')
    const old = new Date(Date.now() - 120_000)
    utimesSync(`${target}.lock`, old, old)
    expect(await withFileLock(target, async () => 'yes', {timeoutMs: 500, staleMs: 60_000})).toBe('yes')
  })

  // Several writers finding the same stale lock: each decides "stale" from the old content,
  // and a late unlink must not remove the lock a faster contender has just taken.
  it('mutual exclusion holds when several contenders find the same stale lock', async () => {
    const dead = deadPid()
    let violations = 0
    let trials = 0
    for (; trials < 60 && violations === 0; trials++) {
      const target = join(freshDir(), 'pw')
      writeFileSync(`${target}.lock`, `${dead}\n${hostname()}\n${Date.now()}\n`)
      const {max} = await maxInside(target, 8, 3)
      if (max > 1) violations++
    }

    expect(violations, `two holders at once in trial ${trials} after a stale lock was taken over`).toBe(0)
  }, 40_000)
})

describe('parallel `mqctl passwd -b` processes on one file', () => {
  it('20 concurrent runs: all 20 users present, each verifies, other lines kept', async () => {
    expect(existsSync(BIN)).toBe(true)
    expect(
      existsSync(fileURLToPath(new URL('../../../dist/main.js', import.meta.url))),
      'run "npm run build" first',
    ).toBe(true)
    const dir = freshDir()
    const file = join(dir, 'pwfile')
    writeFileSync(
      file,
      '# shared file\nexisting:$7$101$VnuVQktcDUV3QEwL$WLYYlPmzFtc80xm3BIuWZhdmhtjYJVWXnu7LC3zeme9TfdO8QgQk76q5SAoDVItkMDvC/wa5C1djQysff5GEzA==\n',
    )
    const results = await Promise.all(
      Array.from(
        {length: 20},
        (_, i) =>
          new Promise<{code: number | null; stderr: string}>((resolve, reject) => {
            const child = spawn(process.execPath, [BIN, 'passwd', '-b', file, `user${i}`, `pw${i}`], {
              cwd: dir,
              env: {...process.env, HOME: dir, NO_COLOR: '1'},
              stdio: ['ignore', 'ignore', 'pipe'],
            })
            let stderr = ''
            child.stderr.on('data', (d) => (stderr += d))
            child.once('error', reject)
            child.once('close', (code) => resolve({code, stderr}))
          }),
      ),
    )
    for (const r of results) {
      expect(r.code, r.stderr).toBe(0)
    }

    const lines = parsePasswdFile(readFileSync(file))
    expect(lines[0].raw.toString()).toBe('# shared file')
    expect(lines[1].username).toBe('existing')
    const entries = lines.filter((l) => l.kind === 'entry')
    expect(entries).toHaveLength(21)
    const byUser = new Map(entries.map((e) => [e.username!, e.secret!]))
    expect(byUser.size).toBe(21)
    const checks = await Promise.all(
      Array.from({length: 20}, async (_, i) => {
        const secret = byUser.get(`user${i}`)
        expect(secret, `user${i} missing`).toBeDefined()
        return [
          await verifyPassword(secret!, Buffer.from(`pw${i}`)),
          await verifyPassword(secret!, Buffer.from(`pw${(i + 1) % 20}`)),
        ]
      }),
    )
    expect(checks).toEqual(Array.from({length: 20}, () => [true, false]))
    expect(await verifyPassword(byUser.get('existing')!, Buffer.from('secret'))).toBe(true)
    expect(readdirSync(dir)).toEqual(['pwfile'])
  }, 60_000)
})

describe('locks name their holder beyond the PID', () => {
  const lockOf = (pid: number, start: string, boot = currentBootId()) =>
    `${pid}\n${hostname()}\n${Date.now()}\n${start}\n${boot}\n`

  it('records PID, host, time, start time and boot id', async () => {
    const target = join(freshDir(), 'pw')
    const [pid, host, , start, boot] = await withFileLock(target, async () =>
      readFileSync(`${target}.lock`, 'utf8').split('\n'),
    )
    expect([Number(pid), host, start, boot]).toEqual([
      process.pid,
      hostname(),
      startTimeOf(process.pid),
      currentBootId(),
    ])
  })

  it('a lock naming PID 1 (alive, but started at another time: a container restart) is taken over at once', async () => {
    const target = join(freshDir(), 'pw')
    writeFileSync(`${target}.lock`, lockOf(1, String(Number(startTimeOf(1)) + 1000)))
    const started = Date.now()
    expect(await withFileLock(target, async () => 'taken', {timeoutMs: 2000})).toBe('taken')
    expect(Date.now() - started).toBeLessThan(1000)
  })

  it('a lock from before a reboot (another boot id) is taken over at once', async () => {
    const target = join(freshDir(), 'pw')
    writeFileSync(`${target}.lock`, lockOf(process.pid, startTimeOf(process.pid), '0-0-0-0-0'))
    expect(await withFileLock(target, async () => 'taken', {timeoutMs: 2000})).toBe('taken')
  })

  it('a lock whose PID and start time match a live process is respected', async () => {
    const target = join(freshDir(), 'pw')
    writeFileSync(`${target}.lock`, lockOf(1, startTimeOf(1)))
    const err = await withFileLock(target, async () => 'no', {timeoutMs: 200}).catch((e: unknown) => e)
    expect((err as MqctlError).code).toBe('FILE_LOCKED')
  })
})

describe('the fallback lock directory', () => {
  const withTmp = async <T>(env: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> => {
    const saved = {TMPDIR: process.env.TMPDIR, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR}
    Object.assign(process.env, env)
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k]
    try {
      return await fn()
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k]
        else process.env[k] = v
      }
    }
  }

  it('is a private directory of this account (0700), not a predictable name in /tmp', async () => {
    const tmp = freshDir()
    const dir = await withTmp({TMPDIR: tmp, XDG_RUNTIME_DIR: undefined}, privateLockDir)
    expect(dir).toBe(join(tmp, `mqctl-${process.geteuid!()}`))
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    expect(statSync(dir).uid).toBe(process.geteuid!())
  })

  it('one another account pre-created (or made group/world writable, or a symlink) is refused, exit 5', async () => {
    const tmp = freshDir()
    const dir = join(tmp, `mqctl-${process.geteuid!()}`)
    mkdirSync(dir, {mode: 0o777})
    chmodSync(dir, 0o777)
    const err = await withTmp({TMPDIR: tmp, XDG_RUNTIME_DIR: undefined}, privateLockDir).catch((e: unknown) => e)
    expect((err as MqctlError).code).toBe('FILE_LOCK_DIR_UNSAFE')
    expect((err as MqctlError).exit).toBe(5)
    rmdirSync(dir)
    symlinkSync(freshDir(), dir)
    const err2 = await withTmp({TMPDIR: tmp, XDG_RUNTIME_DIR: undefined}, privateLockDir).catch((e: unknown) => e)
    expect((err2 as MqctlError).code).toBe('FILE_LOCK_DIR_UNSAFE')
  })

  it('prefers $XDG_RUNTIME_DIR/mqctl', async () => {
    const run = freshDir()
    expect(await withTmp({XDG_RUNTIME_DIR: run}, privateLockDir)).toBe(join(run, 'mqctl'))
  })
})

describe.runIf(process.geteuid?.() === 0)('on a full disk (a 16 KiB tmpfs; needs root to mount)', () => {
  const mnt = freshDir()
  let mounted = false
  afterAll(() => {
    if (mounted) spawnSync('umount', [mnt])
  })

  it('a lock that cannot be written is an error and leaves no empty lock file behind', async () => {
    const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', mnt])
    expect(r.status, String(r.stderr)).toBe(0)
    mounted = true
    const target = join(mnt, 'ds.json')
    writeFileSync(target, '{}')
    // Fill every block: creating the lock still gets an inode, its content gets ENOSPC.
    spawnSync('dd', ['if=/dev/zero', `of=${join(mnt, 'fill')}`, 'bs=1k', 'count=64'])
    const err = await withFileLock(target, async () => 'ran').catch((e: unknown) => e)
    expect([(err as MqctlError).code, (err as MqctlError).exit]).toEqual(['FILE_ENOSPC', 5])
    expect(readdirSync(mnt).sort()).toEqual(['ds.json', 'fill'])
  })
})
