import {modifyGroupFlags} from '../../base/dynsec-flags.js'
import {requiredArg} from '../../base/args.js'
import {DynsecCommand} from '../../base/dynsec-command.js'

export default class ModifyGroup extends DynsecCommand {
  static override summary = 'Change several properties of a group at once (API-only command).'

  static override description =
    "Not a mosquitto_ctrl command: sends the plugin's modifyGroup request, which changes every property given in one request. A flag listing roles or members replaces the whole list; properties not given stay as they are."

  static override examples = ['<%= config.bin %> dynsec modifyGroup devices --role sensors --client alice:2']

  static override args = {
    groupname: requiredArg('Group name.'),
  }

  static override flags = modifyGroupFlags

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(ModifyGroup)
    return this.runDynsec('modifyGroup', [args.groupname], flags, await this.extras('modifyGroup', flags))
  }
}
