#!/bin/sh
':' //; if [ -n "$NODE_EXTRA_CA_CERTS" ] && [ -z "$NODE_OPTIONS$NODE_USE_SYSTEM_CA" ]; then MQCTL_NODE_EXTRA_CA_CERTS=$NODE_EXTRA_CA_CERTS; export MQCTL_NODE_EXTRA_CA_CERTS; unset NODE_EXTRA_CA_CERTS; fi; exec node "$0" "$@"
// The built entry point: a shell line, then JavaScript (to node, line 2 is a string and a comment).
// Run as a program, sh takes NODE_EXTRA_CA_CERTS from the environment before starting node: node
// 20 parses that file and its whole bundled CA store at start-up, ~50 ms on every run for
// commands that mostly never use TLS; lib/connection/transport.ts adds those certificates when a
// TLS connection uses the system store (node's own store is never used). `node bin/run.js` skips
// the shell line and node loads them as well. CommonJS (bin/package.json), with a CommonJS bundle: an ES module entry costs
// node's ESM loader, ~10 ms a run. The bundle is compiled with V8's code cache (dist/bundle/cache,
// one file per build, node version and architecture); a missing, stale or rejected cache only
// means compiling from source, and the cache is then written for the next run when it can be.
const fs = require('node:fs')
const {mkdirSync, readFileSync, renameSync, rmSync, writeFileSync} = fs
const {basename, dirname, join} = require('node:path')

const BUNDLE = join(__dirname, '..', 'dist', 'bundle', 'main.cjs')

/** The bundle's exports, compiled through the code cache when the build marked the bundle for it. */
function loadBundle(bundle = BUNDLE) {
  const source = readFileSync(bundle, 'utf8')
  const id = /^\/\/ mqctl-build ([0-9a-f]{16,64})\n/.exec(source)
  if (!id) return require(bundle)
  const name = basename(bundle, '.cjs')
  const cacheFile = join(dirname(bundle), 'cache', `${name}-${id[1]}-${process.version}-${process.arch}.bin`)
  // V8 runs a cache's bytecode as it is: only a cache its owner or the bundle's could have
  // written is read or replaced (see trusted).
  const owners = new Set([fs.statSync(bundle).uid, process.getuid?.()])
  let cachedData
  try {
    cachedData = unframe(readTrusted(cacheFile, owners))
  } catch {
    // none yet: compiled from source below, and saved at exit
  }

  const {Script} = require('node:vm')
  const {createRequire} = require('node:module')
  const head = '(function (exports, require, module, __filename, __dirname, __mqctlImport) {'
  const script = new Script(`${head}${source}\n})`, {filename: bundle, cachedData})
  const module = {exports: {}}
  // import() from code read out of a code cache has no loader in node 20: the bundle's dynamic
  // imports (oclif, yaml, node:tls…) go through this one, which resolves from bin/ as from dist/.
  const load = (specifier) => import(specifier)
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle), load)
  if (cachedData === undefined || script.cachedDataRejected) {
    process.once('exit', () => saveCache(script, cacheFile, owners))
  }

  return module.exports
}

/** Writes the code cache once the run is over (it then holds the functions the run compiled). */
function saveCache(script, file, owners) {
  const tmp = `${file}.${process.pid}.tmp`
  try {
    mkdirSync(dirname(file), {recursive: true, mode: 0o755})
    if (!trusted(fs.lstatSync(dirname(file)), owners)) return
    // Only a regular file (or none) is replaced: a FIFO or device someone made there stays.
    const old = fs.lstatSync(file, {throwIfNoEntry: false})
    if (old && !old.isFile()) return
    // 'wx': never through a link or a file someone else put under this name.
    writeFileSync(tmp, frame(script.createCachedData()), {flag: 'wx', mode: 0o644})
    renameSync(tmp, file)
  } catch {
    // a read-only install: every run compiles from source, as without a cache
    try {
      rmSync(tmp, {force: true})
    } catch {
      // nothing was written
    }
  }
}

/**
 * Whether a cache file or its directory can only have been written by `owners` (the user running,
 * the bundle's owner): not a link, owned by one of them, writable by no group or other user. A
 * cache in a world-writable directory (an install made under umask 0) would run anyone's code.
 */
function trusted(stat, owners) {
  if (process.platform === 'win32') return true
  return !stat.isSymbolicLink() && owners.has(stat.uid) && (stat.mode & 0o022) === 0
}

/** The cache file's bytes when it and its directory are trusted; never blocks on a FIFO. */
function readTrusted(file, owners) {
  if (!trusted(fs.lstatSync(dirname(file)), owners)) return undefined
  const {O_RDONLY, O_NOFOLLOW = 0, O_NONBLOCK = 0} = fs.constants
  const fd = fs.openSync(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK)
  try {
    const stat = fs.fstatSync(fd)
    if (!stat.isFile() || !trusted(stat, owners) || stat.size > 256 * 1024 * 1024) return undefined
    return readFileSync(fd)
  } finally {
    fs.closeSync(fd)
  }
}

// V8 checks a cache's header, not its bytes (node 20 aborts on a cache damaged in place): the
// file is MAGIC, a checksum and the length, then V8's data, which is used only when they agree.
const MAGIC = 0x3143514d // "MQC1"

function checksum(bytes) {
  const words = bytes.length >>> 2
  const view = new Int32Array(bytes.buffer, bytes.byteOffset, words)
  let h = 0x811c9dc5 ^ bytes.length
  for (let i = 0; i < words; i++) h = Math.imul(h ^ view[i], 0x01000193)
  for (let i = words << 2; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193)
  return h >>> 0
}

function frame(data) {
  const file = Buffer.alloc(12 + data.length)
  data.copy(file, 12)
  const body = file.subarray(12)
  file.writeUInt32LE(MAGIC, 0)
  file.writeUInt32LE(checksum(body), 4)
  file.writeUInt32LE(data.length, 8)
  return file
}

/** V8's data out of a cache file, or undefined when the file is not one whole and intact. */
function unframe(file) {
  if (file.length < 12 || file.byteOffset % 4 !== 0 || file.readUInt32LE(0) !== MAGIC) return undefined
  const body = file.subarray(12)
  if (file.readUInt32LE(8) !== body.length || file.readUInt32LE(4) !== checksum(body)) return undefined
  return body
}

// Also for the bundle: src/main.ts loads dist/bundle/oclif.cjs through loadBundle.
module.exports = {loadBundle, frame, unframe, readTrusted}
if (require.main === module)
  loadBundle().main(process.argv.slice(2), require('node:url').pathToFileURL(__filename).href)
