import {readFileSync} from 'node:fs'

/**
 * `config lint FILE` with its own flags, without oclif: linting a small
 * file in CI or an editor hook should cost about what starting node costs. Anything else
 * (--json, --help, `-` for stdin, an unknown flag or value) returns undefined and oclif answers;
 * test/cli/lint.test.ts compares both paths.
 */
interface LintInvocation {
  kind: 'acl' | 'config'
  file: string
  flags: Map<string, string | boolean>
}

const VALUES: Record<string, Record<string, readonly string[] | null>> = {
  acl: {passwd: null, format: ['text', 'json', 'sarif']},
  config: {format: ['text', 'json', 'sarif'], target: ['2.0', '2.1']},
}

export function parseFastLint(args: readonly string[]): LintInvocation | undefined {
  const kind = args[0]
  // acl lint has grown output of its own (omitted findings): oclif answers it.
  if (kind !== 'config' || args[1] !== 'lint') return undefined
  const known = VALUES[kind]
  const flags = new Map<string, string | boolean>()
  let file: string | undefined
  for (let i = 2; i < args.length; i++) {
    const word = args[i]
    if (!word.startsWith('-')) {
      if (file !== undefined) return undefined
      file = word
      continue
    }

    if (kind === 'config' && (word === '--file-checks' || word === '--no-file-checks')) {
      flags.set('file-checks', word === '--file-checks')
      continue
    }

    const eq = word.indexOf('=')
    const name = word.startsWith('--') ? (eq > 0 ? word.slice(2, eq) : word.slice(2)) : undefined
    if (name === undefined || !(name in known) || flags.has(name)) return undefined
    const value = eq > 0 ? word.slice(eq + 1) : args[++i]
    if (value === undefined || value === '' || (eq < 0 && value.startsWith('-'))) return undefined
    const allowed = known[name]
    if (allowed && !allowed.includes(value)) return undefined
    flags.set(name, value)
  }

  return file === undefined ? undefined : {kind, file, flags}
}

export async function fastLint(args: readonly string[], binUrl: string): Promise<number | undefined> {
  const invocation = parseFastLint(args)
  if (!invocation) return undefined
  const {file, flags} = invocation
  try {
    const version = (JSON.parse(readFileSync(new URL('../package.json', binUrl), 'utf8')) as {version: string}).version
    const format = (flags.get('format') as string | undefined) ?? 'text'
    let errors: number
    let lines: string[]
    {
      const {confLintOutput} = await import('../lib/conf/lint-run.js')
      const target = ((flags.get('target') as string | undefined) ?? '2.0') as '2.0' | '2.1'
      const fileChecks = (flags.get('file-checks') as boolean | undefined) ?? true
      // Colour as every command decides it (base/io.ts); chalk loads only for a terminal.
      const {stdoutColour} = await import('../base/io.js')
      const out = await confLintOutput(file, {target, fileChecks, format, version, colour: await stdoutColour()})
      errors = out.report.errors
      lines = out.lines
    }

    process.stdout.write(lines.map((l) => (l.endsWith('\n') ? l : l + '\n')).join(''))
    return errors > 0 ? 1 : 0
  } catch (error) {
    // Loaded on failure only: rendering pulls in the colour palette (chalk), which costs start-up time.
    const {renderError, toMqctlError} = await import('../base/render-error.js')
    const e = toMqctlError(error)
    renderError(e, false)
    return e.exit
  }
}
