import {z} from 'zod'

import {aclTypeSchema} from './state/model.js'

/**
 * The reviewable policy document (`dynsec export`, `plan`, `apply`): the whole plugin state in
 * the plugin's own field names, objects sorted by name, no secrets. `password` says where a
 * new client's password comes from; `hash` (export --include-hashes, -f only) copies a stored one.
 */
const name = z.string().min(1)
const priority = z.number().int().min(-2147483648).max(2147483647)

export const policyPasswordSchema = z.union([
  z.strictObject({env: name.describe('Environment variable holding the password.')}),
  z.strictObject({file: name.describe('File whose first line is the password.')}),
  z.strictObject({hash: name.describe('A stored $7$ hash (export --include-hashes); only applied with -f.')}),
])
export type PolicyPassword = z.infer<typeof policyPasswordSchema>

export const policyAclSchema = z.strictObject({
  acltype: aclTypeSchema,
  topic: z.string(),
  allow: z.boolean(),
  priority: priority.optional().describe('Default 0.'),
})

const text = {textname: z.string().optional(), textdescription: z.string().optional()}
const roleLink = z.strictObject({rolename: name, priority: priority.optional()})
const groupLink = z.strictObject({groupname: name, priority: priority.optional()})

export const policyRoleSchema = z.strictObject({
  rolename: name,
  ...text,
  acls: z.array(policyAclSchema).optional(),
  allowwildcardsubs: z.boolean().optional().describe('2.1 brokers only.'),
})
export const policyGroupSchema = z.strictObject({groupname: name, ...text, roles: z.array(roleLink).optional()})
export const policyClientSchema = z.strictObject({
  username: z.string(),
  clientid: z.string().optional(),
  ...text,
  disabled: z.boolean().optional(),
  roles: z.array(roleLink).optional(),
  groups: z.array(groupLink).optional(),
  password: policyPasswordSchema.optional(),
})

export const policySchema = z
  .strictObject({
    version: z.literal(1),
    defaultACLAccess: z
      .strictObject({
        publishClientSend: z.boolean().optional(),
        publishClientReceive: z.boolean().optional(),
        subscribe: z.boolean().optional(),
        unsubscribe: z.boolean().optional(),
      })
      .optional()
      .describe('Keys left out are not managed.'),
    anonymousGroup: name.optional().describe('Left out: not managed (the plugin cannot unset it).'),
    roles: z.array(policyRoleSchema).optional(),
    groups: z.array(policyGroupSchema).optional(),
    clients: z.array(policyClientSchema).optional(),
  })
  .describe('mqctl dynamic-security policy (mqctl dynsec export / plan / apply)')
export type Policy = z.infer<typeof policySchema>
export type PolicyClient = z.infer<typeof policyClientSchema>

/** The policy's JSON Schema, generated from the zod schema (committed as docs/json/dynsec-policy.schema.json). */
export function policyJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(policySchema, {io: 'input'}) as Record<string, unknown>
  return {
    $schema: schema.$schema,
    $id: 'https://github.com/mqctl/mqctl/docs/json/dynsec-policy.schema.json',
    title: 'mqctl dynamic-security policy',
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
  }
}

export const policyJsonSchemaText = (): string => JSON.stringify(policyJsonSchema(), null, 2) + '\n'
