import {isValidTopicFilter} from '../../topic.js'
import {ACL_TYPES, DEFAULT_ACL_TYPES, DYNSEC_COMMANDS} from '../catalog.js'
import type {DynsecRequest, DynsecResponse} from '../schemas.js'
import type {DynsecState, StateClient, StateGroup, StateRole} from './model.js'
import * as J from './plugin-json.js'
import {get, need, optional, refuse, type Json} from './plugin-json.js'

/**
 * The plugin's command handlers (2.0.x plugins/dynamic-security/*.c, spec 3.3) applied to the
 * state model: same checks in the same order, same error strings, same list semantics. This
 * is the file backend, and the model the plan is proven against.
 *
 * Passwords are not hashed here: the handler records them in `passwords` (by username), and
 * the caller hashes them once, in parallel, before writing the file.
 */
export interface ExecuteContext {
  /** New plain passwords by username; `null` means the client lost its password (deleted). */
  passwords: Map<string, string | null>
  /** PBKDF2 iterations asked for a new password (mqctl's `-f … setClientPassword -i N`). */
  iterations?: Map<string, number>
}

class Handlers {
  constructor(
    private readonly s: DynsecState,
    private readonly ctx: ExecuteContext,
  ) {}

  private client(name: string): StateClient | undefined {
    return J.findSorted(this.s.clients, name, (c) => c.username)
  }

  private group(name: string): StateGroup | undefined {
    return J.findSorted(this.s.groups, name, (g) => g.groupname)
  }

  private role(name: string): StateRole | undefined {
    return J.findSorted(this.s.roles, name, (r) => r.rolename)
  }

  /** dynsec_rolelist__load_from_json: absent or not an array is "no list"; a bad entry fails. */
  private roleList(cmd: Json): Array<{rolename: string; priority?: number}> | undefined {
    const list = get(cmd, 'roles')
    if (!Array.isArray(list)) return undefined
    const out: Array<{rolename: string; priority?: number}> = []
    for (const entry of list) {
      const name = typeof entry === 'object' && entry !== null ? get(entry as Json, 'rolename') : undefined
      if (typeof name !== 'string') refuse(`'roles' not an array or missing/invalid rolename`)
      if (!this.role(name as string)) refuse('Role not found')
      if (out.some((l) => l.rolename === name)) continue
      out.push(J.link('rolename', name as string, J.int(entry as Json, 'priority', -1)))
    }

    return out.sort((a, b) => J.byteOrder(a.rolename, b.rolename))
  }

  /** A modify's membership list (client `groups`, group `clients`); absent: no change; a bad entry refuses. */
  private nameList(
    cmd: Json,
    key: 'groups' | 'clients',
    field: 'groupname' | 'username',
    exists: (name: string) => boolean,
  ): Array<{name: string; priority: number}> | undefined {
    const list = get(cmd, key)
    if (!Array.isArray(list)) return undefined
    return list.map((m) => {
      const name = typeof m === 'object' && m !== null ? get(m as Json, field) : undefined
      if (typeof name !== 'string') refuse(`'${key}' contains an object with an invalid '${field}'`)
      if (!exists(name as string)) refuse(`'${key}' contains an object with a '${field}' that does not exist`)
      return {name: name as string, priority: J.int(m as Json, 'priority', -1)}
    })
  }

  private text(target: {textname?: string; textdescription?: string}, cmd: Json, name: string, desc: string) {
    const textname = optional(cmd, 'textname', name)
    const textdescription = optional(cmd, 'textdescription', desc)
    return () => {
      if (textname !== undefined) target.textname = textname
      if (textdescription !== undefined) target.textdescription = textdescription
    }
  }

  setDefaultACLAccess(cmd: Json): void {
    const acls = get(cmd, 'acls')
    if (!Array.isArray(acls)) refuse('Missing/invalid actions array')
    for (const a of acls as unknown[]) {
      if (typeof a !== 'object' || a === null) continue
      const t = get(a as Json, 'acltype')
      const allow = get(a as Json, 'allow')
      const type = DEFAULT_ACL_TYPES.find((d) => typeof t === 'string' && d.toLowerCase() === t.toLowerCase())
      if (type && typeof allow === 'boolean') this.s.defaultACLAccess[type] = allow
    }
  }

