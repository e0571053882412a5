import {MqctlError} from '../errors.js'
import {closest} from '../suggest.js'

/**
 * Every online dynsec command, once: its name, mosquitto_ctrl's positional words, the texts of
 * its --help and man page, and the kind of output it prints. src/base/dynsec-command-factory.ts
 * makes the oclif command classes from this, and the mosquitto_ctrl argv rewrite matches names
 * here. Plain data with no heavy imports: it is loaded to show --help and to rewrite argv.
 */
export type OutputKind = 'none' | 'defaultAcl' | 'client' | 'group' | 'role' | 'list' | 'anonymousGroup'

/** The plugin's ACL types (spec 3.1–3.5). */
export const ACL_TYPES = [
  'publishClientSend',
  'publishClientReceive',
  'subscribeLiteral',
  'subscribePattern',
  'unsubscribeLiteral',
  'unsubscribePattern',
] as const
export const DEFAULT_ACL_TYPES = ['publishClientSend', 'publishClientReceive', 'subscribe', 'unsubscribe'] as const

/**
 * The admin role's ACLs as `mosquitto_ctrl dynsec init` writes them (spec 2.7): the dynsec API,
 * and reading everything but publishing nothing else. `dynsec migrate` gives its admin the same.
 */
export const ADMIN_ACLS: ReadonlyArray<readonly [(typeof ACL_TYPES)[number], string]> = [
  ['publishClientSend', '$CONTROL/dynamic-security/#'],
  ['publishClientReceive', '$CONTROL/dynamic-security/#'],
  ['subscribePattern', '$CONTROL/dynamic-security/#'],
  ['publishClientReceive', '$SYS/#'],
  ['subscribePattern', '$SYS/#'],
  ['publishClientReceive', '#'],
  ['subscribePattern', '#'],
  ['unsubscribePattern', '#'],
]

/** One positional word: its name as an argument of the mqctl command. */
export interface DynsecArg {
  name: string
  description: string
  required: boolean
}

/** How a command takes a password: none, or a new one (prompted twice when no source is named). */
export type PasswordUse = 'create' | 'set' | 'modify'

export interface DynsecCommandSpec {
  name: string
  summary: string
  /** Positional parameters in mosquitto_ctrl order; `?` marks optional ones. */
  params: string[]
  output: OutputKind
  args: DynsecArg[]
  examples: string[]
  /** The --help description: mosquitto_ctrl's form of the command, unless the command is API-only. */
  description: string
  /** createClient may be given no password; setClientPassword needs one; modifyClient only when asked. */
  password?: PasswordUse
}

const ARG_TEXT: Record<string, string> = {
  username: 'Client username.',
  rolename: 'Role name.',
  groupname: 'Group name.',
  priority: 'Priority: higher is checked first (default -1).',
  acltype: `ACL type: ${ACL_TYPES.slice(0, -1).join(', ')} or ${ACL_TYPES.at(-1)}.`,
  topic: 'Topic filter the ACL applies to.',
  access: 'allow or deny.',
  count: 'How many to list (default all).',
  offset: 'Where to start in the sorted list (default 0).',
}

/** The argument name of a mosquitto_ctrl word (`allow|deny` is the access). */
const argName = (param: string) =>
  param === 'allow|deny?' || param === 'allow|deny' ? 'access' : param.replace('?', '')

interface Extra {
  /** Argument texts that differ from ARG_TEXT. */
  args?: Record<string, string>
  /** Replaces the mosquitto_ctrl form (API-only commands), or follows it as more paragraphs. */
  description?: string
  more?: string
  password?: PasswordUse
}

function spec(
  name: string,
  params: string[],
  output: OutputKind,
  summary: string,
  examples: string[],
  extra: Extra = {},
): DynsecCommandSpec {
  const args = params.map((p) => ({
    name: argName(p),
    description: extra.args?.[argName(p)] ?? ARG_TEXT[argName(p)],
    required: !p.endsWith('?'),
  }))
  const words = params.map((p) => (p.endsWith('?') ? `[${p.slice(0, -1)}]` : `<${p}>`))
  const form = `mosquitto_ctrl form: ${['mosquitto_ctrl [connection options] dynsec', name, ...words].join(' ')}`
  const description = extra.description ?? (extra.more ? `${form}\n\n${extra.more}` : form)
  const bin = '<%= config.bin %> dynsec'
  return {
    name,
    params,
    output,
    summary,
    args,
    examples: examples.map((e) => e.replaceAll('$0', bin)),
    description,
    ...(extra.password ? {password: extra.password} : {}),
  }
}

const apiOnly = (what: string, lists: string) =>
  `Not a mosquitto_ctrl command: sends the plugin's modify${what} request, which changes every property given in one request. A flag listing ${lists} replaces the whole list; properties not given stay as they are.`

