import {fleetExit, fleetRows, planPaint, runFleet} from './dynsec-code.js'
import {fleetTargets, isFleet, openTarget} from './dynsec-fleet-targets.js'
import type {ApplyResult} from '../lib/dynsec/apply.js'
import type {PlanStep} from '../lib/dynsec/plan.js'
import type {IO} from '../lib/io.js'
import {escapeForLine} from '../lib/output/escape.js'

/**
 * The bodies of `dynsec plan`, `apply` and `export`, without oclif: the commands call them with
 * oclif's parsed flags, the fast path (src/cli/policy.ts) with its own parse of the same flag
 * table. What they return is the --json document (undefined: none); exit statuses other than
 * errors go to process.exitCode, as in any command.
 */
export interface PolicyRun {
  io: IO
  json: boolean
}

type Flags = Record<string, unknown>

export async function runPlan({io, json}: PolicyRun, policyPath: string, flags: Flags): Promise<unknown> {
  const {loadPolicy, passwordSources, planPolicy} = await import('../lib/dynsec/apply.js')
  const {formatPlan, planJson, planSummaryText} = await import('../lib/dynsec/plan-format.js')
  const {summarize, summaryLine} = await import('../lib/dynsec/plan.js')
  const {policy, name} = await loadPolicy(policyPath)
  const sources = passwordSources(policy, name, undefined, (m) => io.warn(m))
  const planOne = async (f: Flags) => {
    const {backend, target} = await openTarget(f)
    try {
      const {steps} = await planPolicy(backend, policy, {prune: flags.prune as boolean, passwords: sources})
      return {target, steps, summary: summarize(steps)}
    } finally {
      await backend.close()
    }
  }

  const {verdictOf} = await import('../lib/output/verdict.js')
  // The shared verdict field (lib/output/verdict.ts): "allow" = the target matches the policy.
  const asJson = (r: Awaited<ReturnType<typeof planOne>>) => ({
    verdict: verdictOf(r.steps.length === 0),
    target: r.target,
    changes: r.steps.length > 0,
    summary: r.summary,
    commands: planJson(r.steps),
  })

  if (!isFleet(flags)) {
    const result = await planOne((await fleetTargets(flags))[0])
    if (flags['exit-code'] && result.steps.length > 0) process.exitCode = 6
    if (json) return asJson(result)
    if (result.steps.length === 0) {
      io.out(`No changes: ${result.target} matches ${name}.`)
      return undefined
    }

    // One write: a plan of thousands of lines costs a write each otherwise.
    io.out([...formatPlan(result.steps, planPaint(io)), '', planSummaryText(result.summary)].join('\n'))
    return undefined
  }

  const outcomes = await runFleet(await fleetTargets(flags), planOne)
  process.exitCode = fleetExit(outcomes, (v) => (v as {steps: unknown[]}).steps.length > 0, Boolean(flags['exit-code']))
  if (json) {
    return outcomes.map((o) =>
      o.value ? {profile: o.label, ...asJson(o.value)} : {profile: o.label, error: o.error!.toJSON()},
    )
  }

  const rows = outcomes.map((o): [string, string, string] =>
    o.value
      ? [o.label, o.value.target, o.value.steps.length ? `drifted: ${summaryLine(o.value.summary)}` : 'no changes']
      : [o.label, '-', `failed: ${o.error!.located}`],
  )
  for (const line of fleetRows(rows)) io.out(line)
  return undefined
}

