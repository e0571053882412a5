import {BROKER_COMMANDS} from '../broker/control.js'
import {ACL_TYPES, DEFAULT_ACL_TYPES} from '../dynsec/catalog.js'
import {DYNSEC_COMMANDS, findDynsecCommand} from '../dynsec/catalog.js'

/** The live broker's names, for completing arguments. */
export interface Names {
  clients: string[]
  groups: string[]
  roles: string[]
}

export const SHELL_WORDS = ['help', 'exit', 'quit']
const DYNSEC_NAMES = DYNSEC_COMMANDS.map((c) => c.name)
const BROKER_NAMES = BROKER_COMMANDS.map((c) => c.name)
/** What the first word of a line may be: a dynsec command (the module word is optional), a module, a shell word. */
export const FIRST_WORDS = [...DYNSEC_NAMES, 'dynsec', 'broker', ...SHELL_WORDS]

function candidatesFor(prior: string[], names: Names): string[] {
  if (prior.length === 0) return FIRST_WORDS
  const first = prior[0].toLowerCase()
  if (first === 'help') return prior.length === 1 ? [...DYNSEC_NAMES, ...BROKER_NAMES, 'dynsec', 'broker'] : []
  if (first === 'broker') return prior.length === 1 ? BROKER_NAMES : []
  const words = first === 'dynsec' ? prior.slice(1) : prior
  if (words.length === 0) return DYNSEC_NAMES
  const spec = findDynsecCommand(words[0])
  if (!spec) return []
  // Options (-p, -c) take a value of their own; their values are not completed.
  const positional = words.slice(1).filter((w, i, all) => !w.startsWith('-') && !all[i - 1]?.startsWith('-'))
  const param = spec.params[positional.length]?.replace(/\?$/, '')
  switch (param) {
    case 'username':
      return names.clients
    case 'groupname':
      return names.groups
    case 'rolename':
      return names.roles
    case 'acltype':
      return spec.name === 'setDefaultACLAccess' ? [...DEFAULT_ACL_TYPES] : [...ACL_TYPES]
    case 'allow|deny':
      return ['allow', 'deny']
    default:
      return []
  }
}

/**
 * readline's completer: the words that can follow what is typed before the cursor. Command
 * names match in any letter case (as the shell accepts them); names and ACL types as typed.
 */
export function complete(line: string, names: Names): [string[], string] {
  const parts = line.split(/[ \t]+/)
  const partial = parts.pop() ?? ''
  const prior = parts.filter(Boolean)
  const all = candidatesFor(prior, names)
  const commandPosition = prior.length === 0 || (prior.length === 1 && /^(dynsec|broker|help)$/i.test(prior[0]))
  const hits = all.filter((c) =>
    commandPosition ? c.toLowerCase().startsWith(partial.toLowerCase()) : c.startsWith(partial),
  )
  return [[...new Set(hits)].sort(), partial]
}
