import {constants} from 'node:fs'
import {link, open, rename, unlink, type FileHandle} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'

import {MqctlError, fileError} from '../errors.js'
import {writeInPlace} from './in-place.js'
import {inspectWriteTarget, writeAll, writeThrough} from './target.js'
import {removeStaleTemps, tempNameFor} from './temp.js'

export {resolveWriteTarget, inspectWriteTarget, type WriteTarget} from './target.js'

export interface AtomicWriteOptions {
  /** Mode for a file that does not exist yet (existing files keep theirs). Default 0600. */
  mode?: number
  /** Give an existing file `mode` too (a private key must not stay 0644 when it is replaced). */
  forceMode?: boolean
  /** Told when the directory refuses a temp file or a rename and the file is rewritten in place. */
  onWarning?: (message: string) => void
}

// EROFS too: a read-only root with a writable single-file bind mount (read-only containers) allows in place.
const IN_PLACE_ON_TEMP = new Set(['EACCES', 'EPERM', 'EROFS'])
const IN_PLACE_ON_RENAME = new Set(['EBUSY', 'EXDEV'])

const toBuffer = (data: Buffer | string): Buffer => (typeof data === 'string' ? Buffer.from(data, 'utf8') : data)

/**
 * A temp file beside `target` in the fixed shape of temp.ts, holding `data`, synced, with
 * `mode`; its path. Stale temp files of the same target are removed first.
 */
export async function writeTempBeside(target: string, data: Buffer, mode: number, owner?: {uid: number; gid: number}) {
  const dir = dirname(target)
  await removeStaleTemps(dir, basename(target))
  const temp = join(dir, tempNameFor(basename(target)))
  const handle: FileHandle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600)
  try {
    await writeAll(handle, data)
    await handle.chmod(mode)
    if (owner) {
      await handle.chown(owner.uid, owner.gid).catch(() => {
        // Not root: the temp file is ours; keeping another owner is impossible anyway.
      })
    }

    await handle.sync()
  } catch (error) {
    await handle.close().catch(() => {})
    await unlink(temp).catch(() => {})
    throw error
  }

  await handle.close()
  return temp
}

/**
 * Replaces a file's content atomically: temp file beside it, fsync, rename, fsync of the
 * directory. The old file keeps its mode and owner; symlinks stay links and their target is
 * rewritten. Readers see the old or the new content, never a mix, whenever the process dies.
 *
 * A FIFO, a character device or a descriptor alias (/dev/stdout, /proc/self/fd/1) is written
 * through and never replaced (target.ts). A directory that refuses the temp file, or a file
 * that cannot be renamed over (a Docker bind mount of a single file, mosquitto issue #2640),
 * gets the in-place rewrite of in-place.ts with a warning. Every failure is a FILE_* error
 * (exit 5) and leaves the file as it was.
 */
export async function writeFileAtomic(
  path: string,
  content: Buffer | string,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const data = toBuffer(content)
  const where = await inspectWriteTarget(path)
  if (where.kind === 'special' || where.kind === 'descriptor') return writeThrough(where, data, path)

  const {target} = where
  const existing = where.kind === 'regular' ? where.stat : undefined
  const mode = existing && !options.forceMode ? existing.mode & 0o7777 : (options.mode ?? 0o600)
  let temp: string
  try {
    temp = await writeTempBeside(target, data, mode, existing)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? ''
    if (existing && IN_PLACE_ON_TEMP.has(code)) {
      options.onWarning?.(
        `cannot create a temporary file in ${dirname(target)} (${code}); rewriting ${target} in place, not atomically`,
      )
      return inPlace(path, target, data)
    }

    throw fileError(path, error, 'write')
  }

  try {
    await rename(temp, target)
  } catch (error) {
    await unlink(temp).catch(() => {})
    const code = (error as NodeJS.ErrnoException).code ?? ''
    if (!existing || !IN_PLACE_ON_RENAME.has(code)) throw fileError(path, error, 'write')
    options.onWarning?.(`cannot rename over ${target} (${code}); rewriting it in place, not atomically`)
    return inPlace(path, target, data)
  }

  await syncDirectory(dirname(target))
}

async function inPlace(path: string, target: string, data: Buffer): Promise<void> {
  try {
    await writeInPlace(target, data)
  } catch (error) {
    throw fileError(path, error, 'write')
  }
}

/**
 * Creates `path` with `data` only if nothing is there, atomically: a temp file beside it,
 * synced, then link(2), which fails if the name exists (O_EXCL semantics). A kill or a full disk
 * leaves no file (or the complete one), never an empty or partial one, so a rerun works.
 * Filesystems without hard links get an O_EXCL create instead.
 */
export async function writeFileExclusive(path: string, content: Buffer | string, mode = 0o600): Promise<void> {
  const data = toBuffer(content)
  const where = await inspectWriteTarget(path)
  if (where.kind !== 'new') throw existsError(path)
  let temp: string
  try {
    temp = await writeTempBeside(where.target, data, mode)
  } catch (error) {
    throw fileError(path, error, 'write')
  }

  try {
    await link(temp, where.target)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EEXIST') {
      await unlink(temp).catch(() => {})
      throw existsError(path)
    }

    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EMLINK') {
      await unlink(temp).catch(() => {})
      throw fileError(path, error, 'write')
    }

    await unlink(temp).catch(() => {})
    return createExclusiveDirect(path, where.target, data, mode)
  }

  await unlink(temp).catch(() => {})
  await syncDirectory(dirname(where.target))
}

const existsError = (path: string) =>
  new MqctlError(
    'FILE_EXISTS',
    `'${path}' already exists; remove it, choose another file, or give --force to replace it`,
  )

async function createExclusiveDirect(path: string, target: string, data: Buffer, mode: number): Promise<void> {
  let handle: FileHandle
  try {
    handle = await open(target, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw existsError(path)
    throw fileError(path, error, 'write')
  }

  try {
    await writeAll(handle, data)
    await handle.sync()
    await handle.close()
  } catch (error) {
    await handle.close().catch(() => {})
    await unlink(target).catch(() => {})
    throw fileError(path, error, 'write')
  }
}

export async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r')
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
  } catch {
    // Some filesystems refuse fsync on directories; the rename itself already happened.
  }
}
