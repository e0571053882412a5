import {pbkdf2Sync} from 'node:crypto'
import {parentPort} from 'node:worker_threads'

import {KEY_BYTES} from './hash.js'
import type {HashChunk} from './hash-many.js'

/** Hashes the chunks the main thread hands out until it stops handing them out. */
parentPort!.on('message', (chunk: HashChunk) => {
  const keys = Buffer.alloc(chunk.passwords.length * KEY_BYTES)
  for (const [i, password] of chunk.passwords.entries()) {
    pbkdf2Sync(password, chunk.salts.subarray(i * chunk.saltBytes, (i + 1) * chunk.saltBytes), chunk.iterations, KEY_BYTES, 'sha512').copy(keys, i * KEY_BYTES)
  }

  parentPort!.postMessage({start: chunk.start, keys}, [keys.buffer])
})
