#!/usr/bin/env node
/*
 * Writes the JSON Schemas of every command's --json output into docs/json/, from the zod types
 * in src/lib/output/contracts.ts (read from the build: run `npm run build` first).
 *
 *   npm run schemas            regenerate docs/json/ (files of removed commands are deleted)
 *   node scripts/schemas.js --check   exit 1 and name the stale files
 */
import {existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const built = join(root, 'dist', 'lib', 'output', 'contracts.js')
if (!existsSync(built)) {
  process.stderr.write('schemas: dist/ is missing: run `npm run build` first\n')
  process.exit(1)
}

const {jsonSchemaFiles} = await import(built)
const files = jsonSchemaFiles()
const out = join(root, 'docs', 'json')
const existing = existsSync(out) ? readdirSync(out).filter((f) => f.endsWith('.json')) : []
if (process.argv.includes('--check')) {
  const stale = [
    ...[...files].filter(([f, text]) => !existing.includes(f) || readFileSync(join(out, f), 'utf8') !== text),
    ...existing.filter((f) => !files.has(f)).map((f) => [f]),
  ].map(([f]) => f)
  if (stale.length > 0) {
    process.stderr.write(`docs/json is stale (${stale.join(', ')}): run \`npm run build && npm run schemas\`\n`)
    process.exit(1)
  }
  process.stdout.write(`docs/json is up to date (${files.size} schemas).\n`)
} else {
  mkdirSync(out, {recursive: true})
  for (const f of existing) if (!files.has(f)) rmSync(join(out, f))
  for (const [f, text] of files) writeFileSync(join(out, f), text)
  process.stdout.write(`${files.size} schemas in docs/json.\n`)
}
