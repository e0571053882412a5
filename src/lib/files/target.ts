import {constants, writeSync, type Stats} from 'node:fs'
import {lstat, open, readlink, realpath, stat, type FileHandle} from 'node:fs/promises'
import {basename, dirname, join, resolve} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import {MqctlError, fileError} from '../errors.js'
import {notRegular} from './input.js'

/**
 * What a path names for a writer:
 * - 'new': nothing yet (or a dangling symlink): create it;
 * - 'regular': a regular file (symlinks followed): replace it atomically;
 * - 'special': a FIFO or character device (/dev/null, a terminal): write through it;
 * - 'descriptor': an alias of an open descriptor (/dev/stdout, /dev/fd/N, /proc/PID/fd/N, or a
 *   symlink leading to one): write through it, like a shell redirection, whatever it is.
 * A special file or a descriptor is never renamed over, chmod-ed or turned into a regular file.
 */
export type WriteTarget =
  | {kind: 'new'; target: string}
  | {kind: 'regular'; target: string; stat: Stats}
  | {kind: 'special'; target: string; stat: Stats}
  | {kind: 'descriptor'; target: string; stat?: Stats; fd?: number}

const isDescriptorPath = (p: string): boolean =>
  /^\/proc\/[^/]+\/fd\//.test(p) || p.startsWith('/dev/fd/') || /^\/dev\/std(in|out|err)$/.test(p)

/**
 * The descriptor number when `p` names one of this process's own descriptors: those are written
 * directly, since a socket (what Node gives a child for stdout) cannot be opened by path.
 */
function ownDescriptor(p: string): number | undefined {
  const std = {'/dev/stdin': 0, '/dev/stdout': 1, '/dev/stderr': 2}[p]
  if (std !== undefined) return std
  const m = /^\/(?:proc\/(?:self|thread-self|(\d+))|dev)\/fd\/(\d+)$/.exec(p)
  if (!m || (m[1] !== undefined && Number(m[1]) !== process.pid)) return undefined
  return Number(m[2])
}

/** Follows symlinks by hand (realpath cannot resolve `pipe:[…]`) looking for a descriptor alias. */
async function leadsToDescriptor(path: string): Promise<{fd?: number} | undefined> {
  let p = resolve(path)
  for (let hops = 0; hops < 40; hops++) {
    if (isDescriptorPath(p)) return {fd: ownDescriptor(p)}
    const st = await lstat(p).catch(() => undefined)
    if (!st?.isSymbolicLink()) return undefined
    const link = await readlink(p).catch(() => undefined)
    if (link === undefined) return undefined
    p = resolve(dirname(p), link)
  }

  return undefined
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

export async function inspectWriteTarget(path: string): Promise<WriteTarget> {
  const descriptor = await leadsToDescriptor(path)
  if (descriptor) {
    return {kind: 'descriptor', target: path, stat: await stat(path).catch(() => undefined), fd: descriptor.fd}
  }

  let st: Stats
  try {
    st = await stat(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {kind: 'new', target: await resolveWriteTarget(path)}
    throw fileError(path, error, 'write')
  }

  if (st.isDirectory()) throw fileError(path, Object.assign(new Error('is a directory'), {code: 'EISDIR'}), 'write')
  if (st.isFile()) return {kind: 'regular', target: await resolveWriteTarget(path), stat: st}
  if (st.isFIFO() || st.isCharacterDevice()) return {kind: 'special', target: path, stat: st}
  // A block device or a socket: writing a password file or a config onto it is never meant.
  throw notRegular(path, st, 'output')
}

/** Writes every byte (a short write is continued, never ignored) at `position`, or at the current offset. */
export async function writeAll(handle: FileHandle, data: Buffer, position?: number): Promise<void> {
  let done = 0
  while (done < data.length) {
    const {bytesWritten} = await handle.write(
      data,
      done,
      data.length - done,
      position === undefined ? null : position + done,
    )
    if (bytesWritten <= 0) throw Object.assign(new Error('short write'), {code: 'EIO'})
    done += bytesWritten
  }
}

/** How long a FIFO may stay without a reader before the write fails (mosquitto_passwd would hang). */
const FIFO_READER_WAIT_MS = 10_000

export async function openFifo(path: string): Promise<FileHandle> {
  const deadline = Date.now() + FIFO_READER_WAIT_MS
  for (;;) {
    try {
      // Non-blocking first: it fails with ENXIO instead of hanging while nobody reads.
      const probe = await open(path, constants.O_WRONLY | constants.O_NONBLOCK | constants.O_NOCTTY)
      try {
        return await open(path, constants.O_WRONLY | constants.O_NOCTTY)
      } finally {
        await probe.close()
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENXIO') throw error
      if (Date.now() >= deadline) {
        throw new MqctlError('FILE_FIFO_NO_READER', `nothing reads the FIFO ${path} (waited 10 s)`, {
          location: {file: path},
        })
      }

      await sleep(50)
    }
  }
}

/** Writes through a special file or descriptor alias, as `>` in a shell does; never replaces it. */
export async function writeThrough(
  target: Extract<WriteTarget, {kind: 'special' | 'descriptor'}>,
  data: Buffer,
  shown: string,
): Promise<void> {
  if (target.kind === 'descriptor' && target.fd !== undefined && target.fd > 0) {
    return writeToDescriptor(target.fd, data, shown)
  }

  let handle: FileHandle | undefined
  try {
    handle = target.stat?.isFIFO()
      ? await openFifo(target.target)
      : await open(target.target, constants.O_WRONLY | constants.O_NOCTTY | constants.O_TRUNC)
    await writeAll(handle, data)
    // A regular file behind a descriptor alias is synced; pipes and terminals refuse, harmlessly.
    await handle.sync().catch(() => {})
  } catch (error) {
    if (error instanceof MqctlError) throw error
    throw fileError(shown, error, 'write')
  } finally {
    await handle?.close().catch(() => {})
  }
}

/** Writes to one of this process's descriptors; stdout and stderr through their streams, so output stays in order. */
async function writeToDescriptor(fd: number, data: Buffer, shown: string): Promise<void> {
  const stream = fd === 1 ? process.stdout : fd === 2 ? process.stderr : undefined
  try {
    if (stream) {
      await new Promise<void>((resolve, reject) => stream.write(data, (error) => (error ? reject(error) : resolve())))
      return
    }

    let done = 0
    while (done < data.length) {
      try {
        done += writeSync(fd, data, done, data.length - done)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error
        await sleep(5)
      }
    }
  } catch (error) {
    throw fileError(shown, error, 'write')
  }
}
