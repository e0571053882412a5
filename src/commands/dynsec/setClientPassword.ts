import {setClientPasswordFlags} from '../../base/dynsec-flags.js'
import {optionalArg, requiredArg} from '../../base/args.js'
import {DynsecCommand} from '../../base/dynsec-command.js'

export default class SetClientPassword extends DynsecCommand {
  static override summary = "Set a client's password."

  static override description = `mosquitto_ctrl form: mosquitto_ctrl [connection options] dynsec setClientPassword <username> [password]

Without a password argument, a masked prompt asks twice on a terminal, or two lines are read from piped standard input; --password-stdin reads one line. An empty password is refused.`

  static override examples = [
    '<%= config.bin %> dynsec setClientPassword alice',
    'printf "%s\\n" "$PW" | <%= config.bin %> dynsec setClientPassword alice --password-stdin',
  ]

  static override args = {
    username: requiredArg('Client username.'),
    password: optionalArg(
      'New password (visible in the process list: prefer --password-stdin or the prompt, which asks twice).',
    ),
  }

  static override flags = setClientPasswordFlags

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(SetClientPassword)
    return this.runDynsec(
      'setClientPassword',
      [args.username],
      flags,
      await this.extras('setClientPassword', flags, args.username, args.password),
    )
  }
}
