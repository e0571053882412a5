import type {Paint} from '../lib/dynsec/plan-format.js'
import type {MqctlError} from '../lib/errors.js'
import type {IO} from '../lib/io.js'
import {escapeForLine} from '../lib/output/escape.js'

/** Colour for plans: the seam's stdout palette (a terminal, no NO_COLOR). */
export function planPaint(io: IO): Paint | undefined {
  const c = io.stdout.colour
  if (!c.enabled) return undefined
  return {'+': (s) => c.green(s), '~': (s) => c.yellow(s), '-': (s) => c.red(s)}
}

export interface FleetOutcome<T> {
  label: string
  value?: T
  error?: MqctlError
}

/** Runs `fn` for every target in parallel; a failing broker is recorded, never stops the others. */
export async function runFleet<T>(
  targets: Array<Record<string, unknown>>,
  fn: (flags: Record<string, unknown>) => Promise<T>,
): Promise<Array<FleetOutcome<T>>> {
  const {toMqctlError} = await import('./render-error.js')
  return Promise.all(
    targets.map(async (flags) => {
      const label = (flags.profile as string | undefined) ?? (flags.file as string | undefined) ?? 'default'
      try {
        return {label, value: await fn(flags)}
      } catch (error) {
        return {label, error: toMqctlError(error as Error)}
      }
    }),
  )
}

/** The exit status of a fleet run: a failure's own status first, then drift (6) when asked. */
export function fleetExit(outcomes: Array<FleetOutcome<unknown>>, drifted: (v: unknown) => boolean, exitCode: boolean) {
  const failed = outcomes.find((o) => o.error)
  if (failed) return failed.error!.exit
  if (exitCode && outcomes.some((o) => drifted(o.value))) return 6
  return 0
}

/** Aligned summary rows: label, target, text. */
export function fleetRows(rows: Array<[string, string, string]>): string[] {
  // Profile names, hosts and the brokers' error texts: escaped, as in every other printer.
  const cells = rows.map((row) => row.map((cell) => escapeForLine(cell)))
  const w0 = Math.max(...cells.map((r) => r[0].length))
  const w1 = Math.max(...cells.map((r) => r[1].length))
  return cells.map(([a, b, c]) => `${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}`)
}
