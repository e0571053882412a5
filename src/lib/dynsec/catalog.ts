import {MqctlError} from '../errors.js'
import {closest} from '../suggest.js'
import {checkTopicFilter, describeTopicProblem} from '../topic.js'
import {ACL_TYPES, DEFAULT_ACL_TYPES} from './acl-types.js'
import type {DynsecRequest} from './schemas.js'

/**
 * Every dynsec command with mosquitto_ctrl's argument syntax (spec 2.5): how its words become
 * the JSON request, checked here before any connection is made.
 */
export type OutputKind = 'none' | 'defaultAcl' | 'client' | 'group' | 'role' | 'list' | 'anonymousGroup'

export interface DynsecCommandSpec {
  name: string
  summary: string
  /** Positional parameters in mosquitto_ctrl order; `?` marks optional ones. */
  params: string[]
  output: OutputKind
}

const spec = (name: string, params: string[], output: OutputKind, summary: string): DynsecCommandSpec => ({
  name,
  params,
  output,
  summary,
})

export const DYNSEC_COMMANDS: readonly DynsecCommandSpec[] = [
  spec(
    'setDefaultACLAccess',
    ['acltype', 'allow|deny'],
    'none',
    'Set the default access for one of publishClientSend, publishClientReceive, subscribe, unsubscribe.',
  ),
  spec('getDefaultACLAccess', [], 'defaultAcl', 'Show the default access of the four ACL types.'),
  spec('createClient', ['username'], 'none', 'Create a client (a user that can log in).'),
  spec('deleteClient', ['username'], 'none', 'Delete a client.'),
  spec('enableClient', ['username'], 'none', 'Allow a disabled client to log in again.'),
  spec('disableClient', ['username'], 'none', 'Stop a client from logging in (and disconnect it).'),
  spec('setClientId', ['username', 'clientid?'], 'none', 'Bind a client to one MQTT client id, or remove the binding.'),
  spec('setClientPassword', ['username', 'password?'], 'none', "Set a client's password."),
  spec('addClientRole', ['username', 'rolename', 'priority?'], 'none', 'Give a client a role.'),
  spec('removeClientRole', ['username', 'rolename'], 'none', 'Take a role from a client.'),
  spec('getClient', ['username'], 'client', 'Show a client.'),
  spec('listClients', ['count?', 'offset?'], 'list', 'List clients.'),
  spec('modifyClient', ['username'], 'none', 'Change several properties of a client at once (API-only command).'),
  spec('createGroup', ['groupname'], 'none', 'Create a group.'),
  spec('deleteGroup', ['groupname'], 'none', 'Delete a group.'),
  spec('getGroup', ['groupname'], 'group', 'Show a group.'),
  spec('listGroups', ['count?', 'offset?'], 'list', 'List groups.'),
  spec('addGroupClient', ['groupname', 'username', 'priority?'], 'none', 'Add a client to a group.'),
  spec('removeGroupClient', ['groupname', 'username'], 'none', 'Remove a client from a group.'),
  spec('addGroupRole', ['groupname', 'rolename', 'priority?'], 'none', 'Give a group a role.'),
  spec('removeGroupRole', ['groupname', 'rolename'], 'none', 'Take a role from a group.'),
  spec('setAnonymousGroup', ['groupname'], 'none', 'Choose the group whose roles apply to clients without a username.'),
  spec('getAnonymousGroup', [], 'anonymousGroup', 'Show the anonymous group.'),
  spec('modifyGroup', ['groupname'], 'none', 'Change several properties of a group at once (API-only command).'),
  spec('createRole', ['rolename'], 'none', 'Create a role.'),
  spec('deleteRole', ['rolename'], 'none', 'Delete a role.'),
  spec('getRole', ['rolename'], 'role', 'Show a role and its ACLs.'),
  spec('listRoles', ['count?', 'offset?'], 'list', 'List roles.'),
  spec('addRoleACL', ['rolename', 'acltype', 'topic', 'allow|deny', 'priority?'], 'none', 'Add an ACL to a role.'),
  spec('removeRoleACL', ['rolename', 'acltype', 'topic'], 'none', 'Remove an ACL from a role.'),
  spec('modifyRole', ['rolename'], 'none', 'Change several properties of a role at once (API-only command).'),
]

