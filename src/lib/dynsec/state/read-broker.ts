import {MqctlError} from '../../errors.js'
import type {DynsecBackend} from '../backend.js'
import {ACL_TYPES} from '../catalog.js'
import type {DynsecRequest, DynsecResponse} from '../schemas.js'
import type {DynsecState, StateAcl, StateClient, StateGroup, StateRole} from './model.js'
import {byteOrder} from './plugin-json.js'

/** Entries per list command: one page of 1000 verbose clients is ~150 kB, far below any packet limit. */
export const DEFAULT_PAGE_SIZE = 1000

type Json = Record<string, unknown>
type Send = Pick<DynsecBackend, 'send'>

const byName =
  <K extends string>(key: K) =>
  (a: Record<K, string>, b: Record<K, string>) =>
    byteOrder(a[key], b[key])

const LISTS = [
  ['listRoles', 'roles'],
  ['listGroups', 'groups'],
  ['listClients', 'clients'],
] as const

function refused(response: DynsecResponse | undefined, command: string): MqctlError {
  const text = response?.error ?? 'no answer'
  return new MqctlError('REFUSED_DYNSEC', `${command}: Error: ${text}`, {verbatim: `${command}: Error: ${text}`})
}

const data = (response: DynsecResponse | undefined, command: string): Json => {
  if (!response || response.error !== undefined || typeof response.data !== 'object' || response.data === null) {
    throw refused(response, command)
  }

  return response.data as Json
}

const text = (o: Json) => ({
  ...(typeof o.textname === 'string' ? {textname: o.textname} : {}),
  ...(typeof o.textdescription === 'string' ? {textdescription: o.textdescription} : {}),
})

function links<K extends 'rolename' | 'groupname'>(
  list: unknown,
  key: K,
): Array<Record<K, string> & {priority?: number}> {
  if (!Array.isArray(list)) return []
  const out: Array<Record<K, string> & {priority?: number}> = []
  for (const l of list as Json[]) {
    if (typeof l?.[key] !== 'string') continue
    const priority = typeof l.priority === 'number' && l.priority !== -1 ? l.priority : undefined
    out.push({[key]: l[key], ...(priority === undefined ? {} : {priority})} as Record<K, string> & {priority?: number})
  }

  return out.sort(byName(key))
}

/** The plugin's ACL order: by type, then priority descending (a stable sort keeps its tie order). */
export function sortAcls(acls: StateAcl[]): StateAcl[] {
  const rank = (t: string) => ACL_TYPES.indexOf(t as (typeof ACL_TYPES)[number])
  return acls
    .map((a, i) => [a, i] as const)
    .sort(([a, i], [b, j]) => rank(a.acltype) - rank(b.acltype) || b.priority - a.priority || i - j)
    .map(([a]) => a)
}

export function roleFromApi(r: Json): StateRole {
  const acls: StateAcl[] = []
  for (const a of Array.isArray(r.acls) ? (r.acls as Json[]) : []) {
    if (typeof a?.acltype !== 'string' || typeof a.topic !== 'string') continue
    const acltype = ACL_TYPES.find((t) => t.toLowerCase() === (a.acltype as string).toLowerCase())
    if (!acltype) continue
    acls.push({
      acltype,
      topic: a.topic,
      priority: typeof a.priority === 'number' ? a.priority : 0,
      allow: a.allow === true,
    })
  }

  return {
    rolename: r.rolename as string,
    ...text(r),
    acls: sortAcls(acls),
    ...(typeof r.allowwildcardsubs === 'boolean' ? {allowwildcardsubs: r.allowwildcardsubs} : {}),
  }
}

export const groupFromApi = (g: Json): StateGroup => ({
  groupname: g.groupname as string,
  ...text(g),
  roles: links(g.roles, 'rolename'),
})

export const clientFromApi = (c: Json): StateClient => ({
  username: c.username as string,
  ...(typeof c.clientid === 'string' ? {clientid: c.clientid} : {}),
  ...text(c),
  disabled: c.disabled === true,
  roles: links(c.roles, 'rolename'),
  groups: links(c.groups, 'groupname'),
})

/**
 * Reads the whole plugin state from a broker (or any backend) in as few round trips as the
 * state allows: the default access, the anonymous group and the first page of each verbose
 * list go in one request; only a state larger than a page needs a second request, which asks
 * for every remaining page at once.
 */
export async function readBrokerState(backend: Send, options: {pageSize?: number} = {}): Promise<DynsecState> {
  const page = options.pageSize ?? DEFAULT_PAGE_SIZE
  const first: DynsecRequest[] = [
    {command: 'getDefaultACLAccess'},
    {command: 'getAnonymousGroup'},
    ...LISTS.map(([command]) => ({command, verbose: true, count: page, offset: 0})),
  ]
  const responses = await backend.send(first)
  const access = data(responses[0], 'getDefaultACLAccess')
  const anonymous = data(responses[1], 'getAnonymousGroup')

  const items: Record<string, Json[]> = {roles: [], groups: [], clients: []}
  const more: DynsecRequest[] = []
  LISTS.forEach(([command, key], i) => {
    const d = data(responses[2 + i], command)
    items[key].push(...((d[key] as Json[] | undefined) ?? []))
    const total = typeof d.totalCount === 'number' ? d.totalCount : 0
    for (let offset = page; offset < total; offset += page) more.push({command, verbose: true, count: page, offset})
  })
  if (more.length > 0) {
    const rest = await backend.send(more)
    more.forEach((request, i) => {
      const key = LISTS.find(([c]) => c === request.command)![1]
      items[key].push(...((data(rest[i], request.command)[key] as Json[] | undefined) ?? []))
    })
  }

  const flags = new Map<string, boolean>()
  for (const a of (access.acls as Json[] | undefined) ?? []) {
    if (typeof a?.acltype === 'string') flags.set(a.acltype, a.allow === true)
  }

  const anon = (anonymous.group as Json | undefined)?.groupname
  const objects = (list: Json[], key: string) =>
    list.filter((o) => typeof o === 'object' && typeof o?.[key] === 'string')
  return {
    defaultACLAccess: {
      publishClientSend: flags.get('publishClientSend') ?? false,
      publishClientReceive: flags.get('publishClientReceive') ?? false,
      subscribe: flags.get('subscribe') ?? false,
      unsubscribe: flags.get('unsubscribe') ?? false,
    },
    ...(typeof anon === 'string' && anon !== '' ? {anonymousGroup: anon} : {}),
    clients: dedupe(objects(items.clients, 'username').map(clientFromApi), 'username'),
    groups: dedupe(objects(items.groups, 'groupname').map(groupFromApi), 'groupname'),
    roles: dedupe(objects(items.roles, 'rolename').map(roleFromApi), 'rolename'),
  }
}

/** Pages read while another admin adds or deletes entries can overlap; keep one of each. */
function dedupe<T extends Record<K, string>, K extends string>(list: T[], key: K): T[] {
  const seen = new Map<string, T>()
  for (const item of list) seen.set(item[key], item)
  return [...seen.values()].sort(byName(key))
}
