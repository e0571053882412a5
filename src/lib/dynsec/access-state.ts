import type {ResolvedConnection} from '../connection/resolve.js'
import {MqctlError} from '../errors.js'
import {readInputText} from '../files/input.js'
import {sendDynsecCommands} from './client.js'
import type {DynsecResponse} from './schemas.js'
import {decodeDynsecFile, type DynsecFileLayout} from './state/file-codec.js'
import type {DynsecState, StateAcl, StateClient, StateGroup, StateRole} from './state/model.js'
import {ACL_TYPES} from './schemas.js'

/**
 * The state `dynsec check` and `dynsec who` walk: from a dynamic-security.json (passwords known)
 * or from a live broker through five read-only requests (passwords unknown). Kept small on
 * purpose: the shared state readers (state/read-broker.ts, state/read-file.ts) replace it.
 */
export interface AccessState {
  state: DynsecState
  layout: DynsecFileLayout
  passwordsKnown: boolean
  /** Where it came from, for messages. */
  source: string
  warnings: string[]
}

export function accessStateFromFile(path: string): AccessState {
  const {name, text} = readInputText(path, {label: 'dynamic-security file', allowStdin: true})
  const decoded = decodeDynsecFile(text, name)
  return {state: decoded.state, layout: decoded.layout, passwordsKnown: true, source: name, warnings: decoded.warnings}
}

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b))

function data(r: DynsecResponse, what: string): Obj {
  if (r.error !== undefined) throw new MqctlError('REFUSED_DYNSEC', `${r.command}: Error: ${r.error}`, {exit: 1})
  if (!isObj(r.data)) throw new MqctlError('REFUSED_DYNSEC', `${r.command}: the plugin sent no ${what}`, {exit: 1})
  return r.data
}

const links = <K extends 'rolename' | 'groupname'>(v: unknown, key: K) =>
  (Array.isArray(v) ? v : [])
    .filter((x): x is Obj => isObj(x) && typeof x[key] === 'string')
    .map((x) => ({[key]: x[key] as string, ...(typeof x.priority === 'number' ? {priority: x.priority} : {})}))

const text = (o: Obj) => ({
  ...(typeof o.textname === 'string' ? {textname: o.textname} : {}),
  ...(typeof o.textdescription === 'string' ? {textdescription: o.textdescription} : {}),
})

export async function accessStateFromBroker(connection: ResolvedConnection): Promise<AccessState> {
  const [clients, groups, roles, access, anon] = await sendDynsecCommands(connection, [
    {command: 'listClients', verbose: true, count: -1},
    {command: 'listGroups', verbose: true, count: -1},
    {command: 'listRoles', verbose: true, count: -1},
    {command: 'getDefaultACLAccess'},
    {command: 'getAnonymousGroup'},
  ])
  let layout: DynsecFileLayout = '2.0'
  const stateRoles: StateRole[] = ((data(roles, 'roles').roles as unknown[]) ?? []).filter(isObj).map((r) => {
    if (typeof r.allowwildcardsubs === 'boolean') layout = '2.1'
    const acls: StateAcl[] = (Array.isArray(r.acls) ? r.acls : []).filter(isObj).flatMap((a) => {
      const type = ACL_TYPES.find((t) => t.toLowerCase() === String(a.acltype).toLowerCase())
      if (!type || typeof a.topic !== 'string') return []
      return [
        {
          acltype: type,
          topic: a.topic,
          priority: typeof a.priority === 'number' ? a.priority : 0,
          allow: a.allow === true,
        },
      ]
    })
    return {
      rolename: String(r.rolename),
      ...text(r),
      acls,
      ...(typeof r.allowwildcardsubs === 'boolean' ? {allowwildcardsubs: r.allowwildcardsubs} : {}),
    }
  })
  const stateClients: StateClient[] = ((data(clients, 'clients').clients as unknown[]) ?? [])
    .filter(isObj)
    .map((c) => ({
      username: String(c.username),
      ...(typeof c.clientid === 'string' ? {clientid: c.clientid} : {}),
      ...text(c),
      disabled: c.disabled === true,
      roles: links(c.roles, 'rolename') as StateClient['roles'],
      groups: links(c.groups, 'groupname') as StateClient['groups'],
    }))
  const stateGroups: StateGroup[] = ((data(groups, 'groups').groups as unknown[]) ?? []).filter(isObj).map((g) => ({
    groupname: String(g.groupname),
    ...text(g),
    roles: links(g.roles, 'rolename') as StateGroup['roles'],
  }))
  const defaults = {publishClientSend: false, publishClientReceive: false, subscribe: false, unsubscribe: false}
  for (const a of (data(access, 'default access').acls as unknown[]) ?? []) {
    if (isObj(a) && typeof a.acltype === 'string' && a.acltype in defaults)
      defaults[a.acltype as keyof typeof defaults] = a.allow === true
  }

  const group = data(anon, 'anonymous group').group
  const anonymousGroup =
    isObj(group) && typeof group.groupname === 'string' && group.groupname !== '' ? group.groupname : undefined
  const sorted = <T>(xs: T[], key: (x: T) => string) => xs.sort((a, b) => byteOrder(key(a), key(b)))
  const state: DynsecState = {
    defaultACLAccess: defaults,
    ...(anonymousGroup === undefined ? {} : {anonymousGroup}),
    clients: sorted(stateClients, (c) => c.username),
    groups: sorted(stateGroups, (g) => g.groupname),
    roles: sorted(stateRoles, (r) => r.rolename),
  }
  const where = connection.unix ?? `${connection.host}:${connection.port}`
  return {state, layout, passwordsKnown: false, source: `broker ${where}`, warnings: []}
}
