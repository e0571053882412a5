import {z} from 'zod'

import {DYNSEC_COMMANDS, type OutputKind} from '../dynsec/catalog.js'
import {verdictSchema, withVerdict} from './verdict.js'
import {policyJsonSchemaText, policySchema} from '../dynsec/policy-schema.js'
import * as dynsec from '../dynsec/schemas.js'

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
  defaultAcl: dynsec.defaultAclDataSchema,
  client: dynsec.getClientDataSchema,
  group: dynsec.getGroupDataSchema,
  role: dynsec.getRoleDataSchema,
  list: dynsec.listDataSchema,
  anonymousGroup: dynsec.anonymousGroupDataSchema,
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

const dynsecStageSchema = z.enum(['authentication', 'broker', 'acl', 'default'])
const dynsecDecidingAclSchema = z.looseObject({
  path: z.string().describe('JSON path into the state, e.g. roles[3].acls[1]'),
  rolename: z.string(),
  acltype: z.string(),
  topic: z.string(),
  priority: z.number().int(),
  allow: z.boolean(),
})
const dynsecVerdictSchema = withVerdict({
  stage: dynsecStageSchema,
  reason: z.string(),
  clientPath: z.string().optional(),
  decidedBy: dynsecDecidingAclSchema.optional(),
  walk: z.array(
    z.looseObject({
      rolename: z.string(),
      path: z.string().optional(),
      linkPath: z.string(),
      priority: z.number().int(),
      via: z.string(),
      acls: z.array(z.looseObject({path: z.string(), topic: z.string(), matched: z.boolean()})),
      refusedWildcards: z.boolean().optional(),
    }),
  ),
  notes: z.array(z.string()),
})

/** Commands outside the dynsec catalog (their owners keep these in step with the commands). */
/** What `profile add|set|use|remove` print under --json. */
const profileEditSchema = z.looseObject({
  file: z.string(),
  action: z.enum(['add', 'set', 'use', 'remove']),
  profile: z.string(),
  default: z.string().optional().describe('The default profile after the edit.'),
})
const summarySchema = z.object({add: z.number().int(), change: z.number().int(), delete: z.number().int()})
const planCommandSchema = z.looseObject({
  symbol: z.enum(['+', '~', '-']),
  object: z.string().describe('"client alice", "role r", "default access", …'),
  command: z.looseObject({command: z.string()}).describe('The plugin command, never with a password.'),
  setsPassword: z.boolean().optional().describe("Applying it sets a password (from the policy's source)."),
})
/** One broker of a fleet run (--profile twice or more, --all-profiles): its result or its error. */
const perBroker = (one: z.ZodObject) =>
  z.array(
    z.union([
      one.extend({profile: z.string()}),
      z.object({profile: z.string(), error: errorEnvelopeSchema.shape.error}),
    ]),
  )
const planJson = z.looseObject({
  verdict: verdictSchema.describe(
    'The shared verdict field: "allow" when the target already matches the policy (exit 0), "deny" when the plan has changes (exit 6 with --exit-code).',
  ),
  target: z.string(),
  changes: z.boolean().describe('True when the plan is not empty (exit 6 with --exit-code).'),
  summary: summarySchema,
  commands: z.array(planCommandSchema),
})
const applyJson = z.looseObject({
  target: z.string(),
  status: z.enum(['unchanged', 'dry-run', 'applied', 'failed']),
  summary: summarySchema,
  commands: z.array(
    z.union([
      planCommandSchema,
      z.looseObject({command: z.looseObject({command: z.string()}), ok: z.boolean(), error: z.string().optional()}),
    ]),
  ),
})
const DSAC_OUTPUT: Record<string, z.ZodType> = {
  'dynsec:export': z.union([policySchema, perBroker(z.object({target: z.string(), policy: policySchema}))]),
  'dynsec:plan': z.union([planJson, perBroker(planJson)]),
  'dynsec:apply': z.union([applyJson, perBroker(applyJson)]),
  'dynsec:batch': z.array(
    z.looseObject({
      line: z.number().int(),
      command: z.string(),
      ok: z.boolean(),
      error: z.string().optional(),
      data: z.unknown().optional(),
    }),
  ),
  'dynsec:schema': z.record(z.string(), z.unknown()).describe('No --json: the command prints the policy JSON Schema.'),
}

