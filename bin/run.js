#!/usr/bin/env node
// Hashing runs on the libuv pool; size it before anything touches the pool.
import {availableParallelism} from 'node:os'
process.env.UV_THREADPOOL_SIZE ??= String(Math.max(4, availableParallelism()))

const {main} = await import('../dist/main.js')
await main(process.argv.slice(2), import.meta.url)
