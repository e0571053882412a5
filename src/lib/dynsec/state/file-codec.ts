import {MqctlError} from '../../errors.js'
import {ACL_TYPES} from '../catalog.js'
import type {DynsecState, StateAcl, StateClient, StateGroup, StateRole, StoredPassword} from './model.js'
import {byteOrder} from './plugin-json.js'

/**
 * dynamic-security.json <-> DynsecState, reading as the plugin's loader does (2.0.11
 * plugins/dynamic-security/{plugin,roles,clients,groups}.c; 2.1.2 adds changeIndex and
 * encoded_password): keys are looked up case-insensitively, entries the plugin skips are
 * skipped here too and reported as warnings, and only what makes the plugin load nothing at
 * all (not JSON, not an object, a top-level list that is not an array) is refused.
 */
export type DynsecFileLayout = '2.0' | '2.1'

export interface DecodedDynsecFile {
  state: DynsecState
  layout: DynsecFileLayout
  /** 2.1's save counter, kept so a rewrite continues it. */
  changeIndex?: number
  /** What the plugin would silently drop, with a JSON path each. */
  warnings: string[]
}

type Json = unknown
type JsonObject = Record<string, Json>

const isObject = (v: Json): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v)

/** cJSON_GetObjectItem: the first key equal ignoring ASCII case. */
function get(obj: JsonObject, key: string): Json {
  if (Object.hasOwn(obj, key)) return obj[key]
  const lower = key.toLowerCase()
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return obj[k]
  return undefined
}

const str = (obj: JsonObject, key: string): string | undefined => {
  const v = get(obj, key)
  return typeof v === 'string' ? v : undefined
}

/** json_get_int: a number is truncated like the C cast; anything else is the default. */
const int = (obj: JsonObject, key: string, fallback: number): number => {
  const v = get(obj, key)
  return typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : fallback
}

/**
 * Where JSON.parse gave up: Node 20's messages carry no position, so a small scanner finds the
 * first offending offset (run only after a failed parse).
 */
export function jsonErrorOffset(text: string): number {
  let i = 0
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++
  }

  const fail = (): never => {
    throw i
  }

  const value = (): void => {
    ws()
    const c = text[i]
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']'
      i++
      ws()
      if (text[i] === close) return void i++
      for (;;) {
        if (c === '{') {
          ws()
          if (text[i] !== '"') fail()
          value()
          ws()
          if (text[i] !== ':') fail()
          i++
        }

        value()
        ws()
        if (text[i] === ',') i++
        else if (text[i] === close) return void i++
        else fail()
      }
    }

    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) {
        if (text.charCodeAt(i) < 0x20) fail()
        if (text[i] === '\\') i++
      }

      if (i >= text.length) fail()
      return void i++
    }

    const m = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 400))
    if (!m) fail()
    i += m![0].length
  }

  try {
    value()
    ws()
    return i < text.length ? i : -1
  } catch (at) {
    return at as number
  }
}

function parseError(name: string, text: string): MqctlError {
  const at = jsonErrorOffset(text)
  const before = text.slice(0, Math.max(0, at))
  const line = before.split('\n').length
  const column = before.length - before.lastIndexOf('\n')
  return new MqctlError('PARSE_DYNSEC_JSON', 'not valid JSON: the plugin would load an empty configuration', {
    location: {file: name, line, column},
  })
}

const refuse = (name: string, what: string) =>
  new MqctlError('PARSE_DYNSEC_FILE', `${what}: the plugin would refuse this file`, {location: {file: name}})

function decodeAcls(list: Json, path: string, warnings: string[]): StateAcl[] {
  if (!Array.isArray(list)) return []
  const acls: StateAcl[] = []
  // The plugin loads each type in turn, so the saved order is by type, then priority descending.
  for (const type of ACL_TYPES) {
    const ofType: StateAcl[] = []
    list.forEach((entry, i) => {
      if (!isObject(entry)) return
      const acltype = str(entry, 'acltype')
      if (acltype?.toLowerCase() !== type.toLowerCase()) return
      const topic = str(entry, 'topic')
      if (topic === undefined) {
        warnings.push(`${path}[${i}]: an ACL without a string topic is skipped`)
        return
      }

      const allow = get(entry, 'allow')
      ofType.push({acltype: type, topic, priority: int(entry, 'priority', 0), allow: allow === true})
    })
    ofType.sort((a, b) => b.priority - a.priority)
    for (const acl of ofType) acls.push(acl)
  }

  list.forEach((entry, i) => {
    const t = isObject(entry) ? str(entry, 'acltype') : undefined
    if (!ACL_TYPES.some((x) => x.toLowerCase() === t?.toLowerCase())) {
      warnings.push(`${path}[${i}]: an ACL with an unknown acltype is skipped`)
    }
  })
  return acls
}

