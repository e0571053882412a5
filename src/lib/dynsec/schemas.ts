import {z} from 'zod'

import {ACL_TYPES, DEFAULT_ACL_TYPES} from './catalog.js'

/** The plugin's topic API (spec 3.1–3.5); the ACL type lists live in the zod-free catalog. */
export {ACL_TYPES, DEFAULT_ACL_TYPES}

export const roleRefSchema = z.object({rolename: z.string(), priority: z.number().int().optional()})
export const groupRefSchema = z.object({groupname: z.string(), priority: z.number().int().optional()})
export const clientRefSchema = z.object({username: z.string(), priority: z.number().int().optional()})
export const aclSchema = z.object({
  acltype: z.string(),
  topic: z.string(),
  priority: z.number().int().optional(),
  allow: z.boolean().optional(),
})

export const dynsecRequestSchema = z.looseObject({command: z.string()})
export type DynsecRequest = z.infer<typeof dynsecRequestSchema>

export const dynsecResponseSchema = z.looseObject({
  command: z.string(),
  error: z.string().optional(),
  data: z.unknown().optional(),
  correlationData: z.unknown().optional(),
})
export type DynsecResponse = z.infer<typeof dynsecResponseSchema>

export const dynsecResponseEnvelopeSchema = z.object({responses: z.array(dynsecResponseSchema)})

export const clientSchema = z.looseObject({
  username: z.string(),
  clientid: z.string().optional(),
  textname: z.string().optional(),
  textdescription: z.string().optional(),
  disabled: z.boolean().optional(),
  roles: z.array(roleRefSchema).optional(),
  groups: z.array(groupRefSchema).optional(),
  connections: z.array(z.looseObject({address: z.string().optional()})).optional(),
})
export const groupSchema = z.looseObject({
  groupname: z.string(),
  textname: z.string().optional(),
  textdescription: z.string().optional(),
  roles: z.array(roleRefSchema).optional(),
  clients: z.array(clientRefSchema).optional(),
})
export const roleSchema = z.looseObject({
  rolename: z.string(),
  textname: z.string().optional(),
  textdescription: z.string().optional(),
  acls: z.array(aclSchema).optional(),
  allowwildcardsubs: z.boolean().optional(),
})

export const getClientDataSchema = z.object({client: clientSchema})
export const getGroupDataSchema = z.object({group: groupSchema})
export const getRoleDataSchema = z.object({role: roleSchema})
export const listDataSchema = z.looseObject({
  totalCount: z.number().optional(),
  clients: z.array(z.union([z.string(), clientSchema])).optional(),
  groups: z.array(z.union([z.string(), groupSchema])).optional(),
  roles: z.array(z.union([z.string(), roleSchema])).optional(),
})
export const defaultAclDataSchema = z.object({acls: z.array(z.object({acltype: z.string(), allow: z.boolean()}))})
export const anonymousGroupDataSchema = z.object({group: z.object({groupname: z.string()})})

export type DynsecClient = z.infer<typeof clientSchema>
export type DynsecGroup = z.infer<typeof groupSchema>
export type DynsecRole = z.infer<typeof roleSchema>