  getDefaultACLAccess(): Json {
    return {acls: DEFAULT_ACL_TYPES.map((acltype) => ({acltype, allow: this.s.defaultACLAccess[acltype]}))}
  }

  createClient(cmd: Json): void {
    const username = J.named(cmd, 'username', 'Invalid/missing username', 'Username not valid UTF-8')
    const password = optional(cmd, 'password', 'Invalid/missing password')
    const clientid = optional(cmd, 'clientid', 'Invalid/missing client id')
    if (clientid !== undefined && !J.validUtf8(clientid)) refuse('Client ID not valid UTF-8')
    const textname = optional(cmd, 'textname', 'Invalid/missing textname')
    const textdescription = optional(cmd, 'textdescription', 'Invalid/missing textdescription')
    if (this.client(username)) refuse('Client already exists')
    const roles = this.roleList(cmd) ?? []
    const groups: Array<{groupname: string; priority?: number}> = []
    const list = get(cmd, 'groups')
    for (const g of Array.isArray(list) ? list : []) {
      const name = typeof g === 'object' && g !== null ? get(g as Json, 'groupname') : undefined
      if (typeof name !== 'string') continue
      if (!this.group(name)) refuse('Group not found')
      if (!groups.some((x) => x.groupname === name))
        groups.push(J.link('groupname', name, J.int(g as Json, 'priority', -1)))
    }

    const client: StateClient = {
      username,
      ...(clientid ? {clientid} : {}),
      ...J.present({textname, textdescription}, ['textname', 'textdescription']),
      disabled: false,
      roles,
      groups: groups.sort((a, b) => J.byteOrder(a.groupname, b.groupname)),
    }
    J.insertSorted(this.s.clients, client, (c) => c.username)
    this.ctx.passwords.set(username, password ?? null)
  }

  deleteClient(cmd: Json): void {
    const username = need(cmd, 'username', 'Invalid/missing username')
    const i = this.s.clients.findIndex((c) => c.username === username)
    if (i === -1) refuse('Client not found')
    this.s.clients.splice(i, 1)
    this.ctx.passwords.delete(username)
  }

  private existingClient(cmd: Json): StateClient {
    const username = J.named(cmd, 'username', 'Invalid/missing username', 'Username not valid UTF-8')
    return this.client(username) ?? refuse('Client not found')
  }

  enableClient(cmd: Json): void {
    this.existingClient(cmd).disabled = false
  }

  disableClient(cmd: Json): void {
    this.existingClient(cmd).disabled = true
  }

  setClientId(cmd: Json): void {
    J.named(cmd, 'username', 'Invalid/missing username', 'Username not valid UTF-8')
    const clientid = optional(cmd, 'clientid', 'Invalid/missing client ID')
    if (clientid !== undefined && !J.validUtf8(clientid)) refuse('Client ID not valid UTF-8')
    const client = this.existingClient(cmd)
    if (clientid) client.clientid = clientid
    else delete client.clientid
  }

  setClientPassword(cmd: Json): void {
    J.named(cmd, 'username', 'Invalid/missing username', 'Username not valid UTF-8')
    const password = need(cmd, 'password', 'Invalid/missing password')
    if (password === '') refuse('Empty password is not allowed')
    const client = this.existingClient(cmd)
    this.ctx.passwords.set(client.username, password)
    const iterations = J.int(cmd, 'iterations', 0)
    if (iterations > 0) (this.ctx.iterations ??= new Map()).set(client.username, iterations)
  }

  addClientRole(cmd: Json): void {
    J.named(cmd, 'username', 'Invalid/missing username', 'Username not valid UTF-8')
    const rolename = J.named(cmd, 'rolename', 'Invalid/missing rolename', 'Role name not valid UTF-8')
    const client = this.existingClient(cmd)
    if (!this.role(rolename)) refuse('Role not found')
    if (client.roles.some((r) => r.rolename === rolename)) refuse('Internal error')
    J.insertSorted(client.roles, J.link('rolename', rolename, J.int(cmd, 'priority', -1)), (r) => r.rolename)
  }

