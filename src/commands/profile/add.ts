import {Flags} from '@oclif/core'

import {ProfileEditCommand, profileArgs} from '../../base/profile-command.js'
import {profileKeyFlags} from '../../base/profile-flags.js'

export default class ProfileAdd extends ProfileEditCommand {
  static override summary = 'Add a connection profile to the mqctl config file.'

  static override description = `Writes a new profile NAME with the given keys (the connection flags' long names, plus --password-file and --password-env) to the profile file ($MQCTL_CONFIG_DIR/config.yaml, else $XDG_CONFIG_HOME/mqctl/config.yaml, else ~/.config/mqctl/config.yaml), created if needed. The profile is checked as reading checks it before anything is written; the file is rewritten atomically, under its lock, with mode 0600, keeping its comments. A profile that exists already is refused (change it with "profile set"). --use also makes it the default (kubectl's "use-context").

Exit status: 0 written, 2 bad input (an existing profile, an invalid value), 5 the file cannot be read or written.`

  static override examples = [
    '<%= config.bin %> profile add prod --host broker.example.com --port 8883 --cafile /etc/ssl/my-ca.pem --username admin --password-env MQTT_ADMIN_PASSWORD --use',
    '<%= config.bin %> profile add local --unix /run/mosquitto/mosquitto.sock',
  ]

  static override args = profileArgs

  static override flags = {
    ...profileKeyFlags,
    use: Flags.boolean({description: 'Also make it the default profile.'}),
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(ProfileAdd)
    const values = await this.profileValues(flags)
    return this.editProfile(
      {action: 'add', name: args.name, values, use: flags.use},
      (result) => `added profile "${args.name}" to ${result.file}${flags.use ? ' (now the default)' : ''}`,
    )
  }
}
