import {parentPort} from 'node:worker_threads'

import {KEY_BYTES} from './hash.js'
import {hashChunkInto, type HashChunk} from './hash-many.js'

/** Hashes the chunks the main thread hands out until it stops handing them out. */
parentPort!.on('message', (chunk: HashChunk) => {
  const keys = Buffer.alloc(chunk.passwords.length * KEY_BYTES)
  hashChunkInto(chunk, keys, 0)
  parentPort!.postMessage({start: chunk.start, keys}, [keys.buffer])
})
