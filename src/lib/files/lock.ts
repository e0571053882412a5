import {createHash} from 'node:crypto'
import {constants} from 'node:fs'
import {lstat, mkdir, open, readFile, stat, unlink} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import {MqctlError, fileError} from '../errors.js'
import {holderState, selfHolder, type Holder} from './holder.js'
import {resolveWriteTarget} from './target.js'

export interface LockOptions {
  /** How long to wait for another writer, in milliseconds. */
  timeoutMs?: number
  /** A lock older than this is taken over even if its owner cannot be checked (other host). */
  staleMs?: number
}

/**
 * The lock file holds `pid\nhost\ntime\nstart\nboot\n` (holder.ts): the start time and boot id
 * tell the holder from a later process with the same PID (PID 1 in containers), so such a lock
 * is taken over at once instead of blocking every writer until the timeout. Locks from before
 * these fields (three lines) are judged by PID alone.
 */
const parseOwner = (text: string): (Holder & {time: number}) | undefined => {
  const [pid, host, time, start, boot] = text.split('\n')
  const owner = {pid: Number(pid), host: host ?? '', time: Number(time), start: start ?? '', boot: boot ?? ''}
  return Number.isInteger(owner.pid) && owner.pid > 0 ? owner : undefined
}

async function isStale(lockPath: string, staleMs: number): Promise<boolean> {
  try {
    const [text, st] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath)])
    const owner = parseOwner(text)
    const state = owner ? holderState(owner) : 'unknown'
    if (state !== 'unknown') return state === 'dead'
    // Unreadable content (a writer died between create and write) or another host: go by age.
    return Date.now() - st.mtimeMs > (owner ? staleMs : 2000)
  } catch {
    return false
  }
}

const createExclusive = async (path: string, content = ''): Promise<void> => {
  const handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600)
  try {
    if (content) await handle.writeFile(content)
  } catch (error) {
    // A full disk takes the inode but not the bytes: an empty lock left behind would stall
    // every writer for the 2 s an unreadable lock is respected.
    await handle.close().catch(() => {})
    await unlink(path).catch(() => {})
    throw error
  }

  await handle.close()
}

/**
 * One attempt to take the lock. Creating the lock and judging-and-removing a stale one happen
 * under a short-lived guard file, so no contender can take the lock between another one's
 * "its owner is dead" and its unlink (which would remove a live lock and let two writers in).
 * Releasing needs no guard: an owner's unlink can only make a pending takeover find nothing.
 */
async function tryAcquire(lockPath: string, staleMs: number): Promise<'taken' | 'busy'> {
  const guard = `${lockPath}.guard`
  try {
    await createExclusive(guard)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    // The guard lives for a few milliseconds; one this old belongs to a process killed inside it.
    const st = await stat(guard).catch(() => undefined)
    if (st && Date.now() - st.mtimeMs > 2000) await unlink(guard).catch(() => {})
    return 'busy'
  }

  try {
    const me = selfHolder()
    const owner = `${me.pid}\n${me.host}\n${Date.now()}\n${me.start}\n${me.boot}\n`
    try {
      await createExclusive(lockPath, owner)
      return 'taken'
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }

    if (!(await isStale(lockPath, staleMs))) return 'busy'
    await unlink(lockPath).catch(() => {})
    await createExclusive(lockPath, owner)
    return 'taken'
  } finally {
    await unlink(guard).catch(() => {})
  }
}

/**
 * Where the lock for `target` lives: beside it, or, when its directory refuses the lock file, in
 * a directory of this account's own: $XDG_RUNTIME_DIR/mqctl when that is set (systemd makes it
 * private), else $TMPDIR/mqctl-<uid> (default /tmp/mqctl-<uid>), mode 0700. A fixed name in /tmp could
 * be created first by any local user (a lock nobody can take); a directory that is not a real
 * directory owned by us with no group or other access is refused (FILE_LOCK_DIR_UNSAFE, exit 5).
 * Such fallback locks exclude writers of the same account only; writers with the right to write
 * the file's directory lock beside the file.
 */
function lockPaths(target: string): [string, () => Promise<string>] {
  const digest = createHash('sha256').update(target).digest('hex').slice(0, 24)
  return [`${target}.lock`, async () => join(await privateLockDir(), `${digest}.lock`)]
}

export async function privateLockDir(): Promise<string> {
  const uid = process.geteuid?.() ?? 0
  const runtime = process.env.XDG_RUNTIME_DIR
  const dir = runtime ? join(runtime, 'mqctl') : join(tmpdir(), `mqctl-${uid}`)
  await mkdir(dir, {mode: 0o700}).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error
  })
  const st = await lstat(dir)
  if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o077) !== 0) {
    throw new MqctlError('FILE_LOCK_DIR_UNSAFE', `${dir} is not a private directory of this account`, {
      hint: `another account may have created it; remove it (mqctl makes it with mode 0700) or set TMPDIR`,
    })
  }

  return dir
}

/**
 * Runs `fn` while holding an exclusive lock on `target` (a sibling `.lock` file created with
 * O_EXCL). Locks left by dead processes on this host are taken over. The lock belongs to the file
 * a symlink leads to (the file the rewrite replaces), so writers that name it through a link, a
 * relative or an absolute path exclude each other.
 */
export async function withFileLock<T>(target: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 15_000
  const staleMs = options.staleMs ?? 10 * 60_000
  const deadline = Date.now() + timeoutMs
  const [beside, fallback] = lockPaths(await resolveWriteTarget(target).catch(() => target))
  let lockPath = beside
  let delay = 5

  for (;;) {
    try {
      if ((await tryAcquire(lockPath, staleMs)) === 'taken') break
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if ((code === 'EACCES' || code === 'EROFS' || code === 'EPERM') && lockPath === beside) {
        lockPath = await fallback().catch((e: unknown) => {
          throw e instanceof MqctlError ? e : fileError(tmpdir(), e, 'create lock directory')
        })
        continue
      }

      throw fileError(lockPath, error, 'create lock file')
    }

    if (Date.now() >= deadline) {
      throw new MqctlError('FILE_LOCKED', `${target} is locked by another writer (${lockPath})`, {
        hint: `wait for it to finish, or remove ${lockPath} if no mqctl is running`,
      })
    }

    await sleep(delay + Math.random() * delay)
    delay = Math.min(delay * 2, 100)
  }

  try {
    return await fn()
  } finally {
    await unlink(lockPath).catch(() => {})
  }
}
