import {modifyRoleFlags} from '../../base/dynsec-flags.js'
import {requiredArg} from '../../base/args.js'
import {DynsecCommand} from '../../base/dynsec-command.js'

export default class ModifyRole extends DynsecCommand {
  static override summary = 'Change several properties of a role at once (API-only command).'

  static override description =
    "Not a mosquitto_ctrl command: sends the plugin's modifyRole request, which changes every property given in one request. A flag listing ACLs replaces the whole list; properties not given stay as they are."

  static override examples = [
    "<%= config.bin %> dynsec modifyRole sensors --acl 'publishClientSend sensors/# allow 5' --acl 'subscribePattern sensors/# allow'",
  ]

  static override args = {
    rolename: requiredArg('Role name.'),
  }

  static override flags = modifyRoleFlags

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(ModifyRole)
    return this.runDynsec('modifyRole', [args.rolename], flags, await this.extras('modifyRole', flags))
  }
}