const BY_LOWER = new Map(DYNSEC_COMMANDS.map((c) => [c.name.toLowerCase(), c]))

/** mosquitto_ctrl matches command names in any letter case. */
export const findDynsecCommand = (name: string): DynsecCommandSpec | undefined => BY_LOWER.get(name.toLowerCase())

/**
 * mosquitto_ctrl's `Command 'x' not recognised.` (exit 13, its own status for it), and on a
 * second line the closest command name.
 */
export function unknownDynsecCommand(name: string, more: readonly string[] = []): MqctlError {
  const guess = closest(name, [...DYNSEC_COMMANDS.map((c) => c.name), ...more])
  const text = `Command '${name}' not recognised.${guess ? `\nDid you mean "${guess}"?` : ''}`
  return new MqctlError('USAGE_UNKNOWN_COMMAND', text.replace('\n', ' '), {verbatim: text, exit: 13})
}

const bad = (message: string) => new MqctlError('USAGE_DYNSEC', message)

export function parsePriority(text: string, what = 'priority'): number {
  if (!/^[+-]?\d+$/.test(text)) throw bad(`invalid ${what} "${text}": give a whole number`)
  const n = Number(text)
  if (n < -2_147_483_648 || n > 2_147_483_647) throw bad(`${what} ${text} is out of range`)
  return n
}

export function parseCount(text: string, what: string): number {
  if (!/^\d+$/.test(text)) throw bad(`invalid ${what} "${text}": give a whole number of 0 or more`)
  return Number(text)
}

export function parseAllow(text: string): boolean {
  if (text === 'allow') return true
  if (text === 'deny') return false
  throw bad(`access must be "allow" or "deny", not "${text}"`)
}

function canonical(list: readonly string[], text: string, what: string): string {
  const found = list.find((t) => t.toLowerCase() === text.toLowerCase())
  if (!found) throw bad(`unknown ${what} "${text}" (one of ${list.join(', ')})`)
  return found
}

export const parseAclType = (text: string): string => canonical(ACL_TYPES, text, 'acltype')
export const parseDefaultAclType = (text: string): string => canonical(DEFAULT_ACL_TYPES, text, 'acltype')

export function parseAclTopic(topic: string): string {
  const problem = checkTopicFilter(topic)
  if (problem) throw bad(`invalid ACL topic "${topic}": ${describeTopicProblem(problem)}`)
  return topic
}

/** `NAME` or `NAME:PRIORITY` from --role/--group/--client flags. */
export function parseNamedPriority(text: string, key: string): Record<string, string | number> {
  const m = /^(.*?)(?::([+-]?\d+))?$/.exec(text)!
  if (m[1] === '') throw bad(`empty name in "${text}"`)
  return m[2] === undefined ? {[key]: m[1]} : {[key]: m[1], priority: parsePriority(m[2])}
}

/** `TYPE TOPIC allow|deny [PRIORITY]` from modifyRole --acl, in addRoleACL's order. */
export function parseAclSpec(text: string): Record<string, unknown> {
  const words = text.trim().split(/\s+/)
  if (words.length < 3 || words.length > 4) throw bad(`--acl "${text}": expected "ACLTYPE TOPIC allow|deny [PRIORITY]"`)
  return {
    acltype: parseAclType(words[0]),
    topic: parseAclTopic(words[1]),
    allow: parseAllow(words[2]),
    ...(words[3] === undefined ? {} : {priority: parsePriority(words[3])}),
  }
}

const optionalPriority = (text: string | undefined) => (text === undefined ? {} : {priority: parsePriority(text)})

const listRequest = (command: string, count?: string, offset?: string, verbose?: boolean): DynsecRequest => ({
  command,
  ...(verbose ? {verbose: true} : {}),
  ...(count === undefined ? {} : {count: parseCount(count, 'count')}),
  ...(offset === undefined ? {} : {offset: parseCount(offset, 'offset')}),
})

