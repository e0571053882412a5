import {optionalArg} from '../../base/args.js'
import {MqctlCommand} from '../../base/command.js'
import {connectionFlags} from '../../base/connection-flags.js'
import {connectionSummary} from '../../base/connection-summary.js'

export default class ProfileShow extends MqctlCommand {
  static override summary = 'Show the connection a command would use, passwords redacted.'

  static override description =
    'Resolves flags, environment, the profile (NAME, --profile, MQCTL_PROFILE or the default) and the mosquitto_ctrl options file exactly as the dynsec commands do, and prints each setting with where it came from. Nothing connects.'

  static override examples = ['<%= config.bin %> profile show prod', '<%= config.bin %> profile show --json']

  static override args = {name: optionalArg('Profile to show (default: the selected one).')}

  static override flags = {...connectionFlags}

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(ProfileShow)
    const {resolveConnection} = await import('../../lib/connection/resolve.js')
    const raw = new Map<string, string | true>()
    for (const [key, value] of Object.entries(flags)) {
      if (key in connectionFlags && value !== undefined && value !== false)
        raw.set(key, value === true ? true : String(value))
    }

    if (args.name) raw.set('profile', args.name)
    const connection = await resolveConnection({flags: raw})
    const summary = connectionSummary(connection)
    if (!this.jsonEnabled()) {
      for (const [key, {value, source}] of Object.entries(summary))
        this.out(`${key.padEnd(16)} ${value}${source ? `  (${source})` : ''}`)
    }

    return summary
  }
}