  removeClientRole(cmd: Json): void {
    J.named(cmd, 'username', 'Invalid/missing username', 'Username not valid UTF-8')
    const rolename = J.named(cmd, 'rolename', 'Invalid/missing rolename', 'Role name not valid UTF-8')
    const client = this.existingClient(cmd)
    if (!this.role(rolename)) refuse('Role not found')
    client.roles = client.roles.filter((r) => r.rolename !== rolename)
  }

  getClient(cmd: Json): Json {
    const c = this.existingClient(cmd)
    return {
      client: {
        username: c.username,
        ...(c.clientid === undefined ? {} : {clientid: c.clientid}),
        ...J.present(c, ['textname', 'textdescription']),
        ...(c.disabled ? {disabled: true} : {}),
        roles: c.roles,
        groups: c.groups,
      },
    }
  }

  modifyClient(cmd: Json): void {
    const client = this.existingClient(cmd)
    const clientid = get(cmd, 'clientid')
    const password = get(cmd, 'password')
    const applyText = this.text(client, cmd, 'Internal error', 'Internal error')
    const roles = this.roleList(cmd)
    const named = this.nameList(cmd, 'groups', 'groupname', (n) => this.group(n) !== undefined)
    const groups = named?.flatMap((g, i) =>
      named.findIndex((x) => x.name === g.name) === i ? [J.link('groupname', g.name, g.priority)] : [],
    )

    if (typeof clientid === 'string') {
      if (clientid.length > 0) client.clientid = clientid
      else delete client.clientid
    }

    if (typeof password === 'string' && password.length > 0) this.ctx.passwords.set(client.username, password)
    applyText()
    if (roles) client.roles = roles
    if (groups) client.groups = groups.sort((a, b) => J.byteOrder(a.groupname, b.groupname))
  }

  list(cmd: Json, key: 'clients' | 'groups' | 'roles'): Json {
    const verbose = J.bool(cmd, 'verbose', false)
    let count = J.int(cmd, 'count', -1)
    const offset = J.int(cmd, 'offset', 0)
    const all = this.s[key]
    const out: unknown[] = []
    for (let i = 0; i < all.length; i++) {
      if (i < offset) continue
      const item = all[i]
      if (key === 'clients') {
        const c = item as StateClient
        out.push(verbose ? this.getClient({username: c.username}).client : c.username)
      } else if (key === 'groups') {
        const g = item as StateGroup
        out.push(verbose ? this.getGroup({groupname: g.groupname}).group : g.groupname)
      } else {
        const r = item as StateRole
        out.push(verbose ? this.getRole({rolename: r.rolename}).role : r.rolename)
      }

      // The plugin decrements before it tests for zero, so count 0 still lists one.
      if (count >= 0) {
        count--
        if (count <= 0) break
      }
    }

    return {totalCount: all.length, [key]: out}
  }

  createGroup(cmd: Json): void {
    const groupname = J.named(cmd, 'groupname', 'Invalid/missing groupname', 'Group name not valid UTF-8')
    const textname = optional(cmd, 'textname', 'Invalid/missing textname')
    const textdescription = optional(cmd, 'textdescription', 'Invalid/missing textdescription')
    if (this.group(groupname)) refuse('Group already exists')
    const roles = this.roleList(cmd) ?? []
    const group: StateGroup = {
      groupname,
      ...J.present({textname, textdescription}, ['textname', 'textdescription']),
      roles,
    }
    J.insertSorted(this.s.groups, group, (g) => g.groupname)
  }

  private existingGroup(cmd: Json): StateGroup {
    const groupname = J.named(cmd, 'groupname', 'Invalid/missing groupname', 'Group name not valid UTF-8')
    return this.group(groupname) ?? refuse('Group not found')
  }

  deleteGroup(cmd: Json): void {
    const group = this.existingGroup(cmd)
    // 2.0.11 crashes here; 2.0.15+ refuses, and so does a file (it would not load otherwise).
    if (this.s.anonymousGroup === group.groupname) refuse('Deleting the anonymous group is forbidden')
    this.s.groups = this.s.groups.filter((g) => g !== group)
    for (const c of this.s.clients) c.groups = c.groups.filter((g) => g.groupname !== group.groupname)
  }

