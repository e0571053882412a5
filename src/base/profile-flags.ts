import {Flags} from '@oclif/core'

import {connectionFlags} from './connection-flags.js'

/** Connection flags that make no sense inside a profile. */
const NOT_IN_PROFILE = new Set(['profile', 'options-file', 'admin-password-stdin'])

/** The profile keys as flags: every connection flag, plus the profile-only password sources. */
export const profileKeyFlags = {
  ...Object.fromEntries(
    Object.entries(connectionFlags)
      .filter(([name]) => !NOT_IN_PROFILE.has(name))
      .map(([name, flag]) => [name, {...flag, helpGroup: 'PROFILE KEYS'}]),
  ),
  'password-file': Flags.string({description: 'File whose first line is the password.', helpGroup: 'PROFILE KEYS'}),
  'password-env': Flags.string({
    description: 'Environment variable that holds the password.',
    helpGroup: 'PROFILE KEYS',
  }),
} as typeof connectionFlags & {
  'password-file': ReturnType<typeof Flags.string>
  'password-env': ReturnType<typeof Flags.string>
}

/** The profile keys given on the command line, with the values the file stores. */
export async function profileValuesFromFlags(
  flags: Record<string, unknown>,
): Promise<Record<string, string | number | boolean>> {
  const {profileValue} = await import('../lib/connection/profile-edit.js')
  const values: Record<string, string | number | boolean> = {}
  for (const [key, value] of Object.entries(flags)) {
    if (!(key in profileKeyFlags) || value === undefined || value === false) continue
    values[key] = profileValue(key, value === true ? true : String(value))
  }

  return values
}
