import {closeSync, constants, fstatSync, openSync, readSync, type Stats} from 'node:fs'

import {MqctlError, fileError} from '../errors.js'

/**
 * The one way mqctl reads an input file (ACL, conf, password, profile, options, PEM, state):
 * regular files only, bounded in size, `-` for standard input where a command allows it.
 * A FIFO or a device is refused instead of blocking or growing without limit.
 */
export interface InputOptions {
  /** Largest accepted input in bytes. */
  maxBytes?: number
  /** Accept `-` as standard input. */
  allowStdin?: boolean
  /** What the file is, for messages ("ACL file", "CA file"). */
  label?: string
}

export const DEFAULT_MAX_INPUT_BYTES = 64 * 1024 * 1024

export interface InputFile {
  /** The name to show in messages: the path, or `<stdin>`. */
  name: string
  bytes: Buffer
}

const kindOf = (st: Stats): string =>
  st.isFIFO()
    ? 'a FIFO'
    : st.isCharacterDevice()
      ? 'a character device'
      : st.isBlockDevice()
        ? 'a block device'
        : st.isSocket()
          ? 'a socket'
          : st.isDirectory()
            ? 'a directory'
            : 'not a regular file'

export function notRegular(path: string, st: Stats, label = 'file'): MqctlError {
  const kind = kindOf(st)
  return new MqctlError(
    'FILE_NOT_REGULAR',
    `${label} ${path} is ${kind === 'not a regular file' ? kind : `${kind}, not a regular file`}`,
    {
      location: {file: path},
    },
  )
}

export function tooLarge(name: string, maxBytes: number, label = 'file'): MqctlError {
  return new MqctlError('FILE_TOO_LARGE', `${label} ${name} is larger than ${maxBytes} bytes`, {
    location: {file: name},
    hint: 'mqctl refuses runaway inputs; split the file or check that it is the right one',
  })
}

/**
 * Reads at most maxBytes + 1 bytes from fd so a lying size (/proc, a growing file) stays bounded.
 * The first buffer fits the size fstat gave (a CA store reads ~150 files of 2 KB: a 1 MiB buffer
 * each cost more in garbage collection than the reading).
 */
function readBounded(fd: number, name: string, maxBytes: number, label: string, sizeHint?: number): Buffer {
  const chunks: Buffer[] = []
  let total = 0
  for (;;) {
    // …and the read that finds the end takes a small one; a file that grows past its size gets 1 MiB reads.
    const want =
      sizeHint === undefined
        ? 1024 * 1024
        : total === 0
          ? Math.max(sizeHint + 1, 4096)
          : total <= sizeHint
            ? 4096
            : 1024 * 1024
    const chunk = Buffer.allocUnsafe(Math.min(want, 1024 * 1024, maxBytes + 1 - total))
    let n: number
    try {
      n = readSync(fd, chunk, 0, chunk.length, null)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') {
        // A non-blocking stdin (a terminal or an empty pipe): wait briefly rather than spin.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10)
        continue
      }

      throw fileError(name, error)
    }

    if (n === 0) break
    total += n
    if (total > maxBytes) throw tooLarge(name, maxBytes, label)
    chunks.push(chunk.subarray(0, n))
  }

  return Buffer.concat(chunks, total)
}

/** Reads a whole input file, checked and bounded (see InputOptions). Synchronous on purpose: inputs are small. */
export function readInputFile(path: string, options: InputOptions = {}): InputFile {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_INPUT_BYTES
  const label = options.label ?? 'file'
  if (path === '-' && options.allowStdin) {
    return {name: '<stdin>', bytes: readBounded(0, '<stdin>', maxBytes, label)}
  }

  let fd: number
  try {
    // O_NONBLOCK: opening a FIFO with no writer must not hang before the check below.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY)
  } catch (error) {
    throw fileError(path, error)
  }

  try {
    const st = fstatSync(fd)
    if (!st.isFile()) throw notRegular(path, st, label)
    if (st.size > maxBytes) throw tooLarge(path, maxBytes, label)
    return {name: path, bytes: readBounded(fd, path, maxBytes, label, st.size)}
  } finally {
    closeSync(fd)
  }
}

/** readInputFile as UTF-8 text (invalid sequences become U+FFFD; parsers that care read bytes). */
export function readInputText(path: string, options: InputOptions = {}): {name: string; text: string} {
  const {name, bytes} = readInputFile(path, options)
  return {name, text: bytes.toString('utf8')}
}
