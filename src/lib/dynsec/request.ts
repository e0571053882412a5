import {MqctlError} from '../errors.js'
import {checkTopicFilter, describeTopicProblem} from '../topic.js'
import {ACL_TYPES, DEFAULT_ACL_TYPES, findDynsecCommand} from './catalog.js'
import type {DynsecRequest} from './schemas.js'

/*
 * How a command's mosquitto_ctrl words become its JSON request (spec 2.5), checked here
 * before any connection is made.
 */

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

/**
 * A priority word. Both mosquitto_ctrl versions take -1 as "none given" and send no priority:
 * for addRoleACL the plugin then stores 0, so sending -1 would order that ACL differently.
 */
function optionalPriority(text: string | undefined): {priority?: number} {
  if (text === undefined) return {}
  const priority = parsePriority(text)
  return priority === -1 ? {} : {priority}
}

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

const NAME_PARAMS = new Set(['username', 'groupname', 'rolename'])

/** An empty user, group or role name is refused here, before anything is sent (exit 2). */
function refuseEmptyNames(name: string, a: ReadonlyArray<string | undefined>): void {
  for (const [i, param] of (findDynsecCommand(name)?.params ?? []).entries()) {
    if (NAME_PARAMS.has(param.replace(/\?$/, '')) && a[i] === '') throw bad(`empty ${param}: give a name`)
  }
}

/**
 * Builds the JSON request for a command from its positional words and extras. Key order
 * follows what mosquitto_ctrl sends, so captured traffic reads the same.
 */
export function buildDynsecRequest(
  name: string,
  a: Array<string | undefined>,
  extras: RequestExtras = {},
): DynsecRequest {
  refuseEmptyNames(name, a)
  switch (name) {
    case 'setDefaultACLAccess':
      return {command: name, acls: [{acltype: parseDefaultAclType(a[0]!), allow: parseAllow(a[1]!)}]}
    case 'getDefaultACLAccess':
    case 'getAnonymousGroup':
      return {command: name}
    case 'createClient':
    case 'modifyClient':
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