export async function runApply({io, json}: PolicyRun, policyPath: string, flags: Flags): Promise<unknown> {
  const {applyPolicy, loadPolicy, passwordSources} = await import('../lib/dynsec/apply.js')
  const {formatPlan, planJson, planSummaryText} = await import('../lib/dynsec/plan-format.js')
  const {summaryLine} = await import('../lib/dynsec/plan.js')
  const {delayedProgress} = await import('../lib/io.js')
  const doneLine = (s: {add: number; change: number; delete: number}) =>
    `${s.add} added, ${s.change} changed, ${s.delete} deleted`
  const {MqctlError} = await import('../lib/errors.js')
  const {policy, name} = await loadPolicy(policyPath)
  const sources = passwordSources(policy, name, flags.passwords as string | undefined, (m) => io.warn(m))
  const fleet = isFleet(flags)
  const paint = planPaint(io)

  const confirmDeletions = async (steps: PlanStep[]) => {
    if (flags.yes) return
    const count = steps.filter((s) => s.request.command.startsWith('delete')).length
    if (!io.canPrompt() || fleet) {
      throw new MqctlError('USAGE_CONFIRM', `the plan deletes ${count} object(s): give --yes to go ahead`, {
        hint: 'nothing was sent; run "dynsec plan --prune" to review the deletions',
      })
    }

    for (const line of formatPlan(steps, paint)) io.stderr.write(line + '\n')
    const {confirm} = await import('@inquirer/prompts')
    const ok = await confirm({message: `Delete ${count} object(s)?`, default: false}, {output: process.stderr})
    if (!ok) throw new MqctlError('REFUSED_NOT_CONFIRMED', 'not confirmed; nothing was sent')
  }

  const applyOne = async (f: Flags): Promise<ApplyResult> => {
    const opened = await openTarget(f, {allowMissingFile: true})
    const target = {
      backend: opened.backend,
      target: opened.target,
      admin: opened.connection?.username,
      reconnect: opened.connection ? async () => (await openTarget(f)).backend : undefined,
    }
    // The commands' one progress callback, drawn at once (a chunk is a round trip), then 10 times a second.
    const progress = fleet ? undefined : delayedProgress(io, (done, total) => `${done}/${total} commands`, Date.now, 0)
    try {
      const result = await applyPolicy(target, policy, {
        prune: flags.prune as boolean | undefined,
        rotatePasswords: flags['rotate-passwords'] as boolean | undefined,
        force: flags.force as boolean | undefined,
        dryRun: flags['dry-run'] as boolean | undefined,
        passwords: sources,
        auditLog: flags['audit-log'] as string | undefined,
        confirmDeletions,
        onProgress: progress,
      })
      io.progress(undefined)
      return result
    } finally {
      await target.backend.close()
    }
  }

  const resultJson = (r: ApplyResult) => ({
    target: r.target,
    status: r.status,
    summary: r.summary,
    commands:
      r.status === 'applied' || r.status === 'failed'
        ? r.outcomes.map((o) => ({
            command: planJson([o.step])[0].command,
            ...(o.response?.error === undefined ? {ok: true} : {ok: false, error: o.response.error}),
          }))
        : planJson(r.steps),
  })

  const report = (r: ApplyResult): string[] => {
    const lines: string[] = []
    if (r.status === 'unchanged') return [`No changes: ${r.target} already matches ${name}; nothing sent.`]
    // A loop, not push(...): a plan of 200,000 steps would overflow the stack as arguments.
    for (const line of formatPlan(r.steps, paint)) lines.push(line)
    lines.push('')
    if (r.status === 'dry-run') return [...lines, planSummaryText(r.summary), 'Dry run: nothing sent.']
    const ok = r.outcomes.filter((o) => o.response?.error === undefined)
    if (r.status === 'applied') return [...lines, `Applied ${ok.length} commands: ${doneLine(r.summary)}.`]
    return [
      ...lines,
      `Applied ${ok.length} of ${r.outcomes.length} commands (the plugin is not transactional); applied:`,
      ...ok.map((o) => escapeForLine(`  ${o.step.symbol} ${o.step.text}`)),
    ]
  }

  const refusals = (r: ApplyResult) =>
    r.outcomes
      .filter((o) => o.response?.error !== undefined)
      // The object's name and the broker's text are escaped, as in plans and dynsec output.
      .map((o) => escapeForLine(`${o.step.request.command}: Error: ${o.response!.error} (${o.step.object})`))

  if (!fleet) {
    const result = await applyOne((await fleetTargets(flags))[0])
    for (const line of refusals(result)) io.stderr.write(line + '\n')
    if (result.status === 'failed') process.exitCode = 1
    if (json) return resultJson(result)
    io.out(report(result).join('\n')) // one write, not one per line of a large plan
    return undefined
  }

  const outcomes = await runFleet(await fleetTargets(flags), applyOne)
  process.exitCode =
    fleetExit(outcomes, () => false, false) || (outcomes.some((o) => o.value?.status === 'failed') ? 1 : 0)
  if (json) {
    return outcomes.map((o) =>
      o.value ? {profile: o.label, ...resultJson(o.value)} : {profile: o.label, error: o.error!.toJSON()},
    )
  }

  for (const o of outcomes)
    for (const line of o.value ? refusals(o.value) : []) io.stderr.write(`${o.label}: ${line}\n`)
  const rows = outcomes.map((o): [string, string, string] => {
    if (!o.value) return [o.label, '-', `failed: ${o.error!.located}`]
    const r = o.value
    const text =
      r.status === 'unchanged'
        ? 'no changes'
        : r.status === 'dry-run'
          ? `dry run: ${summaryLine(r.summary)}`
          : r.status === 'applied'
            ? `applied: ${doneLine(r.summary)}`
            : `partly applied: ${r.outcomes.filter((x) => x.response?.error !== undefined).length} refused`
    return [o.label, r.target, text]
  })
  for (const line of fleetRows(rows)) io.out(line)
  return undefined
}