const omittedSchema = z
  .record(z.string(), z.number().int())
  .describe('Findings not listed per rule id (over 1000 each).')

const OTHER_OUTPUT: Record<string, z.ZodType> = {
  ...DSAC_OUTPUT,
  'acl:check': withVerdict({
    allowed: z.boolean(),
    reason: z.string(),
    line: z.number().int().optional().describe('The line that decided, when one did.'),
    query: z.looseObject({
      username: z.string().nullable(),
      clientId: z.string(),
      topic: z.string(),
      access: z.enum(['read', 'write']),
    }),
    steps: z.array(z.looseObject({line: z.number().int(), outcome: z.string(), reason: z.string()})),
  }),
  'acl:lint': lintReportSchema.extend({omitted: omittedSchema}),
  'acl:who': z.looseObject({
    topic: z.string(),
    access: z.enum(['read', 'write']),
    clientId: z.string(),
    allowed: z.array(
      z.looseObject({
        username: z.string().nullable().describe('null: a client without username.'),
        source: z.enum(['passwd', 'acl', 'passwd+acl', 'anonymous']),
        reason: z.string(),
        line: z.number().int().optional(),
      }),
    ),
    denied: z.number().int(),
    candidates: z.number().int(),
  }),
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
  'config:lint': lintReportSchema.extend({omitted: omittedSchema}),
  'dynsec:check': dynsecVerdictSchema,
  'dynsec:migrate': z.looseObject({
    written: z
      .boolean()
      .describe('false: something cannot be carried exactly and --accept-lossy was not given (exit 1)'),
    output: z.string(),
    target: z.enum(['2.0', '2.1']),
    lossy: z.number().int(),
    items: z.array(
      z.looseObject({
        severity: z.enum(['lossy', 'notice']),
        location: z.string().describe('file:line'),
        message: z.string(),
        username: z.string().optional(),
        aclLine: z.number().int().optional(),
      }),
    ),
    users: z.object({carried: z.number().int(), notCarried: z.number().int()}),
    roles: z.number().int(),
    config: z.array(z.string()).describe('The mosquitto.conf lines that replace password_file and acl_file.'),
  }),
  'dynsec:who': z.looseObject({
    topic: z.string(),
    access: z.string(),
    clients: z.array(
      z.looseObject({
        username: z.string().optional().describe('absent for the anonymous client'),
        clientId: z.string(),
        path: z.string().optional(),
        verdict: verdictSchema,
        stage: dynsecStageSchema,
        reason: z.string(),
        decidedBy: dynsecDecidingAclSchema.optional(),
      }),
    ),
  }),
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
    outcome: z.enum(['match', 'mismatch', 'no-user', 'invalid-entry']),
    line: z.number().int().optional(),
    problem: z.string().optional(),
  }),
  probe: withVerdict({
    checks: z.array(
      z.looseObject({
        kind: z.enum(['connect', 'subscribe', 'publish', 'receive']),
        target: z.string(),
        allowed: z.boolean().optional(),
        reasonCode: z.number().int().optional(),
        reason: z.string(),
        auxiliary: z.boolean().optional().describe('a loopback helper subscription, never judged by --expect'),
      }),
    ),
    expect: z.enum(['allow', 'deny']).optional(),
    failed: z.number().int().optional().describe('judged checks that missed --expect (only with --expect)'),
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
  // The policy document that export writes and plan/apply read (not a --json output).
  files.set('dynsec-policy.schema.json', policyJsonSchemaText())
  return files
}
