import type {PlanStep, PlanSummary} from './plan.js'
import {summaryLine} from './plan.js'
import {escapeForLine} from '../output/escape.js'

export interface Paint {
  '+': (s: string) => string
  '~': (s: string) => string
  '-': (s: string) => string
}

const plain: Paint = {'+': (s) => s, '~': (s) => s, '-': (s) => s}

/** The terraform-like view: one `+ ~ -` line per command, a create's contents indented under it. */
export function formatPlan(steps: readonly PlanStep[], paint: Paint = plain): string[] {
  const lines: string[] = []
  for (const s of steps) {
    // Names and topics come from the policy and the broker: escaped before colour is added.
    lines.push(paint[s.symbol](escapeForLine(`${s.symbol} ${s.text}`)))
    for (const d of s.details ?? []) lines.push(paint[s.symbol](escapeForLine(`    ${d}`)))
  }

  return lines
}

export const planSummaryText = (summary: PlanSummary): string => `Plan: ${summaryLine(summary)}.`

/** --json: the command list, never with a password (plans never hold one). */
export const planJson = (steps: readonly PlanStep[]) =>
  steps.map((s) => ({
    symbol: s.symbol,
    object: s.object,
    command: s.request,
    ...(s.passwordFor ? {setsPassword: true} : {}),
  }))
