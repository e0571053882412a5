/**
 * The verdict values without zod (verdict.ts holds the schema): the fast paths (acl check) name a
 * verdict without paying for loading zod.
 */
export const VERDICTS = ['allow', 'deny'] as const
export type Verdict = (typeof VERDICTS)[number]

export const verdictOf = (yes: boolean): Verdict => (yes ? 'allow' : 'deny')
