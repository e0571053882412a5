#!/usr/bin/env node
// Compiles src/ to dist/ and regenerates oclif.manifest.json from the fresh build.
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
