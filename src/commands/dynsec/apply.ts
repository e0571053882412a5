import {Flags} from '@oclif/core'

import {DynsecCommand} from '../../base/dynsec-command.js'
import {fleetExit, fleetRows, planPaint, runFleet} from '../../base/dynsec-code.js'
import {fleetFlags, fleetTargets, isFleet, openTarget, policyArgs, pruneFlag} from '../../base/dynsec-fleet.js'
import type {ApplyResult} from '../../lib/dynsec/apply.js'
import type {PlanStep} from '../../lib/dynsec/plan.js'

export default class DynsecApply extends DynsecCommand {
  static override summary = 'Make the broker (or -f file) match a policy file.'

  static override description = `Plans as "dynsec plan" does, then sends the commands in chunked requests over one connection (or applies them to the file, rewritten once, atomically, under the lock). A second apply of the same policy sends nothing and says so.

The plugin is not transactional: a refused command is reported as "<command>: Error: <text>" with the object it names, the others still apply, and the exit status is 1; the output says which commands were applied.

Deletions (--prune) need --yes when standard input is not a terminal (otherwise exit 2, nothing sent) and a confirmation on a terminal. A plan that would take away the calling admin's own access to $CONTROL/dynamic-security/# is refused (exit 1, nothing sent) unless --force. With -f FILE nothing connects, so there is no calling admin and no such guard: review the plan ("dynsec plan" with -f) and, after the broker restarts, check an admin with "dynsec check".

Passwords are set when a client is created (or, with --rotate-passwords, again), from the policy's per-client "password: {env: NAME}" or "{file: PATH}", or from --passwords PWFILE ("username:password" lines). Never from the command line; never printed, never in --json. "{hash: …}" (export --include-hashes) works with -f only.

--audit-log FILE appends one JSON line per applied command: time, admin user, broker, command, object (never a secret). It is opened before anything is sent: a log that cannot be written stops the apply (exit 5, nothing sent).`

  static override examples = [
    '<%= config.bin %> dynsec apply policy.yaml',
    '<%= config.bin %> dynsec apply policy.yaml --prune --yes --audit-log /var/log/mqctl-dynsec.jsonl',
    '<%= config.bin %> dynsec apply devices.yaml --passwords devices.pw',
    '<%= config.bin %> -f /var/lib/mosquitto/dynamic-security.json dynsec apply policy.yaml',
    '<%= config.bin %> dynsec apply policy.yaml --all-profiles --yes',
  ]

  static override args = policyArgs

  static override flags = {
    ...pruneFlag,
    'dry-run': Flags.boolean({description: 'Show the plan and send nothing.'}),
    yes: Flags.boolean({char: 'y', description: 'Go ahead with deletions without asking.'}),
    passwords: Flags.string({description: 'File of username:password lines for new clients (keep it 0600).'}),
    'rotate-passwords': Flags.boolean({
      description: 'Also set the password of existing clients that have one in the policy.',
    }),
    force: Flags.boolean({description: 'Apply even a plan that locks the calling admin out of the dynsec API.'}),
    'audit-log': Flags.string({description: 'Append one JSON line per applied command to this file.'}),
    ...fleetFlags,
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(DynsecApply)
    const {applyPolicy, loadPolicy, passwordSources} = await import('../../lib/dynsec/apply.js')
    const {formatPlan, planJson, planSummaryText} = await import('../../lib/dynsec/plan-format.js')
    const {summaryLine} = await import('../../lib/dynsec/plan.js')
    const doneLine = (s: {add: number; change: number; delete: number}) =>
      `${s.add} added, ${s.change} changed, ${s.delete} deleted`
    const {MqctlError} = await import('../../lib/errors.js')
    const {policy, name} = await loadPolicy(args.policy)
    const sources = passwordSources(policy, name, flags.passwords, (m) => this.warn(m))
    const fleet = isFleet(flags)
    const paint = planPaint(this.io)

    const confirmDeletions = async (steps: PlanStep[]) => {
      if (flags.yes) return
      const count = steps.filter((s) => s.request.command.startsWith('delete')).length
      if (!this.io.canPrompt() || fleet) {
        throw new MqctlError('USAGE_CONFIRM', `the plan deletes ${count} object(s): give --yes to go ahead`, {
          hint: 'nothing was sent; run "dynsec plan --prune" to review the deletions',
        })
      }

      for (const line of formatPlan(steps, paint)) this.io.stderr.write(line + '\n')
      const {confirm} = await import('@inquirer/prompts')
      const ok = await confirm({message: `Delete ${count} object(s)?`, default: false}, {output: process.stderr})
      if (!ok) throw new MqctlError('REFUSED_NOT_CONFIRMED', 'not confirmed; nothing was sent')
    }

    const applyOne = async (f: Record<string, unknown>): Promise<ApplyResult> => {
      const opened = await openTarget(f, {allowMissingFile: true})
      const target = {
        backend: opened.backend,
        target: opened.target,
        admin: opened.connection?.username,
        reconnect: opened.connection ? async () => (await openTarget(f)).backend : undefined,
      }
      const progress = fleet
        ? undefined
        : (done: number, total: number) => this.io.progress(`${done}/${total} commands`)
      try {
        const result = await applyPolicy(target, policy, {
          prune: flags.prune,
          rotatePasswords: flags['rotate-passwords'],
          force: flags.force,
          dryRun: flags['dry-run'],
          passwords: sources,
          auditLog: flags['audit-log'],
          confirmDeletions,
          onProgress: progress,
        })
        this.io.progress(undefined)
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
      for (const line of formatPlan(r.steps, paint)) lines.push(line)
      lines.push('')
      if (r.status === 'dry-run') return [...lines, planSummaryText(r.summary), 'Dry run: nothing sent.']
      const ok = r.outcomes.filter((o) => o.response?.error === undefined)
      if (r.status === 'applied') return [...lines, `Applied ${ok.length} commands: ${doneLine(r.summary)}.`]
      return [
        ...lines,
        `Applied ${ok.length} of ${r.outcomes.length} commands (the plugin is not transactional); applied:`,
        ...ok.map((o) => `  ${o.step.symbol} ${o.step.text}`),
      ]
    }

    const refusals = (r: ApplyResult) =>
      r.outcomes
        .filter((o) => o.response?.error !== undefined)
        .map((o) => `${o.step.request.command}: Error: ${o.response!.error} (${o.step.object})`)

    if (!fleet) {
      const result = await applyOne((await fleetTargets(flags))[0])
      for (const line of refusals(result)) this.io.stderr.write(line + '\n')
      if (result.status === 'failed') process.exitCode = 1
      if (this.jsonEnabled()) return resultJson(result)
      this.out(report(result).join('\n')) // one write, not one per line of a large plan
      return undefined
    }

    const outcomes = await runFleet(await fleetTargets(flags), applyOne)
    process.exitCode =
      fleetExit(outcomes, () => false, false) || (outcomes.some((o) => o.value?.status === 'failed') ? 1 : 0)
    if (this.jsonEnabled()) {
      return outcomes.map((o) =>
        o.value ? {profile: o.label, ...resultJson(o.value)} : {profile: o.label, error: o.error!.toJSON()},
      )
    }

    for (const o of outcomes)
      for (const line of o.value ? refusals(o.value) : []) this.io.stderr.write(`${o.label}: ${line}\n`)
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
    for (const line of fleetRows(rows)) this.out(line)
    return undefined
  }
}
