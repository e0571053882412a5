import {
  evaluateDynsec,
  type CheckAccess,
  type DynsecDecidingAcl,
  type DynsecVerdict,
  type EvaluateOptions,
} from './evaluate.js'
import type {DynsecState} from './state/model.js'

/**
 * `dynsec who`: the reverse question. Every client of the state (and an anonymous client) is
 * put through the evaluator; the ones allowed are listed with what decided.
 */
export interface WhoEntry {
  /** undefined for the anonymous client. */
  username?: string
  clientId: string
  /** `clients[i]`, absent for anonymous. */
  path?: string
  verdict: 'allow' | 'deny'
  stage: DynsecVerdict['stage']
  reason: string
  decidedBy?: DynsecDecidingAcl
}

export interface WhoOptions extends EvaluateOptions {
  /** The client id assumed for clients not bound to one (matters for %c ACLs). */
  clientId: string
  /** Include the denied ones too. */
  all?: boolean
}

export function whoIsAllowed(state: DynsecState, topic: string, access: CheckAccess, options: WhoOptions): WhoEntry[] {
  const out: WhoEntry[] = []
  const consider = (username: string | undefined, clientId: string) => {
    const v = evaluateDynsec(state, {username, clientId, topic, access}, options)
    if (v.verdict !== 'allow' && !options.all) return
    out.push({
      ...(username === undefined ? {} : {username}),
      clientId,
      ...(v.clientPath === undefined ? {} : {path: v.clientPath}),
      verdict: v.verdict,
      stage: v.stage,
      reason: v.reason,
      ...(v.decidedBy ? {decidedBy: v.decidedBy} : {}),
    })
  }

  for (const c of state.clients) consider(c.username, c.clientid ?? options.clientId)
  consider(undefined, options.clientId)
  return out
}
