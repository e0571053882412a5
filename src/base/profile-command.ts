import {requiredArg} from './args.js'
import {MqctlCommand} from './command.js'
import {profileValuesFromFlags} from './profile-flags.js'
import type {EditResult, ProfileEdit, ProfileValues} from '../lib/connection/profile-edit.js'

/**
 * The base of the commands that edit the profile file (add, set, use, remove): each names one
 * profile, makes one edit through lib/connection/profile-edit.ts and says what it did.
 */
/** Every profile command's one argument; each class sets it as its own (oclif's parse reads own statics only). */
export const profileArgs = {name: requiredArg('Profile name.')}

export abstract class ProfileEditCommand extends MqctlCommand {
  // Repeated from MqctlCommand: oclif's manifest takes statics from the class and its parent only.
  static override enableJsonFlag = true

  /** Applies the edit to the profile file, prints `done(result)` (not under --json), returns the result. */
  protected async editProfile(edit: ProfileEdit, done: (result: EditResult) => string): Promise<EditResult> {
    const {configFilePath} = await import('../lib/connection/profiles.js')
    const {editProfiles} = await import('../lib/connection/profile-edit.js')
    const result = await editProfiles(configFilePath(), edit)
    this.out(done(result))
    return result
  }

  /** The profile keys given as flags, warning once when a password would be stored in the file. */
  protected async profileValues(flags: Record<string, unknown>): Promise<ProfileValues> {
    const values = await profileValuesFromFlags(flags)
    if (values.pw !== undefined)
      this.warn('the password is stored in plain text; prefer --password-env or --password-file')
    return values
  }
}

/** `profile use` and `profile remove`: the edit is the profile's name alone; their texts. */
const NAME_COMMANDS = {
  use: {
    summary: 'Make a profile the default (the one used without --profile or MQCTL_PROFILE).',
    description:
      'Sets "default: NAME" in the profile file, as kubectl\'s use-context does; atomically, under the lock, mode 0600. Exit status: 0 written, 2 no such profile, 5 the file cannot be read or written.',
    example: 'prod',
    done: (name: string) => `default profile is now "${name}"`,
  },
  remove: {
    summary: 'Remove a connection profile.',
    description:
      'Deletes profile NAME from the profile file (and the "default" line when it named it); atomically, under the lock, mode 0600, comments kept. Exit status: 0 written, 2 no such profile, 5 the file cannot be read or written.',
    example: 'old-lab',
    done: (name: string) => `removed profile "${name}"`,
  },
}

/** Makes the class of `profile use|remove` (the leaf file is `export default profileNameCommand('use')`). */
export function profileNameCommand(action: keyof typeof NAME_COMMANDS): typeof ProfileEditCommand {
  const spec = NAME_COMMANDS[action]
  const command = class extends ProfileEditCommand {
    static override summary = spec.summary
    static override description = spec.description
    static override examples = [`<%= config.bin %> profile ${action} ${spec.example}`]
    static override args = profileArgs

    async run(): Promise<EditResult> {
      const {args} = await this.parse(command)
      return this.editProfile({action, name: args.name}, () => spec.done(args.name))
    }
  }
  Object.defineProperty(command, 'name', {value: `Profile${action[0].toUpperCase()}${action.slice(1)}`})
  return command
}
