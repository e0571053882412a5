import {z} from 'zod'

import {MqctlError} from '../errors.js'
import type {OutputKind} from './catalog.js'
import {
  anonymousGroupDataSchema,
  defaultAclDataSchema,
  getClientDataSchema,
  getGroupDataSchema,
  getRoleDataSchema,
  listDataSchema,
  type DynsecClient,
  type DynsecGroup,
  type DynsecRole,
} from './schemas.js'

/**
 * mosquitto_ctrl 2.0's text layouts (spec 2.6), kept exactly so scripts that parse them keep
 * working. Every function returns the lines without a trailing newline.
 */
const pad = (s: string, width: number) => s.padEnd(width)
const priority = (p: number | undefined) => ` (priority: ${p ?? -1})`

/** `Label:` padded, then one item per line with the continuation indent. */
function labelled(label: string, width: number, items: string[] | undefined): string[] {
  if (items === undefined) return [label]
  return items.map((item, i) => (i === 0 ? `${pad(label, width)} ${item}` : `${' '.repeat(width + 1)}${item}`))
}

export function formatClient(c: DynsecClient): string[] {
  return [
    `Username: ${c.username}`,
    c.clientid === undefined ? 'Clientid:' : `Clientid: ${c.clientid}`,
    ...(c.disabled === undefined ? [] : [`Disabled: ${c.disabled}`]),
    ...labelled(
      'Roles:',
      9,
      c.roles?.map((r) => `${r.rolename}${priority(r.priority)}`),
    ),
    ...labelled(
      'Groups:',
      9,
      c.groups?.map((g) => `${g.groupname}${priority(g.priority)}`),
    ),
  ]
}

export function formatGroup(g: DynsecGroup): string[] {
  return [
    `Groupname: ${g.groupname}`,
    ...labelled(
      'Roles:',
      10,
      g.roles?.map((r) => `${r.rolename}${priority(r.priority)}`),
    ),
    ...labelled(
      'Clients:',
      10,
      g.clients?.map((c) => c.username),
    ),
  ]
}

export function formatRole(r: DynsecRole): string[] {
  const acls = (r.acls ?? []).map(
    (a) => `${pad(a.acltype, 20)} : ${a.allow ? 'allow' : 'deny '} : ${a.topic}${priority(a.priority)}`,
  )
  return [`Rolename: ${r.rolename}`, ...(acls.length === 0 ? [] : labelled('ACLs:', 9, acls))]
}

function parseData<T>(schema: z.ZodType<T>, data: unknown, command: string): T {
  const parsed = schema.safeParse(data)
  if (!parsed.success) throw new MqctlError('REFUSED_BAD_RESPONSE', `${command}: Error: Invalid response from server.`)
  return parsed.data
}

/** The text mosquitto_ctrl prints for a successful reply; empty for writes. */
export function formatResponse(kind: OutputKind, command: string, data: unknown): string[] {
  switch (kind) {
    case 'none':
      return []
    case 'defaultAcl':
      return parseData(defaultAclDataSchema, data, command).acls.map(
        (a) => `${pad(a.acltype, 20)} : ${a.allow ? 'allow' : 'deny'}`,
      )
    case 'anonymousGroup':
      return [parseData(anonymousGroupDataSchema, data, command).group.groupname]
    case 'client':
      return formatClient(parseData(getClientDataSchema, data, command).client)
    case 'group':
      return formatGroup(parseData(getGroupDataSchema, data, command).group)
    case 'role':
      return formatRole(parseData(getRoleDataSchema, data, command).role)
    case 'list': {
      const list = parseData(listDataSchema, data, command)
      const items = list.clients ?? list.groups ?? list.roles ?? []
      const lines: string[] = []
      for (const item of items) {
        if (typeof item === 'string') {
          lines.push(item)
          continue
        }

        // Verbose listings: each entry in its get* layout, separated by blank lines.
        if (lines.length > 0) lines.push('')
        if ('username' in item) lines.push(...formatClient(item as DynsecClient))
        else if ('groupname' in item) lines.push(...formatGroup(item as DynsecGroup))
        else lines.push(...formatRole(item as DynsecRole))
      }

      return lines
    }
  }
}