/** Extra named inputs some commands take as flags. */
export interface RequestExtras {
  clientid?: string
  password?: string
  textname?: string
  textdescription?: string
  verbose?: boolean
  roles?: Array<Record<string, unknown>>
  groups?: Array<Record<string, unknown>>
  clients?: Array<Record<string, unknown>>
  acls?: Array<Record<string, unknown>>
}

const pick = (extras: RequestExtras, keys: Array<keyof RequestExtras>) =>
  Object.fromEntries(keys.filter((k) => extras[k] !== undefined).map((k) => [k, extras[k]]))

/**
 * Builds the JSON request for a command from its positional words and extras. Key order
 * follows what mosquitto_ctrl sends, so captured traffic reads the same.
 */
export function buildDynsecRequest(
  name: string,
  a: Array<string | undefined>,
  extras: RequestExtras = {},
): DynsecRequest {
  switch (name) {
    case 'setDefaultACLAccess':
      return {command: name, acls: [{acltype: parseDefaultAclType(a[0]!), allow: parseAllow(a[1]!)}]}
    case 'getDefaultACLAccess':
    case 'getAnonymousGroup':
      return {command: name}
    case 'createClient':
      return {
        command: name,
        username: a[0],
        ...pick(extras, ['clientid', 'password', 'textname', 'textdescription', 'roles', 'groups']),
      }
    case 'deleteClient':
    case 'enableClient':
    case 'disableClient':
    case 'getClient':
      return {command: name, username: a[0]}
    case 'setClientId':
      return {command: name, username: a[0], ...(a[1] === undefined ? {} : {clientid: a[1]})}
    case 'setClientPassword':
      return {command: name, username: a[0], password: extras.password}
    case 'addClientRole':
      return {command: name, username: a[0], rolename: a[1], ...optionalPriority(a[2])}
    case 'removeClientRole':
      return {command: name, username: a[0], rolename: a[1]}
    case 'modifyClient':
      return {
        command: name,
        username: a[0],
        ...pick(extras, ['clientid', 'password', 'textname', 'textdescription', 'roles', 'groups']),
      }
    case 'listClients':
    case 'listGroups':
    case 'listRoles':
      return listRequest(name, a[0], a[1], extras.verbose)
    case 'createGroup':
      return {command: name, groupname: a[0], ...pick(extras, ['textname', 'textdescription', 'roles'])}
    case 'deleteGroup':
    case 'getGroup':
    case 'setAnonymousGroup':
      return {command: name, groupname: a[0]}
    case 'addGroupClient':
      return {command: name, username: a[1], groupname: a[0], ...optionalPriority(a[2])}
    case 'removeGroupClient':
      return {command: name, username: a[1], groupname: a[0]}
    case 'addGroupRole':
      return {command: name, groupname: a[0], rolename: a[1], ...optionalPriority(a[2])}
    case 'removeGroupRole':
      return {command: name, groupname: a[0], rolename: a[1]}
    case 'modifyGroup':
      return {command: name, groupname: a[0], ...pick(extras, ['textname', 'textdescription', 'roles', 'clients'])}
    case 'createRole':
      return {command: name, rolename: a[0], ...pick(extras, ['textname', 'textdescription', 'acls'])}
    case 'deleteRole':
    case 'getRole':
      return {command: name, rolename: a[0]}
    case 'addRoleACL':
      return {
        command: name,
        rolename: a[0],
        acltype: parseAclType(a[1]!),
        topic: parseAclTopic(a[2]!),
        allow: parseAllow(a[3]!),
        ...optionalPriority(a[4]),
      }
    case 'removeRoleACL':
      return {command: name, rolename: a[0], acltype: parseAclType(a[1]!), topic: parseAclTopic(a[2]!)}
    case 'modifyRole':
      return {command: name, rolename: a[0], ...pick(extras, ['textname', 'textdescription', 'acls'])}
    default:
      throw new MqctlError('USAGE_DYNSEC', `Command '${name}' not recognised.`)
  }
}
