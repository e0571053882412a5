import {readFileSync} from 'node:fs'

import {canPrompt} from '../base/prompt.js'
import {createIO, prepareColour} from '../base/io.js'
import {renderError, toMqctlError} from '../base/render-error.js'
import {runApply, runExport, runPlan} from '../base/dynsec-policy-run.js'

/**
 * `dynsec plan`, `apply` and `export` without oclif, for one broker or one -f file (the common
 * case, and what CI runs): the entry of dist/bundle/policy.cjs. The commands' bodies are shared
 * (src/base/dynsec-policy-run.ts); only the parse is this file's, and its flag table is the
 * commands' own, taken from oclif.manifest.json (inlined by scripts/build.js). Whatever it does
 * not parse exactly as oclif would (--help, an unknown flag, a flag given twice, `--`, a value
 * that starts with "-", fleets, the confirmation of deletions on a terminal) returns undefined
 * and oclif answers. test/cli/policy.test.ts compares both paths byte for byte.
 */

export interface PolicyFlag {
  type: 'boolean' | 'option'
  char?: string
  multiple?: boolean
  options?: string[]
  default?: unknown
  exclusive?: string[]
}

export interface PolicyCommandTable {
  flags: Record<string, PolicyFlag>
  args: Array<{name: string; required?: boolean}>
}

export const POLICY_COMMANDS = ['plan', 'apply', 'export'] as const
export type PolicyCommand = (typeof POLICY_COMMANDS)[number]
export type PolicyTables = Record<PolicyCommand, PolicyCommandTable>

interface ManifestCommand {
  flags: Record<string, PolicyFlag & Record<string, unknown>>
  args: Record<string, {name: string; required?: boolean}>
}

/** The three commands' flags and arguments as oclif.manifest.json gives them (what the parse needs). */
export function policyTables(manifest: {commands: Record<string, ManifestCommand>}): PolicyTables {
  const table = (c: ManifestCommand): PolicyCommandTable => ({
    flags: Object.fromEntries(
      Object.entries(c.flags).map(([name, f]) => {
        const keep: PolicyFlag = {type: f.type}
        for (const k of ['char', 'multiple', 'options', 'default', 'exclusive'] as const)
          if (f[k] !== undefined) (keep as unknown as Record<string, unknown>)[k] = f[k]
        return [name, keep]
      }),
    ),
    args: Object.values(c.args).map((a) => ({name: a.name, ...(a.required ? {required: true} : {})})),
  })
  return Object.fromEntries(POLICY_COMMANDS.map((c) => [c, table(manifest.commands[`dynsec:${c}`])])) as PolicyTables
}

// Inlined by scripts/build.js into dist/bundle/policy.cjs; from dist/ the manifest is read.
declare const __MQCTL_POLICY_TABLES__: PolicyTables | undefined

function tables(): PolicyTables {
  if (typeof __MQCTL_POLICY_TABLES__ !== 'undefined') return __MQCTL_POLICY_TABLES__
  return policyTables(JSON.parse(readFileSync(new URL('../../oclif.manifest.json', import.meta.url), 'utf8')))
}

export interface PolicyInvocation {
  command: PolicyCommand
  /** The POLICY argument (plan, apply). */
  policy?: string
  /** As oclif's parse gives them: absent flags left out, defaults filled in, multiple flags as arrays. */
  flags: Record<string, unknown>
}

/** Reads `dynsec plan|apply|export …` after the argv rewrite; undefined when oclif must handle it. */
export function parsePolicyInvocation(
  args: readonly string[],
  all: PolicyTables,
  interactive = canPrompt(),
): PolicyInvocation | undefined {
  if (args[0] !== 'dynsec' || !(POLICY_COMMANDS as readonly string[]).includes(args[1])) return undefined
  const command = args[1] as PolicyCommand
  const table = all[command]
  const byChar = new Map<string, string>()
  for (const [name, f] of Object.entries(table.flags)) if (f.char) byChar.set(f.char, name)
  const flags: Record<string, unknown> = {}
  const positional: string[] = []
  // oclif gives the words after a flag that takes several values (--profile a b) to that flag,
  // until the next flag that takes a value.
  let greedy = false
  for (let i = 2; i < args.length; i++) {
    const word = args[i]
    if (word === '') return undefined
    if (!word.startsWith('-') || word === '-') {
      if (greedy) return undefined
      positional.push(word)
      continue
    }

    let name: string | undefined
    let inline: string | undefined
    if (word.startsWith('--')) {
      const eq = word.indexOf('=')
      name = eq > 0 ? word.slice(2, eq) : word.slice(2)
      inline = eq > 0 ? word.slice(eq + 1) : undefined
    } else if (word.length === 2) name = byChar.get(word[1])

    const flag = name ? table.flags[name] : undefined
    if (!name || !flag || !Object.hasOwn(table.flags, name)) return undefined
    if (name in flags && !flag.multiple) return undefined
    if (flag.type === 'boolean') {
      if (inline !== undefined) return undefined
      flags[name] = true
      continue
    }

    greedy = Boolean(flag.multiple)
    const value = inline ?? args[++i]
    if (value === undefined || value === '' || (inline === undefined && value.startsWith('-'))) return undefined
    if (flag.options && !flag.options.includes(value)) return undefined
    flags[name] = flag.multiple ? [...((flags[name] as string[] | undefined) ?? []), value] : value
  }

  if (positional.length > table.args.length) return undefined
  if (table.args.some((a, i) => a.required && positional[i] === undefined)) return undefined
  for (const name of Object.keys(flags)) if (table.flags[name].exclusive?.some((x) => x in flags)) return undefined
  for (const [name, f] of Object.entries(table.flags))
    if (!(name in flags) && f.default !== undefined) flags[name] = f.default
  // Fleets print per-broker rows from parallel runs; a terminal may be asked to confirm deletions.
  if (flags['all-profiles'] || ((flags.profile as string[] | undefined)?.length ?? 0) > 1) return undefined
  if (command === 'apply' && flags.prune && !flags.yes && !flags['dry-run'] && interactive) return undefined
  return {command, policy: positional[0], flags}
}

/** Runs the command when the fast path parses it; returns its exit status, else undefined. */
export async function fastPolicy(args: readonly string[]): Promise<number | undefined> {
  const invocation = parsePolicyInvocation(args, tables())
  if (!invocation) return undefined
  const {command, policy, flags} = invocation
  // As oclif (its command.js): output piped into `head` that closes early is no failure.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error
  })
  await prepareColour()
  const json = flags.json === true
  const io = createIO({json})
  try {
    const run = {io, json}
    const result =
      command === 'export'
        ? await runExport(run, flags)
        : await (command === 'plan' ? runPlan : runApply)(run, policy!, flags)
    // As oclif: the document only when the command returned one.
    if (result && json) io.json(result)
    return typeof process.exitCode === 'number' ? process.exitCode : 0
  } catch (error) {
    io.progress(undefined)
    const status = renderError(toMqctlError(error), io)
    // As oclif's exit after an error: a pending connection attempt must not keep the process.
    process.stderr.write('', () => process.exit(status))
    return status
  }
}
