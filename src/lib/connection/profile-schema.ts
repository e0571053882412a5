import {z} from 'zod'

import {
  CONNECTION_OPTIONS,
  PROFILE_ONLY_KEYS,
  profileKeyOf,
  valueProblem,
  type ConnectionOption,
} from './options-table.js'

// Apart from profiles.ts: building zod schemas costs start-up time, and they are needed only
// when there is a profile file to check.

/**
 * One profile: the connection-option table's keys (every connection flag but --profile and
 * --admin-password-stdin), so the file reads like the command line, plus the password sources.
 * Each value gets the same check as on the command line.
 */
function profileValue(o: ConnectionOption): z.ZodType {
  if (o.kind === undefined) return z.boolean()
  const numeric = o.kind === 'port' || o.kind === 'qos' || o.kind === 'version' || o.kind === 'seconds'
  const base = numeric ? z.union([z.string(), z.number()]) : z.string()
  return base.superRefine((value, ctx) => {
    const text = String(value)
    const problem = text === '' ? 'an empty value' : valueProblem(o, text)
    if (problem) ctx.addIssue({code: 'custom', message: problem.trim().replace(/^Error: /, '')})
  })
}

const profileShape: Record<string, z.ZodType> = {}
for (const o of CONNECTION_OPTIONS) {
  const key = profileKeyOf(o)
  if (key !== undefined) profileShape[key] = profileValue(o)
}

for (const key of Object.keys(PROFILE_ONLY_KEYS)) profileShape[key] = z.string()

export const profileSchema = z.object(profileShape).partial().strict()

export const configFileSchema = z
  .object({
    default: z.string().optional(),
    // Each profile is checked against profileSchema only when it is used, so one broken
    // profile does not stop the commands that use another.
    profiles: z.record(z.string(), z.unknown()).default({}),
  })
  .strict()

export type Profile = Record<string, string | number | boolean | undefined>