export async function runExport({io, json}: PolicyRun, flags: Flags): Promise<unknown> {
  const {MqctlError} = await import('../lib/errors.js')
  const {formatPolicy, stateToPolicy} = await import('../lib/dynsec/policy.js')
  const {readBrokerState} = await import('../lib/dynsec/state/read-broker.js')
  const {writeFileAtomic} = await import('../lib/files/atomic.js')
  if (flags['include-hashes'] && flags.file === undefined) {
    throw new MqctlError(
      'USAGE_INCLUDE_HASHES',
      '--include-hashes needs -f FILE: a broker never reveals password hashes',
    )
  }

  const output = flags.output as string | undefined
  const format = flags.format as 'yaml' | 'json'
  const exportOne = async (f: Flags) => {
    const {backend, target} = await openTarget(f)
    try {
      const state =
        backend.kind === 'file'
          ? (backend as import('../lib/dynsec/file-backend.js').FileBackend).state
          : await readBrokerState(backend)
      const policy = stateToPolicy(state, {includeHashes: flags['include-hashes'] as boolean | undefined})
      return {target, policy, text: await formatPolicy(policy, format)}
    } finally {
      await backend.close()
    }
  }

  if (!isFleet(flags)) {
    const {policy, text} = await exportOne((await fleetTargets(flags))[0])
    if (output !== undefined) await writeFileAtomic(output, text, {mode: 0o600})
    else if (json) return policy
    else io.stdout.write(text)
    return undefined
  }

  const {join} = await import('node:path')
  const {mkdir} = await import('node:fs/promises')
  if (output === undefined && !json) {
    throw new MqctlError('USAGE_EXPORT_FLEET', 'with several brokers, give -o DIR (one file per profile) or --json')
  }

  if (output !== undefined) await mkdir(output, {recursive: true})
  const outcomes = await runFleet(await fleetTargets(flags), async (f) => {
    const result = await exportOne(f)
    const path = output === undefined ? undefined : join(output, `${String(f.profile)}.${format}`)
    if (path) await writeFileAtomic(path, result.text, {mode: 0o600})
    return {...result, path}
  })
  process.exitCode = fleetExit(outcomes, () => false, false)
  if (json) {
    return outcomes.map((o) =>
      o.value
        ? {profile: o.label, target: o.value.target, policy: o.value.policy}
        : {profile: o.label, error: o.error!.toJSON()},
    )
  }

  const rows = outcomes.map((o): [string, string, string] => {
    if (!o.value) return [o.label, '-', `failed: ${o.error!.located}`]
    const p = o.value.policy
    const counts = `${p.clients?.length ?? 0} clients, ${p.groups?.length ?? 0} groups, ${p.roles?.length ?? 0} roles`
    return [o.label, o.value.target, `${counts} → ${o.value.path}`]
  })
  for (const line of fleetRows(rows)) io.out(line)
  return undefined
}
