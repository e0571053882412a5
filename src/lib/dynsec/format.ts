import {MqctlError} from '../errors.js'
import {escapeForLine} from '../output/escape.js'
import type {OutputKind} from './catalog.js'
import type {DynsecClient, DynsecGroup, DynsecRole} from './schemas.js'

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

export function formatClient(c: DynsecClient, layout: Layout = '2.0'): string[] {
  // 2.1 pads every label to "Connections:" and lists the client's live connections.
  const width = layout === '2.1' ? 12 : 9
  const line = (label: string, value: string | undefined) =>
    value === undefined ? label : `${pad(label, width)} ${value}`
  const head =
    layout === '2.1'
      ? [line('Username:', c.username), line('Clientid:', c.clientid)]
      : [`Username: ${c.username}`, c.clientid === undefined ? 'Clientid:' : `Clientid: ${c.clientid}`]
  return [
    ...head,
    ...(c.disabled === undefined
      ? []
      : [layout === '2.1' ? line('Disabled:', String(c.disabled)) : `Disabled: ${c.disabled}`]),
    ...labelled(
      'Roles:',
      width,
      c.roles?.map((r) => `${r.rolename}${priority(r.priority)}`),
    ),
    ...labelled(
      'Groups:',
      width,
      c.groups?.map((g) => `${g.groupname}${priority(g.priority)}`),
    ),
    // 2.1 prints a bare "Connections:" when the key is absent, and skips entries without an address.
    ...(layout === '2.1'
      ? labelled(
          'Connections:',
          width,
          c.connections?.flatMap((x) => (x.address === undefined ? [] : [x.address])),
        )
      : []),
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

// Replies are checked by hand, to the same rules as the zod schemas in schemas.ts (a test holds
// them together): the formatter runs on every command and zod's start-up cost is not worth it.
type Check = (v: unknown) => boolean
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const str: Check = (v) => typeof v === 'string'
const int: Check = (v) => Number.isInteger(v)
const opt =
  (check: Check): Check =>
  (v) =>
    v === undefined || check(v)
const arrayOf =
  (check: Check): Check =>
  (v) =>
    Array.isArray(v) && v.every((item) => check(item))
const shape =
  (fields: Record<string, Check>): Check =>
  (v) =>
    isObject(v) && Object.entries(fields).every(([key, check]) => check(v[key]))
const ref = (key: string) => shape({[key]: str, priority: opt(int)})
const texts = {textname: opt(str), textdescription: opt(str)}
const CLIENT = shape({
  username: str,
  clientid: opt(str),
  ...texts,
  disabled: opt((v) => typeof v === 'boolean'),
  roles: opt(arrayOf(ref('rolename'))),
  groups: opt(arrayOf(ref('groupname'))),
  connections: opt(arrayOf(shape({address: opt(str)}))),
})
const GROUP = shape({
  groupname: str,
  ...texts,
  roles: opt(arrayOf(ref('rolename'))),
  clients: opt(arrayOf(ref('username'))),
})
const ACL = shape({acltype: str, topic: str, priority: opt(int), allow: opt((v) => typeof v === 'boolean')})
const ROLE = shape({
  rolename: str,
  ...texts,
  acls: opt(arrayOf(ACL)),
  allowwildcardsubs: opt((v) => typeof v === 'boolean'),
})
const either =
  (...checks: Check[]): Check =>
  (v) =>
    checks.some((c) => c(v))

/** The reply shapes each output kind needs (the data schemas of schemas.ts). */
export const DATA_CHECKS: Record<Exclude<OutputKind, 'none'>, Check> = {
  defaultAcl: shape({acls: arrayOf(shape({acltype: str, allow: (v) => typeof v === 'boolean'}))}),
  anonymousGroup: shape({group: shape({groupname: str})}),
  client: shape({client: CLIENT}),
  group: shape({group: GROUP}),
  role: shape({role: ROLE}),
  list: shape({
    totalCount: opt((v) => typeof v === 'number'),
    clients: opt(arrayOf(either(str, CLIENT))),
    groups: opt(arrayOf(either(str, GROUP))),
    roles: opt(arrayOf(either(str, ROLE))),
  }),
}

function parseData<T>(kind: Exclude<OutputKind, 'none'>, data: unknown, command: string): T {
  if (!DATA_CHECKS[kind](data))
    throw new MqctlError('REFUSED_BAD_RESPONSE', `${command}: Error: Invalid response from server.`)
  return data as T
}

/** The text mosquitto_ctrl prints for a successful reply; empty for writes. */
type ListData = {
  clients?: Array<string | DynsecClient>
  groups?: Array<string | DynsecGroup>
  roles?: Array<string | DynsecRole>
}

/** Which mosquitto_ctrl's layout to print; they differ in getClient only (spec 2.6). */
export type Layout = '2.0' | '2.1'

/**
 * The lines for a reply, with control bytes, tabs and newlines in names and topics escaped: a
 * name set through another tool or a hand-edited file must not drive the operator's terminal or
 * forge a line of the layout (mosquitto_ctrl prints them raw; --json carries them as they are).
 */
export function formatResponse(kind: OutputKind, command: string, data: unknown, layout: Layout = '2.0'): string[] {
  return responseLines(kind, command, data, layout).map((line) => escapeForLine(line))
}

function responseLines(kind: OutputKind, command: string, data: unknown, layout: Layout): string[] {
  switch (kind) {
    case 'none':
      return []
    case 'defaultAcl':
      return parseData<{acls: Array<{acltype: string; allow: boolean}>}>('defaultAcl', data, command).acls.map(
        (a) => `${pad(a.acltype, 20)} : ${a.allow ? 'allow' : 'deny'}`,
      )
    case 'anonymousGroup':
      return [parseData<{group: {groupname: string}}>('anonymousGroup', data, command).group.groupname]
    case 'client':
      return formatClient(parseData<{client: DynsecClient}>('client', data, command).client, layout)
    case 'group':
      return formatGroup(parseData<{group: DynsecGroup}>('group', data, command).group)
    case 'role':
      return formatRole(parseData<{role: DynsecRole}>('role', data, command).role)
    case 'list': {
      const list = parseData<ListData>('list', data, command)
      const items = list.clients ?? list.groups ?? list.roles ?? []
      const lines: string[] = []
      for (const item of items) {
        if (typeof item === 'string') {
          lines.push(item)
          continue
        }

        // Verbose listings: each entry in its get* layout, separated by blank lines.
        if (lines.length > 0) lines.push('')
        if ('username' in item) lines.push(...formatClient(item as DynsecClient, layout))
        else if ('groupname' in item) lines.push(...formatGroup(item as DynsecGroup))
        else lines.push(...formatRole(item as DynsecRole))
      }

      return lines
    }
  }
}
