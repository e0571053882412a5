import {readFileSync} from 'node:fs'

import type {AclCheckInput} from '../lib/acl/check-output.js'

/**
 * `acl lint FILE`, `acl check FILE` and `config lint FILE` without oclif: linting a small file in CI or an editor
 * hook should cost about what starting node costs. It takes the commands' own flags, --json and
 * `-` for standard input; anything else (--help, an unknown flag or value, a flag given twice,
 * `--`) returns undefined and oclif answers. Both paths print the lines of one function
 * (aclLintOutput, confLintOutput); test/cli/lint.test.ts compares them byte for byte.
 */
interface LintInvocation {
  kind: 'acl' | 'config'
  file: string
  json: boolean
  flags: Map<string, string | boolean>
}

const VALUES: Record<string, Record<string, readonly string[] | null>> = {
  acl: {passwd: null, format: ['text', 'json', 'sarif']},
  config: {format: ['text', 'json', 'sarif'], target: ['2.0', '2.1']},
}

/**
 * The words after `<kind> <command>`: one file (or `-`), switches given once, and `--name value` /
 * `--name=value` for the names in `values` (with their allowed values, or null for any). Anything
 * else (an unknown flag, a repeat, a missing value) is undefined: oclif judges it, in its words.
 */
function parseSimple(
  args: readonly string[],
  values: Record<string, readonly string[] | null>,
  switchNames: readonly string[],
): {file: string; values: Map<string, string>; switches: Set<string>} | undefined {
  const given = new Map<string, string>()
  const switches = new Set<string>()
  let file: string | undefined
  for (let i = 2; i < args.length; i++) {
    const word = args[i]
    if (!word.startsWith('-') || word === '-') {
      if (file !== undefined) return undefined
      file = word
      continue
    }

    if (switchNames.includes(word)) {
      if (switches.has(word)) return undefined
      switches.add(word)
      continue
    }

    const eq = word.indexOf('=')
    const name = word.startsWith('--') ? (eq > 0 ? word.slice(2, eq) : word.slice(2)) : undefined
    if (name === undefined || !(name in values) || given.has(name)) return undefined
    const value = eq > 0 ? word.slice(eq + 1) : args[++i]
    if (value === undefined || value === '' || (eq < 0 && value.startsWith('-'))) return undefined
    const allowed = values[name]
    if (allowed && !allowed.includes(value)) return undefined
    given.set(name, value)
  }

  return file === undefined ? undefined : {file, values: given, switches}
}

export function parseFastLint(args: readonly string[]): LintInvocation | undefined {
  const kind = args[0]
  if ((kind !== 'acl' && kind !== 'config') || args[1] !== 'lint') return undefined
  const fileChecks = kind === 'config' ? ['--file-checks', '--no-file-checks'] : []
  const parsed = parseSimple(args, VALUES[kind], ['--json', ...fileChecks])
  if (!parsed) return undefined
  const flags = new Map<string, string | boolean>(parsed.values)
  const on = parsed.switches.has('--file-checks')
  const off = parsed.switches.has('--no-file-checks')
  if (on && off) return undefined
  if (on || off) flags.set('file-checks', on)
  return {kind, file: parsed.file, json: parsed.switches.has('--json'), flags}
}

const CHECK_VALUES: Record<string, readonly string[] | null> = {
  user: null,
  'client-id': null,
  topic: null,
  access: ['read', 'write'],
}

/** `acl check FILE` with its own flags; undefined for anything oclif must judge (as parseFastLint). */
export function parseFastCheck(args: readonly string[]): (AclCheckInput & {json: boolean}) | undefined {
  if (args[0] !== 'acl' || args[1] !== 'check') return undefined
  const parsed = parseSimple(args, CHECK_VALUES, ['--json', '--anonymous', '--explain'])
  if (!parsed) return undefined
  const {file, values, switches} = parsed
  const anonymous = switches.has('--anonymous')
  const topic = values.get('topic')
  const access = values.get('access') as 'read' | 'write' | undefined
  // Missing required flags and --user with --anonymous are oclif's errors, in oclif's words.
  if (topic === undefined || access === undefined) return undefined
  if (anonymous && values.has('user')) return undefined
  return {
    file,
    user: values.get('user'),
    anonymous,
    clientId: values.get('client-id') ?? 'mqctl-check',
    topic,
    access,
    explain: switches.has('--explain'),
    json: switches.has('--json'),
  }
}

async function fastCheck(input: AclCheckInput & {json: boolean}): Promise<number> {
  try {
    const {aclCheckOutput} = await import('../lib/acl/check-output.js')
    const {allowed, result, lines} = await aclCheckOutput(input)
    process.stdout.write(input.json ? JSON.stringify(result, null, 2) + '\n' : lines.map((l) => l + '\n').join(''))
    return allowed ? 0 : 1
  } catch (error) {
    const {renderError, toMqctlError} = await import('../base/render-error.js')
    const e = toMqctlError(error)
    renderError(e, input.json)
    return e.exit
  }
}

export async function fastLint(args: readonly string[], binUrl: string): Promise<number | undefined> {
  const check = parseFastCheck(args)
  if (check) return fastCheck(check)
  const invocation = parseFastLint(args)
  if (!invocation) return undefined
  const {kind, file, json, flags} = invocation
  let io: {progress(text: string | undefined): void} | undefined
  try {
    const version = (JSON.parse(readFileSync(new URL('../package.json', binUrl), 'utf8')) as {version: string}).version
    // Colour as every command decides it (base/io.ts); chalk loads only for a terminal.
    const {ProcessIO, stdoutColour} = await import('../base/io.js')
    const colour = await stdoutColour()
    // A large lint on a terminal gets the commands' progress line, drawn by the same I/O.
    io = new ProcessIO(json)
    const {delayedProgress} = await import('../lib/io.js')
    const what = kind === 'acl' ? 'rules' : 'options'
    const onProgress = delayedProgress(io, (done, total) => `checking ${what} ${done}/${total}`)
    const given = flags.get('format') as string | undefined
    let errors: number
    let lines: string[]
    if (kind === 'acl') {
      // The command's own check, with its code and wording (the error module is loaded on failure only).
      if (json && given !== undefined && given !== 'json') {
        const {MqctlError} = await import('../lib/errors.js')
        throw new MqctlError('USAGE_FORMAT', `--json and --format ${given} conflict: give one of them`)
      }

      const {aclLintOutput} = await import('../lib/acl/lint-output.js')
      const passwd = flags.get('passwd') as string | undefined
      const format = json ? 'json' : (given ?? 'text')
      const out = await aclLintOutput(file, {passwd, format, version, colour, onProgress})
      errors = out.report.errors
      lines = out.lines
    } else {
      const {confLintOutput} = await import('../lib/conf/lint-run.js')
      const target = ((flags.get('target') as string | undefined) ?? '2.0') as '2.0' | '2.1'
      const fileChecks = (flags.get('file-checks') as boolean | undefined) ?? true
      const format = json ? 'json' : (given ?? 'text')
      const out = await confLintOutput(file, {target, fileChecks, format, version, colour, onProgress})
      errors = out.report.errors
      lines = out.lines
    }

    io.progress(undefined)
    process.stdout.write(lines.map((l) => (l.endsWith('\n') ? l : l + '\n')).join(''))
    return errors > 0 ? 1 : 0
  } catch (error) {
    io?.progress(undefined)
    // Loaded on failure only: rendering pulls in the colour palette (chalk), which costs start-up time.
    const {renderError, toMqctlError} = await import('../base/render-error.js')
    const e = toMqctlError(error)
    renderError(e, json)
    return e.exit
  }
}
