import {Flags, type Interfaces} from '@oclif/core'

type Flag = Interfaces.FlagInput[string]

import {passwordSourceFlags} from './password-flags.js'

/** Flags of the dynsec commands that take more than mosquitto_ctrl's positional words. */
const textFlags = {
  'text-name': Flags.string({description: 'Human-readable name (textname), which mosquitto_ctrl cannot set.'}),
  'text-description': Flags.string({description: 'Description (textdescription), which mosquitto_ctrl cannot set.'}),
}
const roles = Flags.string({description: 'Role, as NAME or NAME:PRIORITY; repeat for several.', multiple: true})

export const createClientFlags = {
  clientid: Flags.string({char: 'c', charAliases: ['i'], description: 'MQTT client id the client must connect with.'}),
  password: Flags.string({
    char: 'p',
    description:
      'Password (visible in the process list: prefer --password-stdin or the prompt). Without it a masked prompt asks twice on a terminal; piped input gives a line and its confirmation, and empty input creates the client without a password.',
  }),
  ...passwordSourceFlags,
  ...textFlags,
  role: roles,
  group: Flags.string({description: 'Group, as NAME or NAME:PRIORITY; repeat for several.', multiple: true}),
}

export const setClientPasswordFlags = {
  ...passwordSourceFlags,
  iterations: Flags.integer({
    char: 'i',
    min: 1,
    description: "PBKDF2 iterations of the new hash (with -f only, as mosquitto_ctrl 2.1; default: the layout's own).",
  }),
}
export const createGroupFlags = {...textFlags, role: roles}
export const createRoleFlags = {...textFlags}

/** A repeatable flag that replaces a whole list, and the flag that empties it. */
const replacing = (what: string, value: string, list: string) =>
  Flags.string({
    description: `${what} as ${value} or ${value}:PRIORITY, repeatable; replaces all ${list}.`,
    multiple: true,
  })
const clearing = (flag: string, description: string) => Flags.boolean({description, exclusive: [flag]})

export const modifyClientFlags = {
  clientid: Flags.string({description: 'New client id; "" removes the binding.'}),
  ...passwordSourceFlags,
  ...textFlags,
  role: replacing('Role', 'NAME', 'roles'),
  group: replacing('Group', 'NAME', 'groups'),
  'clear-roles': clearing('role', 'Remove every role.'),
  'clear-groups': clearing('group', 'Remove the client from every group.'),
}

export const modifyGroupFlags = {
  ...textFlags,
  role: replacing('Role', 'NAME', 'roles'),
  client: replacing('Client', 'USERNAME', 'members'),
  'clear-roles': clearing('role', 'Remove every role.'),
  'clear-clients': clearing('client', 'Remove every member.'),
}

export const modifyRoleFlags = {
  ...textFlags,
  acl: Flags.string({
    description: 'ACL as "ACLTYPE TOPIC allow|deny [PRIORITY]", repeatable; replaces all ACLs.',
    multiple: true,
  }),
  'clear-acls': Flags.boolean({description: 'Remove every ACL.', exclusive: ['acl']}),
}

export const listFlags = {
  verbose: Flags.boolean({description: 'List full entries (sends verbose: true), printed in the get* layout.'}),
}

/** The flags of each catalog command that has more than the connection flags. */
/** getClient's text layout: mosquitto_ctrl 2.0's (default) or 2.1's, or the broker's own version's. */
export const layoutFlags = {
  layout: Flags.string({
    description:
      "Text layout: 2.0 (mosquitto_ctrl 2.0's, the default), 2.1 (labels padded to 'Connections:', with the client's connections), or auto (2.1's when the broker's $SYS/broker/version says 2.1 or later).",
    options: ['2.0', '2.1', 'auto'],
  }),
}

export const DYNSEC_FLAGS: Record<string, Record<string, Flag>> = {
  getClient: layoutFlags,
  createClient: createClientFlags,
  setClientPassword: setClientPasswordFlags,
  modifyClient: modifyClientFlags,
  createGroup: createGroupFlags,
  modifyGroup: modifyGroupFlags,
  createRole: createRoleFlags,
  modifyRole: modifyRoleFlags,
  listClients: listFlags,
  listGroups: listFlags,
  listRoles: listFlags,
}
