import {z} from 'zod'

import {DYNSEC_COMMANDS, type OutputKind} from '../dynsec/catalog.js'
import {withVerdict} from './verdict.js'
import {
  anonymousGroupDataSchema,
  defaultAclDataSchema,
  getClientDataSchema,
  getGroupDataSchema,
  getRoleDataSchema,
  listDataSchema,
} from '../dynsec/schemas.js'

/**
 * The --json success output of every command, as zod types: the contract scripts rely on.
 * `npm run schemas` writes them as JSON Schemas into docs/json/ (test/lib/output/contracts.test.ts
 * fails when those are stale). Errors keep the envelope `{"error": {code, message, exit, …}}`
 * (`errorEnvelopeSchema`). Objects are loose: a field may be added, none removed or retyped.
 */

export const errorEnvelopeSchema = z.object({
  error: z.looseObject({
    code: z.string().describe('Stable error code, FAMILY_DETAIL (USAGE_*, FILE_*, CONNECTION_*, …).'),
    message: z.string(),
    exit: z.number().int().describe('The exit status the process ends with (DESIGN.md §4).'),
    hint: z.string().optional(),
    location: z
      .object({file: z.string(), line: z.number().int().optional(), column: z.number().int().optional()})
      .optional(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
})

/** What a dynsec command that changes something prints under --json. */
export const dynsecOkSchema = z.object({ok: z.literal(true), command: z.string()})

const DYNSEC_OUTPUT: Record<OutputKind, z.ZodType> = {
  none: dynsecOkSchema,
  defaultAcl: defaultAclDataSchema,
  client: getClientDataSchema,
  group: getGroupDataSchema,
  role: getRoleDataSchema,
  list: listDataSchema,
  anonymousGroup: anonymousGroupDataSchema,
}

const findingSchema = z.looseObject({
  rule: z.string(),
  severity: z.enum(['error', 'warning', 'note']),
  message: z.string(),
  line: z.number().int(),
  column: z.number().int(),
  file: z.string().optional(),
})
const lintReportSchema = z.looseObject({
  file: z.string(),
  errors: z.number().int(),
  warnings: z.number().int(),
  findings: z.array(findingSchema),
})
const filesSchema = z.object({files: z.array(z.string()).describe('The files written.')})
const sourcedValue = z.object({value: z.string(), source: z.string().optional()})

/** Commands outside the dynsec catalog (their owners keep these in step with the commands). */
/** What `profile add|set|use|remove` print under --json. */
const profileEditSchema = z.looseObject({
  file: z.string(),
  action: z.enum(['add', 'set', 'use', 'remove']),
  profile: z.string(),
  default: z.string().optional().describe('The default profile after the edit.'),
})

const OTHER_OUTPUT: Record<string, z.ZodType> = {
  'acl:check': z.looseObject({
    allowed: z.boolean(),
    reason: z.string(),
    line: z.number().int().optional(),
    steps: z.array(z.looseObject({line: z.number().int(), outcome: z.string(), reason: z.string()})),
  }),
  'acl:lint': lintReportSchema,
  'cert:ca': filesSchema,
  'cert:client': filesSchema,
  'cert:server': filesSchema,
  'config:gen': z.looseObject({
    file: z.string().nullable(),
    target: z.string(),
    preset: z.string().nullable(),
    warnings: z.array(z.unknown()),
    config: z.string(),
  }),
  'config:lint': lintReportSchema,
  'dynsec:init': z.looseObject({
    ok: z.literal(true),
    file: z.string(),
    admin: z.string(),
    target: z.enum(['2.0', '2.1']),
  }),
  hash: z.union([z.object({format: z.string(), hash: z.string()}), z.object({match: z.boolean()})]),
  passwd: z.looseObject({action: z.string()}),
  'passwd:check': z.looseObject({
    file: z.string(),
    target: z.string(),
    entries: z.number().int(),
    findings: z.array(findingSchema),
  }),
  'passwd:verify': z.looseObject({
    username: z.string(),
    outcome: z.enum(['match', 'mismatch', 'no-user']),
    line: z.number().int().optional(),
  }),
  probe: z.looseObject({
    checks: z.array(
      z.looseObject({
        kind: z.enum(['connect', 'subscribe', 'publish', 'receive']),
        target: z.string(),
        allowed: z.boolean().optional(),
        reasonCode: z.number().int().optional(),
        reason: z.string(),
      }),
    ),
    failed: z.number().int(),
  }),
  'profile:list': z.looseObject({
    file: z.string(),
    default: z.string().optional(),
    current: z.string().optional().describe('The profile a command would use now: MQCTL_PROFILE, else the default.'),
    profiles: z.array(z.string()),
    invalid: z.unknown(),
  }),
  'profile:show': z.record(z.string(), sourcedValue),
  ...Object.fromEntries(['add', 'set', 'use', 'remove'].map((action) => [`profile:${action}`, profileEditSchema])),
  'broker:listListeners': z.looseObject({
    listeners: z.array(
      z.looseObject({
        port: z.number().int().optional(),
        protocol: z.string().optional(),
        'socket-path': z.string().optional(),
        'bind-address': z.string().optional(),
        tls: z.boolean().optional(),
      }),
    ),
  }),
  'broker:listPlugins': z.looseObject({
    plugins: z.array(
      z.looseObject({
        name: z.string(),
        version: z.string().optional(),
        'control-endpoints': z.array(z.string()).optional(),
      }),
    ),
  }),
  shell: z.null().describe("The shell has no --json: it prints each command's text as mosquitto_ctrl does."),
}

/** Every command id → the zod type of its --json success output. */
export function jsonContracts(): Map<string, z.ZodType> {
  const all = new Map<string, z.ZodType>(Object.entries(OTHER_OUTPUT))
  for (const spec of DYNSEC_COMMANDS) all.set(`dynsec:${spec.name}`, DYNSEC_OUTPUT[spec.output])
  return new Map([...all].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

/** The JSON Schema files of docs/json/: file name → content. */
export function jsonSchemaFiles(): Map<string, string> {
  const files = new Map<string, string>()
  const write = (name: string, title: string, schema: z.ZodType) => {
    const json = {title, ...z.toJSONSchema(schema, {target: 'draft-2020-12', unrepresentable: 'any'})}
    files.set(name, JSON.stringify(json, null, 2) + '\n')
  }

  for (const [id, schema] of jsonContracts())
    write(`${id.replaceAll(':', '-')}.json`, `mqctl ${id.replaceAll(':', ' ')} --json`, schema)
  write('verdict.json', 'mqctl verdict (the shared field of every yes/no command)', withVerdict({}))
  write('error.json', 'mqctl error envelope (--json, any command)', errorEnvelopeSchema)
  return files
}
