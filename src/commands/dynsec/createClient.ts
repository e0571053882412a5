import {createClientFlags} from '../../base/dynsec-flags.js'
import {requiredArg} from '../../base/args.js'
import {DynsecCommand} from '../../base/dynsec-command.js'

export default class CreateClient extends DynsecCommand {
  static override summary = 'Create a client (a user that can log in).'

  static override description =
    'mosquitto_ctrl form: mosquitto_ctrl [connection options] dynsec createClient <username>'

  static override examples = [
    '<%= config.bin %> dynsec createClient alice -c alice-sensor',
    '<%= config.bin %> dynsec createClient bob --password-stdin --text-name "Bob the builder"',
  ]

  static override args = {
    username: requiredArg('Client username.'),
  }

  static override flags = createClientFlags

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(CreateClient)
    return this.runDynsec(
      'createClient',
      [args.username],
      flags,
      await this.extras('createClient', flags, args.username),
    )
  }
}
