import {Flags} from '@oclif/core'

import {optionalArg} from '../../base/args.js'
import {DynsecCommand} from '../../base/dynsec-command.js'

export default class ListRoles extends DynsecCommand {
  static override summary = "List roles."

  static override description = 'mosquitto_ctrl form: mosquitto_ctrl [connection options] dynsec listRoles [count] [offset]'

  static override examples = [
    '<%= config.bin %> dynsec listRoles',
  ]

  static override args = {
    count: optionalArg('How many to list (default all).'),
    offset: optionalArg('Where to start in the sorted list (default 0).'),
  }

  static override flags = {
    verbose: Flags.boolean({description: 'List full entries (sends verbose: true), printed in the get* layout.'}),
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(ListRoles)
    return this.runDynsec('listRoles', [args.count, args.offset], flags, {verbose: flags.verbose})
  }
}
