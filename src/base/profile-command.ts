import {Flags, type Interfaces} from '@oclif/core'

import {requiredArg} from './args.js'
import {MqctlCommand} from './command.js'
import {profileKeyFlags, profileValuesFromFlags} from './profile-flags.js'
import type {EditResult, ProfileEdit, ProfileValues} from '../lib/connection/profile-edit.js'

/*
 * The commands that edit the profile file (add, set, use, remove), once: each names one profile,
 * makes one edit through lib/connection/profile-edit.ts and says what it did. A leaf file is
 * `export default profileCommand('add')`.
 */

type Parsed = Record<string, unknown>

interface ProfileCommandSpec {
  summary: string
  description: string
  examples: string[]
  /** Flags beside the profile keys; commands without `keys` take no profile keys. */
  flags?: Interfaces.FlagInput
  keys?: boolean
  edit(name: string, flags: Parsed, values: ProfileValues): ProfileEdit
  done(result: EditResult, flags: Parsed): string
}

const EXIT_TEXT = '5 the file cannot be read or written.'
const KEYS_TEXT = "the connection flags' long names, plus --password-file and --password-env"

const PROFILE_COMMANDS: Record<ProfileEdit['action'], ProfileCommandSpec> = {
  add: {
    summary: 'Add a connection profile to the mqctl config file.',
    description: `Writes a new profile NAME with the given keys (${KEYS_TEXT}) to the profile file ($MQCTL_CONFIG_DIR/config.yaml, else $XDG_CONFIG_HOME/mqctl/config.yaml, else ~/.config/mqctl/config.yaml), created if needed. The profile is checked as reading checks it before anything is written; the file is rewritten atomically, under its lock, with mode 0600, keeping its comments. A profile that exists already is refused (change it with "profile set"). --use also makes it the default (kubectl's "use-context").

Exit status: 0 written, 2 bad input (an existing profile, an invalid value), ${EXIT_TEXT}`,
    examples: [
      '<%= config.bin %> profile add prod --host broker.example.com --port 8883 --cafile /etc/ssl/my-ca.pem --username admin --password-env MQTT_ADMIN_PASSWORD --use',
      '<%= config.bin %> profile add local --unix /run/mosquitto/mosquitto.sock',
    ],
    keys: true,
    flags: {use: Flags.boolean({description: 'Also make it the default profile.'})},
    edit: (name, flags, values) => ({action: 'add', name, values, use: flags.use as boolean}),
    done: (r, flags) => `added profile "${r.profile}" to ${r.file}${flags.use ? ' (now the default)' : ''}`,
  },
  set: {
    summary: 'Change keys of a connection profile.',
    description: `Sets the given keys of profile NAME (${KEYS_TEXT}) and removes those named with --unset; the other keys stay. Checked, written atomically under the file's lock, mode 0600, comments kept.

Exit status: 0 written, 2 bad input (no such profile, an invalid value, --unset of a key it does not have), ${EXIT_TEXT}`,
    examples: [
      '<%= config.bin %> profile set prod --port 8884',
      '<%= config.bin %> profile set prod --unset cafile --tls-use-os-certs',
    ],
    keys: true,
    flags: {unset: Flags.string({description: 'Key to remove; repeatable.', multiple: true, default: []})},
    edit: (name, flags, values) => ({action: 'set', name, values, unset: flags.unset as string[]}),
    done: (r) => `updated profile "${r.profile}" in ${r.file}`,
  },
  use: {
    summary: 'Make a profile the default (the one used without --profile or MQCTL_PROFILE).',
    description: `Sets "default: NAME" in the profile file, as kubectl's use-context does; atomically, under the lock, mode 0600. Exit status: 0 written, 2 no such profile, ${EXIT_TEXT}`,
    examples: ['<%= config.bin %> profile use prod'],
    edit: (name) => ({action: 'use', name}),
    done: (r) => `default profile is now "${r.profile}"`,
  },
  remove: {
    summary: 'Remove a connection profile.',
    description: `Deletes profile NAME from the profile file (and the "default" line when it named it); atomically, under the lock, mode 0600, comments kept. Exit status: 0 written, 2 no such profile, ${EXIT_TEXT}`,
    examples: ['<%= config.bin %> profile remove old-lab'],
    edit: (name) => ({action: 'remove', name}),
    done: (r) => `removed profile "${r.profile}"`,
  },
}

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
  protected async profileValues(flags: Parsed): Promise<ProfileValues> {
    const values = await profileValuesFromFlags(flags)
    if (values.pw !== undefined)
      this.warn('the password is stored in plain text; prefer --password-env or --password-file')
    return values
  }
}

/** Makes the class of `profile <action>` from its entry above. */
export function profileCommand(action: ProfileEdit['action']): typeof ProfileEditCommand {
  const spec = PROFILE_COMMANDS[action]
  // oclif's parse reads a command's own statics only: every one is set on the class itself.
  const command = class extends ProfileEditCommand {
    static override summary = spec.summary
    static override description = spec.description
    static override examples = spec.examples
    static override args = {name: requiredArg('Profile name.')}
    static override flags = {...(spec.keys ? profileKeyFlags : {}), ...spec.flags}

    async run(): Promise<EditResult> {
      const {args, flags} = await this.parse(command)
      const values = spec.keys ? await this.profileValues(flags) : {}
      return this.editProfile(spec.edit(args.name, flags, values), (result) => spec.done(result, flags))
    }
  }
  Object.defineProperty(command, 'name', {value: `Profile${action[0].toUpperCase()}${action.slice(1)}`})
  return command
}
