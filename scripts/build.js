#!/usr/bin/env node
// Compiles src/ to dist/, regenerates oclif.manifest.json from the fresh build, and bundles the
// pre-oclif edge (src/main.ts: --version, passwd, the dynsec fast path, help from the manifest)
// into dist/bundle/ with esbuild: one file per path instead of dozens is most of its start-up.
// The old manifest is removed first: oclif trusts a manifest it finds, so a stale one
// would hide commands added since it was written.
import {execFileSync} from 'node:child_process'
import {rmSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const bin = (name) => join(root, 'node_modules', '.bin', name)
const run = (cmd, args) => execFileSync(cmd, args, {cwd: root, stdio: 'inherit'})

rmSync(join(root, 'oclif.manifest.json'), {force: true})
rmSync(join(root, 'dist'), {force: true, recursive: true})
run(bin('tsc'), ['-p', 'tsconfig.json'])
run(bin('oclif'), ['manifest'])

// Our own code only: packages stay external, so oclif, zod and mqtt.js are the same module
// instances for the bundle and for the commands oclif loads from dist/commands. CommonJS on
// purpose: an ES module entry starts node's ESM loader (~10 ms), and in a CommonJS bundle each
// module, and the packages it imports, is initialised only when a path first reaches it.
const {build} = await import('esbuild')
const common = {absWorkingDir: root, bundle: true, platform: 'node', target: 'node20', packages: 'external'}
await build({
  ...common,
  entryPoints: {main: 'src/main.ts'},
  outdir: 'dist/bundle',
  outExtension: {'.js': '.cjs'},
  format: 'cjs',
  minifySyntax: true,
  define: {'import.meta.url': '__bundleUrl'},
  banner: {js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;"},
  logLevel: 'warning',
})
// passwd -U's worker, beside the bundle where hash-many.ts looks for it.
await build({
  ...common,
  entryPoints: {'hash-worker': 'src/lib/passwd/hash-worker.ts'},
  outdir: 'dist/bundle',
  format: 'esm',
  logLevel: 'warning',
})
