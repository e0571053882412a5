import type {Interfaces} from '@oclif/core'

import {optionalArg, requiredArg} from './args.js'
import {DynsecCommand} from './dynsec-command.js'
import {DYNSEC_FLAGS} from './dynsec-flags.js'
import {findDynsecCommand} from '../lib/dynsec/catalog.js'

/**
 * Makes the oclif command class of one catalog command: its summary, description, examples and
 * arguments come from lib/dynsec/catalog.ts, its extra flags from dynsec-flags.ts. A leaf file
 * is then `export default dynsecCommand('getClient')`.
 */
export function dynsecCommand(name: string): typeof DynsecCommand {
  const found = findDynsecCommand(name)
  if (found?.name !== name) throw new Error(`dynsecCommand: "${name}" is not in the catalog`)
  const spec = found
  // Typed loosely: the arguments are known at run time only, and runCatalog reads them by name.
  const args = Object.fromEntries(
    spec.args.map((a) => [a.name, a.required ? requiredArg(a.description) : optionalArg(a.description)]),
  ) as unknown as Interfaces.ArgInput

  // oclif copies a command's own static properties into the manifest: only its own are set here.
  const command = class extends DynsecCommand {
    static override summary = spec.summary
    static override description = spec.description
    static override examples = spec.examples
    static override args = args
    static override flags = DYNSEC_FLAGS[name] ?? {}

    async run(): Promise<unknown> {
      const parsed = await this.parse(command)
      return this.runCatalog(spec, parsed.args, parsed.flags)
    }
  }
  Object.defineProperty(command, 'name', {value: name[0].toUpperCase() + name.slice(1)})
  return command
}
