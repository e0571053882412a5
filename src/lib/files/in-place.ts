import {constants} from 'node:fs'
import {open, type FileHandle} from 'node:fs/promises'

import {writeAll} from './target.js'

/**
 * Rewrites a file in place, for the setups where no temp file can be made beside it (a
 * directory the writer may not write, a single-file Docker bind mount). The file is never
 * shorter than its old content until the new content is fully written and synced:
 *
 * 1. grow the file to the new length with blank padding, sync (a full disk fails here, before
 *    any old byte is touched, and the file is cut back to its old length);
 * 2. write the new content from offset 0, followed by blank padding up to the old length, sync;
 * 3. only then cut the file to the new length, sync.
 *
 * A process killed between steps leaves the old or the new content followed by blank padding
 * ('\n' by default), which every format mqctl writes (password files, mosquitto.conf, JSON,
 * PEM) reads as nothing. Only a kill inside the single write of step 2 can leave the new
 * content's start over the old content's end; no step ever leaves less than that. Any
 * failure in step 2 writes the old content back before the error is raised.
 */
export async function writeInPlace(target: string, data: Buffer, pad = 0x0a): Promise<void> {
  const handle = await open(target, constants.O_RDWR | constants.O_NOCTTY)
  try {
    const oldSize = (await handle.stat()).size
    const old = await readAt(handle, oldSize)
    const size = data.length

    if (size > oldSize) {
      try {
        await writeAll(handle, Buffer.alloc(size - oldSize, pad), oldSize)
        await handle.sync()
      } catch (error) {
        await handle.truncate(oldSize).catch(() => {})
        await handle.sync().catch(() => {})
        throw error
      }
    }

    try {
      await writeAll(handle, size >= oldSize ? data : Buffer.concat([data, Buffer.alloc(oldSize - size, pad)]), 0)
      await handle.sync()
    } catch (error) {
      // The space is already allocated, so writing the old bytes back does not need more.
      await writeAll(handle, old, 0).catch(() => {})
      await handle.truncate(oldSize).catch(() => {})
      await handle.sync().catch(() => {})
      throw error
    }

    if (size < oldSize) {
      await handle.truncate(size)
      await handle.sync()
    }
  } finally {
    await handle.close()
  }
}

async function readAt(handle: FileHandle, size: number): Promise<Buffer> {
  const buffer = Buffer.alloc(size)
  let done = 0
  while (done < size) {
    const {bytesRead} = await handle.read(buffer, done, size - done, done)
    if (bytesRead === 0) break
    done += bytesRead
  }

  return buffer.subarray(0, done)
}
