import {Flags} from '@oclif/core'

import {ProfileEditCommand, profileArgs} from '../../base/profile-command.js'
import {profileKeyFlags} from '../../base/profile-flags.js'

export default class ProfileSet extends ProfileEditCommand {
  static override summary = 'Change keys of a connection profile.'

  static override description = `Sets the given keys of profile NAME (the connection flags' long names, plus --password-file and --password-env) and removes those named with --unset; the other keys stay. Checked, written atomically under the file's lock, mode 0600, comments kept.

Exit status: 0 written, 2 bad input (no such profile, an invalid value, --unset of a key it does not have), 5 the file cannot be read or written.`

  static override examples = [
    '<%= config.bin %> profile set prod --port 8884',
    '<%= config.bin %> profile set prod --unset cafile --tls-use-os-certs',
  ]

  static override args = profileArgs

  static override flags = {
    ...profileKeyFlags,
    unset: Flags.string({description: 'Key to remove; repeatable.', multiple: true, default: []}),
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(ProfileSet)
    const values = await this.profileValues(flags)
    return this.editProfile(
      {action: 'set', name: args.name, values, unset: flags.unset},
      (result) => `updated profile "${args.name}" in ${result.file}`,
    )
  }
}
