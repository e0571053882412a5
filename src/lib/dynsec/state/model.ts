import {z} from 'zod'

import {ACL_TYPES, DEFAULT_ACL_TYPES} from '../schemas.js'

/**
 * The whole dynamic-security plugin state as one typed value (DESIGN.md 6b). It is what the
 * broker reader and the dynamic-security.json reader both produce, what plans are computed
 * between, what the file backend applies commands to, and what the access evaluator walks.
 *
 * Canonical choices (so two states compare by value):
 * - group membership lives on the client (`client.groups`, with the membership priority that
 *   addGroupClient sets); a group does not list its clients;
 * - an absent priority on a role or group link is the plugin's -1 and is written as undefined;
 * - an ACL's priority is always present (the plugin's default is 0);
 * - lists are kept in the plugin's order: clients, groups, roles by name (byte order), ACLs per
 *   role by type in ACL_TYPES order, then priority descending.
 */
export const aclTypeSchema = z.enum(ACL_TYPES)
export type AclType = z.infer<typeof aclTypeSchema>

export const defaultAclTypeSchema = z.enum(DEFAULT_ACL_TYPES)
export type DefaultAclType = z.infer<typeof defaultAclTypeSchema>

export const stateAclSchema = z.object({
  acltype: aclTypeSchema,
  topic: z.string(),
  priority: z.number().int(),
  allow: z.boolean(),
})
export type StateAcl = z.infer<typeof stateAclSchema>

export const stateRoleLinkSchema = z.object({rolename: z.string(), priority: z.number().int().optional()})
export type StateRoleLink = z.infer<typeof stateRoleLinkSchema>

export const stateGroupLinkSchema = z.object({groupname: z.string(), priority: z.number().int().optional()})
export type StateGroupLink = z.infer<typeof stateGroupLinkSchema>

export const stateRoleSchema = z.object({
  rolename: z.string(),
  textname: z.string().optional(),
  textdescription: z.string().optional(),
  acls: z.array(stateAclSchema),
  /** 2.1 only; absent means the plugin default (true). */
  allowwildcardsubs: z.boolean().optional(),
})
export type StateRole = z.infer<typeof stateRoleSchema>

export const stateGroupSchema = z.object({
  groupname: z.string(),
  textname: z.string().optional(),
  textdescription: z.string().optional(),
  roles: z.array(stateRoleLinkSchema),
})
export type StateGroup = z.infer<typeof stateGroupSchema>

/**
 * A stored password, only ever known from a file (a broker never reveals it). 2.0 layout:
 * the base64 triple; 2.1 layout: an encoded `$7$…` / `$argon2id$…` string.
 */
export const storedPasswordSchema = z.union([
  z.object({password: z.string(), salt: z.string(), iterations: z.number().int()}),
  z.object({encoded_password: z.string()}),
])
export type StoredPassword = z.infer<typeof storedPasswordSchema>

export const stateClientSchema = z.object({
  username: z.string(),
  clientid: z.string().optional(),
  textname: z.string().optional(),
  textdescription: z.string().optional(),
  disabled: z.boolean(),
  roles: z.array(stateRoleLinkSchema),
  groups: z.array(stateGroupLinkSchema),
  /** Present only when read from a file; never exported without --include-hashes. */
  stored: storedPasswordSchema.optional(),
})
export type StateClient = z.infer<typeof stateClientSchema>

export const defaultAccessSchema = z.object({
  publishClientSend: z.boolean(),
  publishClientReceive: z.boolean(),
  subscribe: z.boolean(),
  unsubscribe: z.boolean(),
})
export type DefaultAccess = z.infer<typeof defaultAccessSchema>

export const dynsecStateSchema = z.object({
  defaultACLAccess: defaultAccessSchema,
  /** The anonymous group's name; undefined when none is set. */
  anonymousGroup: z.string().optional(),
  clients: z.array(stateClientSchema),
  groups: z.array(stateGroupSchema),
  roles: z.array(stateRoleSchema),
})
export type DynsecState = z.infer<typeof dynsecStateSchema>

// Kept apart from the schemas, so that reading a file does not build them (zod costs start-up time).
export {emptyState} from './empty.js'