  getGroup(cmd: Json): {group: Json} {
    const g = this.existingGroup(cmd)
    const clients = this.s.clients.filter((c) => c.groups.some((x) => x.groupname === g.groupname))
    return {
      group: {
        groupname: g.groupname,
        ...J.present(g, ['textname', 'textdescription']),
        clients: clients.map((c) => ({username: c.username})),
        roles: g.roles,
      },
    }
  }

  modifyGroup(cmd: Json): void {
    const group = this.existingGroup(cmd)
    const applyText = this.text(group, cmd, 'Internal error', 'Internal error')
    const roles = this.roleList(cmd)
    const members = this.nameList(cmd, 'clients', 'username', (n) => this.client(n) !== undefined)
    applyText()
    if (roles) group.roles = roles
    if (members) {
      const byName = new Map<string, {name: string; priority: number}>()
      for (const m of members) if (!byName.has(m.name)) byName.set(m.name, m) // the first entry counts
      for (const c of this.s.clients) {
        c.groups = c.groups.filter((g) => g.groupname !== group.groupname)
        const m = byName.get(c.username)
        if (m) J.insertSorted(c.groups, J.link('groupname', group.groupname, m.priority), (g) => g.groupname)
      }
    }
  }

  addGroupClient(cmd: Json): void {
    const username = J.named(cmd, 'username', 'Invalid/missing username', 'Username not valid UTF-8')
    J.named(cmd, 'groupname', 'Invalid/missing groupname', 'Group name not valid UTF-8')
    const client = this.client(username) ?? refuse('Client not found')
    const group = this.existingGroup(cmd)
    if (client.groups.some((g) => g.groupname === group.groupname)) refuse('Client is already in this group')
    J.insertSorted(client.groups, J.link('groupname', group.groupname, J.int(cmd, 'priority', -1)), (g) => g.groupname)
  }

  removeGroupClient(cmd: Json): void {
    const username = J.named(cmd, 'username', 'Invalid/missing username', 'Username not valid UTF-8')
    J.named(cmd, 'groupname', 'Invalid/missing groupname', 'Group name not valid UTF-8')
    const client = this.client(username) ?? refuse('Client not found')
    const group = this.existingGroup(cmd)
    client.groups = client.groups.filter((g) => g.groupname !== group.groupname)
  }

  addGroupRole(cmd: Json): void {
    const group = this.existingGroup(cmd)
    const rolename = J.named(cmd, 'rolename', 'Invalid/missing rolename', 'Role name not valid UTF-8')
    if (!this.role(rolename)) refuse('Role not found')
    if (group.roles.some((r) => r.rolename === rolename)) refuse('Group is already in this role')
    J.insertSorted(group.roles, J.link('rolename', rolename, J.int(cmd, 'priority', -1)), (r) => r.rolename)
  }

  removeGroupRole(cmd: Json): void {
    const group = this.existingGroup(cmd)
    const rolename = J.named(cmd, 'rolename', 'Invalid/missing rolename', 'Role name not valid UTF-8')
    if (!this.role(rolename)) refuse('Role not found')
    group.roles = group.roles.filter((r) => r.rolename !== rolename)
  }

  setAnonymousGroup(cmd: Json): void {
    this.s.anonymousGroup = this.existingGroup(cmd).groupname
  }

  getAnonymousGroup(): Json {
    return {group: {groupname: this.s.anonymousGroup ?? ''}}
  }

  createRole(cmd: Json): void {
    const rolename = J.named(cmd, 'rolename', 'Invalid/missing rolename', 'Role name not valid UTF-8')
    const textname = optional(cmd, 'textname', 'Invalid/missing textname')
    const textdescription = optional(cmd, 'textdescription', 'Invalid/missing textdescription')
    if (this.role(rolename)) refuse('Role already exists')
    const role: StateRole = {
      rolename,
      ...J.present({textname, textdescription}, ['textname', 'textdescription']),
      acls: J.loadAcls(get(cmd, 'acls')),
    }
    J.insertSorted(this.s.roles, role, (r) => r.rolename)
  }

  private existingRole(cmd: Json, missing = 'Role not found'): StateRole {
    const rolename = J.named(cmd, 'rolename', 'Invalid/missing rolename', 'Role name not valid UTF-8')
    return this.role(rolename) ?? refuse(missing)
  }

