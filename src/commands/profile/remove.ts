import {requiredArg} from '../../base/args.js'
import {MqctlCommand} from '../../base/command.js'

export default class ProfileRemove extends MqctlCommand {
  static override summary = 'Remove a connection profile.'

  static override description =
    'Deletes profile NAME from the profile file (and the "default" line when it named it); atomically, under the lock, mode 0600, comments kept. Exit status: 0 written, 2 no such profile, 5 the file cannot be read or written.'

  static override examples = ['<%= config.bin %> profile remove old-lab']

  static override args = {name: requiredArg('Profile name.')}

  async run(): Promise<unknown> {
    const {args} = await this.parse(ProfileRemove)
    const {configFilePath} = await import('../../lib/connection/profiles.js')
    const {editProfiles} = await import('../../lib/connection/profile-edit.js')
    const result = await editProfiles(configFilePath(), {action: 'remove', name: args.name})
    if (!this.jsonEnabled()) this.out(`removed profile "${args.name}"`)
    return result
  }
}