function decodeStored(entry: JsonObject, layout: DynsecFileLayout): StoredPassword | 'invalid' | undefined {
  const encoded = layout === '2.1' ? str(entry, 'encoded_password') : undefined
  if (encoded !== undefined) return {encoded_password: encoded}
  const password = str(entry, 'password')
  const salt = str(entry, 'salt')
  const iterations = get(entry, 'iterations')
  if (password === undefined || salt === undefined || typeof iterations !== 'number') return undefined
  const saltBytes = Buffer.from(salt, 'base64').length
  const saltOk = saltBytes === 12 || (layout === '2.1' && saltBytes === 64)
  if (Math.trunc(iterations) < 1 || !saltOk || Buffer.from(password, 'base64').length !== 64) return 'invalid'
  return {password, salt, iterations: Math.trunc(iterations)}
}

const text = (entry: JsonObject) => ({
  ...(str(entry, 'textname') === undefined ? {} : {textname: str(entry, 'textname')}),
  ...(str(entry, 'textdescription') === undefined ? {} : {textdescription: str(entry, 'textdescription')}),
})

function topList(root: JsonObject, key: string, name: string): Json[] {
  const v = get(root, key)
  if (v === undefined || v === null) return []
  if (!Array.isArray(v)) throw refuse(name, `"${key}" is not an array`)
  return v
}

/** Decodes a dynamic-security.json text (name is for messages). An empty file is an empty state. */
export function decodeDynsecFile(source: string, name: string): DecodedDynsecFile {
  const warnings: string[] = []
  let root: Json
  if (source.length === 0) root = {}
  else {
    try {
      root = JSON.parse(source)
    } catch {
      throw parseError(name, source)
    }
  }

  if (!isObject(root)) throw refuse(name, 'the top level is not a JSON object')
  const changeIndexValue = get(root, 'changeIndex')
  const rawClients = topList(root, 'clients', name)
  const layout: DynsecFileLayout =
    changeIndexValue !== undefined || rawClients.some((c) => isObject(c) && get(c, 'encoded_password') !== undefined)
      ? '2.1'
      : '2.0'

  const access = get(root, 'defaultACLAccess')
  const flag = (key: string) => isObject(access) && get(access, key) === true
  const defaultACLAccess = {
    publishClientSend: flag('publishClientSend'),
    publishClientReceive: flag('publishClientReceive'),
    subscribe: flag('subscribe'),
    unsubscribe: flag('unsubscribe'),
  }

  const roles = new Map<string, StateRole>()
  topList(root, 'roles', name).forEach((entry, i) => {
    if (!isObject(entry)) return
    const rolename = str(entry, 'rolename')
    if (rolename === undefined) return void warnings.push(`roles[${i}]: a role without a string rolename is skipped`)
    const wild = get(entry, 'allowwildcardsubs')
    roles.set(rolename, {
      rolename,
      ...text(entry),
      acls: decodeAcls(get(entry, 'acls'), `roles[${i}].acls`, warnings),
      ...(layout === '2.1' && typeof wild === 'boolean' ? {allowwildcardsubs: wild} : {}),
    })
  })

  const roleLinks = (list: Json, path: string) => {
    if (!Array.isArray(list)) return []
    const links: Array<{rolename: string; priority?: number}> = []
    list.forEach((link, i) => {
      const rolename = isObject(link) ? str(link, 'rolename') : undefined
      if (rolename === undefined) return
      if (!roles.has(rolename)) return void warnings.push(`${path}[${i}]: role "${rolename}" does not exist; dropped`)
      const priority = int(link as JsonObject, 'priority', -1)
      links.push(priority === -1 ? {rolename} : {rolename, priority})
    })
    return links.sort((a, b) => byteOrder(a.rolename, b.rolename))
  }

  const clients = new Map<string, StateClient>()
  rawClients.forEach((entry, i) => {
    if (!isObject(entry)) return
    const username = str(entry, 'username')
    if (username === undefined)
      return void warnings.push(`clients[${i}]: a client without a string username is skipped`)
    const stored = decodeStored(entry, layout)
    if (stored === 'invalid') {
      return void warnings.push(
        `clients[${i}]: "${username}" has an invalid password/salt/iterations; the plugin skips it`,
      )
    }

    const clientid = str(entry, 'clientid')
    clients.set(username, {
      username,
      ...(clientid === undefined ? {} : {clientid}),
      ...text(entry),
      disabled: get(entry, 'disabled') === true,
      roles: roleLinks(get(entry, 'roles'), `clients[${i}].roles`),
      groups: [],
      ...(stored === undefined ? {} : {stored}),
    })
  })

  const groups = new Map<string, StateGroup>()
  topList(root, 'groups', name).forEach((entry, i) => {
    if (!isObject(entry)) return
    const groupname = str(entry, 'groupname')
    if (groupname === undefined)
      return void warnings.push(`groups[${i}]: a group without a string groupname is skipped`)
    groups.set(groupname, {groupname, ...text(entry), roles: roleLinks(get(entry, 'roles'), `groups[${i}].roles`)})
    const members = get(entry, 'clients')
    if (!Array.isArray(members)) return
    members.forEach((m, j) => {
      const username = isObject(m) ? str(m, 'username') : undefined
      if (username === undefined) return
      const client = clients.get(username)
      if (!client) return void warnings.push(`groups[${i}].clients[${j}]: client "${username}" does not exist; dropped`)
      const priority = int(m as JsonObject, 'priority', -1)
      client.groups.push(priority === -1 ? {groupname} : {groupname, priority})
    })
  })
  for (const c of clients.values()) c.groups.sort((a, b) => byteOrder(a.groupname, b.groupname))

  let anonymousGroup: string | undefined
  const anon = get(root, 'anonymousGroup')
  if (typeof anon === 'string') {
    if (groups.has(anon)) anonymousGroup = anon
    else warnings.push(`anonymousGroup: group "${anon}" does not exist; no anonymous group`)
  }

  const sorted = <T>(m: Map<string, T>) => [...m.entries()].sort(([a], [b]) => byteOrder(a, b)).map(([, v]) => v)
  const state: DynsecState = {
    defaultACLAccess,
    ...(anonymousGroup === undefined ? {} : {anonymousGroup}),
    clients: sorted(clients),
    groups: sorted(groups),
    roles: sorted(roles),
  }
  const changeIndex = typeof changeIndexValue === 'number' ? Math.trunc(changeIndexValue) : undefined
  return {state, layout, ...(changeIndex === undefined ? {} : {changeIndex}), warnings}
}

