import {randomBytes} from 'node:crypto'
import {constants} from 'node:fs'
import {open, realpath, rename, stat, unlink, type FileHandle} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'

import {fileError} from '../errors.js'

export interface AtomicWriteOptions {
  /** Mode for a file that does not exist yet (existing files keep theirs). Default 0600. */
  mode?: number
  /** Told when the directory refuses a temp file or a rename and the file is rewritten in place. */
  onWarning?: (message: string) => void
}

/** Follows symlinks so the link stays a link and its target is what gets replaced. */
export async function resolveWriteTarget(path: string): Promise<string> {
  try {
    return await realpath(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      // A dangling symlink or a new file: resolve the directory, keep the name.
      try {
        return join(await realpath(dirname(path)), basename(path))
      } catch {
        return path
      }
    }

    throw fileError(path, error)
  }
}

const IN_PLACE_ON_TEMP = new Set(['EACCES', 'EPERM', 'EROFS'])
const IN_PLACE_ON_RENAME = new Set(['EBUSY', 'EXDEV'])

/**
 * Replaces a file's content atomically: temp file beside it, fsync, rename, fsync of the
 * directory. The old file keeps its mode and owner. Readers see the old or the new content,
 * never a mix, whenever the process dies.
 *
 * A directory that refuses the temp file, or a file that cannot be renamed over (a Docker
 * bind mount of a single file, mosquitto issue #2640), gets an in-place rewrite with a warning
 * rather than a failure, because that is all such a setup allows.
 */
export async function writeFileAtomic(
  path: string,
  data: Buffer | string,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const target = await resolveWriteTarget(path)
  let existing: {mode: number; uid: number; gid: number} | undefined
  try {
    const st = await stat(target)
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), {code: 'EISDIR'})
    existing = {mode: st.mode & 0o7777, uid: st.uid, gid: st.gid}
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw fileError(path, error, 'write')
  }

  const dir = dirname(target)
  const temp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  let handle: FileHandle
  try {
    handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? ''
    if (existing && IN_PLACE_ON_TEMP.has(code)) {
      options.onWarning?.(
        `cannot create a temporary file in ${dir} (${code}); rewriting ${target} in place, not atomically`,
      )
      await writeInPlace(target, data)
      return
    }

    throw fileError(path, error, 'write')
  }

  try {
    try {
      await handle.writeFile(data)
      if (existing) {
        await handle.chmod(existing.mode)
        await handle.chown(existing.uid, existing.gid).catch(() => {
          // Not root: the temp file is ours; keeping another owner is impossible anyway.
        })
      } else {
        await handle.chmod(options.mode ?? 0o600)
      }

      await handle.sync()
    } finally {
      await handle.close()
    }

    try {
      await rename(temp, target)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? ''
      if (!existing || !IN_PLACE_ON_RENAME.has(code)) throw error
      options.onWarning?.(`cannot rename over ${target} (${code}); rewriting it in place, not atomically`)
      await writeInPlace(target, data)
      await unlink(temp).catch(() => {})
      return
    }
  } catch (error) {
    await unlink(temp).catch(() => {})
    throw fileError(path, error, 'write')
  }

  await syncDirectory(dir)
}

async function writeInPlace(target: string, data: Buffer | string): Promise<void> {
  const handle = await open(target, 'r+')
  try {
    await handle.truncate(0)
    await handle.write(typeof data === 'string' ? Buffer.from(data) : data, 0, undefined, 0)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

async function syncDirectory(dir: string): Promise<void> {
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
