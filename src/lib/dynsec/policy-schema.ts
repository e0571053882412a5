import {z} from 'zod'

import {policySchema} from './policy.js'

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