  deleteRole(cmd: Json): void {
    const role = this.existingRole(cmd)
    this.s.roles = this.s.roles.filter((r) => r !== role)
    for (const x of [...this.s.clients, ...this.s.groups]) x.roles = x.roles.filter((r) => r.rolename !== role.rolename)
  }

  getRole(cmd: Json): {role: Json} {
    const r = this.existingRole(cmd)
    return {
      role: {
        rolename: r.rolename,
        ...J.present(r, ['textname', 'textdescription']),
        acls: r.acls,
      },
    }
  }

  modifyRole(cmd: Json): void {
    const role = this.existingRole(cmd, 'Role does not exist')
    const applyText = this.text(role, cmd, 'Internal error', 'Internal error')
    const acls = get(cmd, 'acls')
    applyText()
    if (Array.isArray(acls)) role.acls = J.loadAcls(acls)
  }

  private aclTarget(cmd: Json): [StateRole, (typeof ACL_TYPES)[number], string] {
    const role = this.existingRole(cmd)
    const t = need(cmd, 'acltype', 'Invalid/missing acltype')
    const acltype = ACL_TYPES.find((x) => x.toLowerCase() === t.toLowerCase()) ?? refuse('Unknown acltype')
    const topic = need(cmd, 'topic', 'Invalid/missing topic')
    if (!J.validUtf8(topic)) refuse('Topic not valid UTF-8')
    return [role, acltype, topic]
  }

  addRoleACL(cmd: Json): void {
    const [role, acltype, topic] = this.aclTarget(cmd)
    if (!isValidTopicFilter(topic)) refuse('Invalid ACL topic')
    if (role.acls.some((a) => a.acltype === acltype && a.topic === topic)) refuse('ACL with this topic already exists')
    J.insertAcl(role.acls, {acltype, topic, priority: J.int(cmd, 'priority', 0), allow: J.bool(cmd, 'allow', false)})
  }

  removeRoleACL(cmd: Json): void {
    const [role, acltype, topic] = this.aclTarget(cmd)
    if (!isValidTopicFilter(topic)) refuse('Invalid ACL topic')
    const i = role.acls.findIndex((a) => a.acltype === acltype && a.topic === topic)
    if (i === -1) refuse('ACL not found')
    role.acls.splice(i, 1)
  }
}

const HANDLERS = new WeakMap<DynsecState, WeakMap<ExecuteContext, Handlers>>()

const CANONICAL = new Map(DYNSEC_COMMANDS.map((c) => [c.name.toLowerCase(), c.name]))

/** Commands that change the state (and so make the file backend rewrite the file). */
export const isMutating = (command: string): boolean => !/^(get|list)/i.test(command)

/**
 * Applies one plugin command to `state` (in place) and returns the response the plugin would
 * send. A refused command leaves the state as it was.
 */
export function executeCommand(state: DynsecState, request: DynsecRequest, ctx: ExecuteContext): DynsecResponse {
  const name = CANONICAL.get(String(request.command).toLowerCase())
  const echo = request.correlationData === undefined ? {} : {correlationData: request.correlationData}
  if (!name) return {command: String(request.command), error: 'Unknown command', ...echo}
  // One handler object per state and context, not per command (a 1000-client plan runs 1000).
  const forState = HANDLERS.get(state) ?? HANDLERS.set(state, new WeakMap()).get(state)!
  const h = forState.get(ctx) ?? forState.set(ctx, new Handlers(state, ctx)).get(ctx)!
  const cmd = request as Json
  try {
    let data: Json | undefined | void
    if (name === 'listClients') data = h.list(cmd, 'clients')
    else if (name === 'listGroups') data = h.list(cmd, 'groups')
    else if (name === 'listRoles') data = h.list(cmd, 'roles')
    else data = (h[name as keyof Handlers] as (c: Json) => Json | void).call(h, cmd)
    // A copy: the handlers answer with the model's own arrays, which later commands change (a
    // batch printed a getRole as it was after the lines below it).
    return data ? {command: name, data: structuredClone(data), ...echo} : {command: name, ...echo}
  } catch (error) {
    if (error instanceof J.Refusal) return {command: name, error: error.text, ...echo}
    throw error
  }
}
