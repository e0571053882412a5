import {existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'

import {fail, readJson} from './metadata.js'
import {generate} from './pages.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')


export function main() {
  let options
  try {
    options = parseArgs({
      options: {
        check: {type: 'boolean', default: false},
        out: {type: 'string'},
        manifest: {type: 'string'},
        help: {type: 'boolean', short: 'h', default: false},
      },
      strict: true,
    }).values
  } catch (error) {
    fail(`${(error as Error).message}\nusage: node scripts/man.js [--check] [--out DIR] [--manifest FILE]`)
  }

  if (options.help) {
    process.stdout.write('usage: node scripts/man.js [--check] [--out DIR] [--manifest FILE]\n')
    return
  }

  const manifest = readJson(
    options.manifest ? resolve(options.manifest) : join(root, 'oclif.manifest.json'),
    'the manifest',
  )
  const pkg = readJson(join(root, 'package.json'), 'package.json')
  const {pages, ctx} = generate(manifest, pkg)
  const outDir = options.out ? resolve(options.out) : join(root, 'man', 'man1')
  const shown = (file: string) => relative(process.cwd(), join(outDir, file)) || file
  const ours = (file: string) => file === `${ctx.bin}.1` || (file.startsWith(`${ctx.bin}-`) && file.endsWith('.1'))
  const existing = existsSync(outDir) ? readdirSync(outDir).sort() : []

  if (options.check) {
    const problems = []
    for (const [file, content] of pages) {
      const path = join(outDir, file)
      if (!existsSync(path)) problems.push(`${shown(file)}: missing`)
      else if (readFileSync(path, 'utf8') !== content)
        problems.push(`${shown(file)}: differs from the command metadata`)
    }

    for (const file of existing) {
      if (!pages.has(file))
        problems.push(`${shown(file)}: ${ours(file) ? 'no such command any more' : 'not a generated page'}`)
    }

    if (problems.length > 0) {
      process.stderr.write(
        `man pages are stale:\n${problems.map((p) => `  ${p}\n`).join('')}run \`npm run build && npm run man\` to regenerate them.\n`,
      )
      process.exit(1)
    }

    process.stdout.write(
      `man pages are up to date (${pages.size} pages in ${relative(process.cwd(), outDir) || '.'}).\n`,
    )
    return
  }

  mkdirSync(outDir, {recursive: true})
  for (const file of existing) {
    if (pages.has(file)) continue
    if (ours(file)) {
      rmSync(join(outDir, file))
      process.stdout.write(`removed ${shown(file)}\n`)
    } else process.stderr.write(`man: warning: ${shown(file)} is not a generated page\n`)
  }

  let written = 0
  for (const [file, content] of pages) {
    const path = join(outDir, file)
    if (existsSync(path) && readFileSync(path, 'utf8') === content) continue
    writeFileSync(path, content)
    written++
  }

  process.stdout.write(`${pages.size} man pages in ${relative(process.cwd(), outDir) || '.'} (${written} written).\n`)
  if (!options.out) listPagesInPackage(join(root, 'package.json'), [...pages.keys()])
}

/** npm installs man pages only from package.json's `man` list: keep it equal to the generated pages. */
function listPagesInPackage(packagePath: string, files: string[]): void {
  const text = readFileSync(packagePath, 'utf8')
  const pkg = JSON.parse(text) as Record<string, unknown>
  const man = files.sort().map((f) => `./man/man1/${f}`)
  if (JSON.stringify(pkg.man) === JSON.stringify(man)) return
  pkg.man = man
  writeFileSync(packagePath, `${JSON.stringify(pkg, null, 2)}\n`)
  process.stdout.write('package.json "man" updated.\n')
}
