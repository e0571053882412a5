import {pbkdf2Sync} from 'node:crypto'
import {existsSync} from 'node:fs'
import {availableParallelism} from 'node:os'
import {setImmediate as yieldToEvents} from 'node:timers/promises'
import {fileURLToPath} from 'node:url'
import {Worker} from 'node:worker_threads'

import {KEY_BYTES, encodePbkdf2, freshSalt, hashPassword, type HashParams} from './hash.js'

export interface HashChunk {
  start: number
  passwords: Buffer[]
  salts: Buffer
  saltBytes: number
  iterations: number
}

/** The `$7$` keys of a chunk, written into `into` from key number `at` on; main thread and workers alike. */
export function hashChunkInto(chunk: HashChunk, into: Buffer, at: number): void {
  const {passwords, salts, saltBytes, iterations} = chunk
  for (const [i, password] of passwords.entries()) {
    pbkdf2Sync(password, salts.subarray(i * saltBytes, (i + 1) * saltBytes), iterations, KEY_BYTES, 'sha512').copy(
      into,
      (at + i) * KEY_BYTES,
    )
  }
}

/** Below this much work (hashes × iterations) starting threads costs more than it saves. */
const PARALLEL_WORK = 200_000
/** Hashes per hand-out: small enough to balance the threads, large enough to keep messages rare. */
const CHUNK = 128
/** The compiled worker beside this module; absent when this runs from the TypeScript sources. */
const WORKER = new URL('hash-worker.js', import.meta.url)

/**
 * Hashes many passwords (`-U` on a large file) on every core. The main thread hashes too,
 * synchronously, and the workers take chunks as they finish, so a slow worker start costs
 * nothing. Per-hash promises on the libuv pool were measured to spend as much main-thread time
 * on callbacks and garbage as the hashing itself.
 */
export async function hashMany(
  passwords: readonly Buffer[],
  params: HashParams,
  /** Told how many hashes are done, now and then (for a progress line on a terminal). */
  onProgress?: (done: number, total: number) => void,
): Promise<string[]> {
  let finished = 0
  const progress = (n: number) => {
    finished += n
    onProgress?.(finished, passwords.length)
  }

  const workerCount = Math.min(availableParallelism() - 1, Math.ceil(passwords.length / CHUNK) - 1)
  if (
    params.type !== 'sha512-pbkdf2' ||
    passwords.length * params.iterations < PARALLEL_WORK ||
    workerCount < 1 ||
    !existsSync(fileURLToPath(WORKER))
  ) {
    return Promise.all(
      passwords.map(async (p) => {
        const hash = await hashPassword(p, params)
        progress(1)
        return hash
      }),
    )
  }

  const {saltBytes, iterations} = params
  const salts = freshSalt(passwords.length * saltBytes)
  const keys = Buffer.alloc(passwords.length * KEY_BYTES)
  let next = 0
  const take = (): HashChunk | undefined => {
    if (next >= passwords.length) return undefined
    const start = next
    next = Math.min(passwords.length, next + CHUNK)
    return {
      start,
      passwords: passwords.slice(start, next),
      salts: salts.subarray(start * saltBytes, next * saltBytes),
      saltBytes,
      iterations,
    }
  }

  const threads = Array.from({length: workerCount}, () => new Worker(WORKER))
  try {
    const done = Promise.all(threads.map((worker) => feedWorker(worker, take, keys, progress)))
    done.catch(() => {}) // awaited below; a worker failing early must not be an unhandled rejection
    for (let chunk = take(); chunk; chunk = take()) {
      hashChunkInto(chunk, keys, chunk.start)
      progress(chunk.passwords.length)
      await yieldToEvents() // let the workers' results in and hand them their next chunk
    }

    await done
  } finally {
    await Promise.all(threads.map((worker) => worker.terminate()))
  }

  return passwords.map((_, i) =>
    encodePbkdf2(
      iterations,
      salts.subarray(i * saltBytes, (i + 1) * saltBytes),
      keys.subarray(i * KEY_BYTES, (i + 1) * KEY_BYTES),
    ),
  )
}

/**
 * Hands `worker` chunks until none are left; resolves when it has returned its last one. Two
 * are kept in flight, because the main thread answers only between its own chunks and a
 * worker with nothing queued would sit idle until then.
 */
function feedWorker(
  worker: Worker,
  take: () => HashChunk | undefined,
  keys: Buffer,
  progress: (n: number) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let inFlight = 0
    const handOut = () => {
      const chunk = take()
      if (chunk) {
        inFlight++
        worker.postMessage(chunk)
      } else if (inFlight === 0) resolve()
    }

    worker.on('message', ({start, keys: got}: {start: number; keys: Uint8Array}) => {
      inFlight--
      keys.set(got, start * KEY_BYTES)
      progress(got.length / KEY_BYTES)
      handOut()
    })
    worker.once('error', reject)
    worker.once('exit', (code) => reject(new Error(`hash worker exited with code ${code}`)))
    worker.once('online', () => {
      handOut()
      handOut()
    })
  })
}
