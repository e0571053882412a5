import {modifyClientFlags} from '../../base/dynsec-flags.js'
import {requiredArg} from '../../base/args.js'
import {DynsecCommand} from '../../base/dynsec-command.js'

export default class ModifyClient extends DynsecCommand {
  static override summary = 'Change several properties of a client at once (API-only command).'

  static override description =
    "Not a mosquitto_ctrl command: sends the plugin's modifyClient request, which changes every property given in one request. A flag listing roles or groups replaces the whole list; properties not given stay as they are."

  static override examples = [
    '<%= config.bin %> dynsec modifyClient alice --text-name Alice --role sensors:5 --group devices',
  ]

  static override args = {
    username: requiredArg('Client username.'),
  }

  static override flags = modifyClientFlags

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(ModifyClient)
    return this.runDynsec(
      'modifyClient',
      [args.username],
      flags,
      await this.extras('modifyClient', flags, args.username),
    )
  }
}