const withPriority = <T extends {priority?: number}>(link: T) =>
  link.priority === undefined || link.priority === -1 ? {...link, priority: undefined} : link

/**
 * The file content the plugin itself would save for this state (key order as its saver writes
 * it, tab indentation, no trailing newline). A 2.0 layout cannot hold a 2.1 encoded password
 * unless it is a `$7$` hash with a 12-byte salt, which is converted to the 2.0 triple.
 */
export function encodeDynsecFile(state: DynsecState, layout: DynsecFileLayout, changeIndex?: number): string {
  const members = new Map<string, Array<{username: string; priority?: number}>>()
  for (const c of state.clients) {
    for (const g of c.groups) {
      const list = members.get(g.groupname) ?? []
      list.push(withPriority({username: c.username, priority: g.priority}))
      members.set(g.groupname, list)
    }
  }

  const storedFields = (c: StateClient) => {
    const s = c.stored
    if (!s) return {}
    if ('password' in s) return {password: s.password, salt: s.salt, iterations: s.iterations}
    if (layout === '2.1') return {encoded_password: s.encoded_password}
    const m = /^\$7\$(\d+)\$([^$]+)\$([^$]+)$/.exec(s.encoded_password)
    if (!m || Buffer.from(m[2], 'base64').length !== 12) {
      throw new MqctlError(
        'USAGE_DYNSEC_LAYOUT',
        `client "${c.username}" has a password hash a 2.0 plugin cannot read; write the 2.1 layout or set a new password`,
      )
    }

    return {password: m[3], salt: m[2], iterations: Number(m[1])}
  }

  const doc = {
    ...(layout === '2.1' ? {changeIndex: changeIndex ?? 0} : {}),
    defaultACLAccess: state.defaultACLAccess,
    clients: state.clients.map((c) => ({
      username: c.username,
      clientid: c.clientid,
      textname: c.textname,
      textdescription: c.textdescription,
      disabled: c.disabled ? true : undefined,
      roles: c.roles.map(withPriority),
      ...storedFields(c),
    })),
    groups: state.groups.map((g) => ({
      groupname: g.groupname,
      textname: g.textname,
      textdescription: g.textdescription,
      roles: g.roles.map(withPriority),
      clients: members.get(g.groupname) ?? [],
    })),
    ...(state.anonymousGroup === undefined ? {} : {anonymousGroup: state.anonymousGroup}),
    roles: state.roles.map((r) => ({
      rolename: r.rolename,
      textname: r.textname,
      textdescription: r.textdescription,
      ...(layout === '2.1' && r.allowwildcardsubs !== undefined ? {allowwildcardsubs: r.allowwildcardsubs} : {}),
      acls: r.acls,
    })),
  }
  // JSON.stringify drops the undefined optionals, which is the saver's "omitted when unset".
  return JSON.stringify(doc, null, '\t')
}