export const DYNSEC_COMMANDS: readonly DynsecCommandSpec[] = [
  spec(
    'setDefaultACLAccess',
    ['acltype', 'allow|deny'],
    'none',
    'Set the default access for one of publishClientSend, publishClientReceive, subscribe, unsubscribe.',
    ['$0 setDefaultACLAccess publishClientSend deny'],
    {args: {acltype: `ACL type: ${DEFAULT_ACL_TYPES.slice(0, -1).join(', ')} or ${DEFAULT_ACL_TYPES.at(-1)}.`}},
  ),
  spec('getDefaultACLAccess', [], 'defaultAcl', 'Show the default access of the four ACL types.', [
    '$0 getDefaultACLAccess',
  ]),
  spec(
    'createClient',
    ['username'],
    'none',
    'Create a client (a user that can log in).',
    ['$0 createClient alice -c alice-sensor', '$0 createClient bob --password-stdin --text-name "Bob the builder"'],
    {password: 'create'},
  ),
  spec('deleteClient', ['username'], 'none', 'Delete a client.', ['$0 deleteClient alice']),
  spec('enableClient', ['username'], 'none', 'Allow a disabled client to log in again.', ['$0 enableClient alice']),
  spec('disableClient', ['username'], 'none', 'Stop a client from logging in (and disconnect it).', [
    '$0 disableClient alice',
  ]),
  spec(
    'setClientId',
    ['username', 'clientid?'],
    'none',
    'Bind a client to one MQTT client id, or remove the binding.',
    ['$0 setClientId alice alice-sensor', '$0 setClientId alice'],
    {args: {clientid: 'MQTT client id the client must use; omit to remove the binding.'}},
  ),
  spec(
    'setClientPassword',
    ['username', 'password?'],
    'none',
    "Set a client's password.",
    ['$0 setClientPassword alice', 'printf "%s\\n" "$PW" | $0 setClientPassword alice --password-stdin'],
    {
      args: {
        password:
          'New password (visible in the process list: prefer --password-stdin or the prompt, which asks twice).',
      },
      more: 'Without a password argument, a masked prompt asks twice on a terminal, or two lines are read from piped standard input; --password-stdin reads one line, --password-file the first line of a file, --password-env a variable. An empty password is refused.',
      password: 'set',
    },
  ),
  spec('addClientRole', ['username', 'rolename', 'priority?'], 'none', 'Give a client a role.', [
    '$0 addClientRole alice sensors 5',
  ]),
  spec('removeClientRole', ['username', 'rolename'], 'none', 'Take a role from a client.', [
    '$0 removeClientRole alice sensors',
  ]),
  spec('getClient', ['username'], 'client', 'Show a client.', ['$0 getClient alice']),
  spec('listClients', ['count?', 'offset?'], 'list', 'List clients.', [
    '$0 listClients',
    '$0 listClients 10 20',
    '$0 listClients --verbose',
  ]),
  spec(
    'modifyClient',
    ['username'],
    'none',
    'Change several properties of a client at once (API-only command).',
    ['$0 modifyClient alice --text-name Alice --role sensors:5 --group devices'],
    {description: apiOnly('Client', 'roles or groups'), password: 'modify'},
  ),
  spec('createGroup', ['groupname'], 'none', 'Create a group.', ['$0 createGroup devices']),
  spec('deleteGroup', ['groupname'], 'none', 'Delete a group.', ['$0 deleteGroup devices']),
  spec('getGroup', ['groupname'], 'group', 'Show a group.', ['$0 getGroup devices']),
  spec('listGroups', ['count?', 'offset?'], 'list', 'List groups.', ['$0 listGroups']),
  spec('addGroupClient', ['groupname', 'username', 'priority?'], 'none', 'Add a client to a group.', [
    '$0 addGroupClient devices alice 3',
  ]),
  spec('removeGroupClient', ['groupname', 'username'], 'none', 'Remove a client from a group.', [
    '$0 removeGroupClient devices alice',
  ]),
  spec('addGroupRole', ['groupname', 'rolename', 'priority?'], 'none', 'Give a group a role.', [
    '$0 addGroupRole devices sensors',
  ]),
  spec('removeGroupRole', ['groupname', 'rolename'], 'none', 'Take a role from a group.', [
    '$0 removeGroupRole devices sensors',
  ]),
  spec(
    'setAnonymousGroup',
    ['groupname'],
    'none',
    'Choose the group whose roles apply to clients without a username.',
    ['$0 setAnonymousGroup guests'],
  ),
  spec('getAnonymousGroup', [], 'anonymousGroup', 'Show the anonymous group.', ['$0 getAnonymousGroup']),
  spec(
    'modifyGroup',
    ['groupname'],
    'none',
    'Change several properties of a group at once (API-only command).',
    ['$0 modifyGroup devices --role sensors --client alice:2'],
    {description: apiOnly('Group', 'roles or members')},
  ),
  spec('createRole', ['rolename'], 'none', 'Create a role.', ['$0 createRole sensors']),
  spec('deleteRole', ['rolename'], 'none', 'Delete a role.', ['$0 deleteRole sensors']),
  spec('getRole', ['rolename'], 'role', 'Show a role and its ACLs.', ['$0 getRole sensors']),
  spec('listRoles', ['count?', 'offset?'], 'list', 'List roles.', ['$0 listRoles']),
  spec(
    'addRoleACL',
    ['rolename', 'acltype', 'topic', 'allow|deny', 'priority?'],
    'none',
    'Add an ACL to a role.',
    ["$0 addRoleACL sensors publishClientSend 'sensors/#' allow 5"],
    {args: {priority: 'Priority: higher is checked first (default 0).'}},
  ),
  spec('removeRoleACL', ['rolename', 'acltype', 'topic'], 'none', 'Remove an ACL from a role.', [
    "$0 removeRoleACL sensors publishClientSend 'sensors/#'",
  ]),
  spec(
    'modifyRole',
    ['rolename'],
    'none',
    'Change several properties of a role at once (API-only command).',
    ["$0 modifyRole sensors --acl 'publishClientSend sensors/# allow 5' --acl 'subscribePattern sensors/# allow'"],
    {description: apiOnly('Role', 'ACLs')},
  ),
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
  return new MqctlError('USAGE_UNKNOWN_COMMAND', text.replace('\n', ' '), {verbatim: text})
}

export {
  buildDynsecRequest,
  parseAclSpec,
  parseAclTopic,
  parseAclType,
  parseAllow,
  parseCount,
  parseDefaultAclType,
  parseNamedPriority,
  parsePriority,
  type RequestExtras,
} from './request.js'
