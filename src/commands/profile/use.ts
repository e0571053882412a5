import {requiredArg} from '../../base/args.js'
import {MqctlCommand} from '../../base/command.js'

export default class ProfileUse extends MqctlCommand {
  static override summary = 'Make a profile the default (the one used without --profile or MQCTL_PROFILE).'

  static override description =
    'Sets "default: NAME" in the profile file, as kubectl\'s use-context does; atomically, under the lock, mode 0600. Exit status: 0 written, 2 no such profile, 5 the file cannot be read or written.'

  static override examples = ['<%= config.bin %> profile use prod']

  static override args = {name: requiredArg('Profile name.')}

  async run(): Promise<unknown> {
    const {args} = await this.parse(ProfileUse)
    const {configFilePath} = await import('../../lib/connection/profiles.js')
    const {editProfiles} = await import('../../lib/connection/profile-edit.js')
    const result = await editProfiles(configFilePath(), {action: 'use', name: args.name})
    if (!this.jsonEnabled()) this.out(`default profile is now "${args.name}"`)
    return result
  }
}
