import {z} from 'zod'

import {VERDICTS} from './verdict-of.js'

export {VERDICTS, verdictOf, type Verdict} from './verdict-of.js'

/**
 * The one verdict shape of every command that answers yes or no (acl check, dynsec check,
 * passwd verify, probe --expect, plan --exit-code, the linters): `{"verdict": "allow"|"deny", …}`
 * beside the command's own data. "deny" is exit status 1 (DESIGN.md §4).
 *
 *   import {verdictOf, withVerdict} from '../lib/output/verdict.js'
 *   export const aclCheckJson = withVerdict({reason: z.string(), …})
 *   return {verdict: verdictOf(decision.allowed), reason: …}
 */
export const verdictSchema = z.enum(VERDICTS).describe('"allow": the answer is yes (exit 0); "deny": no (exit 1).')

/** A command's --json object with the shared `verdict` field first. */
export const withVerdict = <T extends z.ZodRawShape>(shape: T) => z.looseObject({verdict: verdictSchema, ...shape})
