import {Flags} from '@oclif/core'

/** The ways a command can take a password without putting it in argv. */
export const passwordSourceFlags = {
  'password-stdin': Flags.boolean({
    description: 'Read the password as one line from standard input.',
    exclusive: ['password-file', 'password-env'],
  }),
  'password-file': Flags.string({
    description: 'Read the password from the first line of this file.',
    exclusive: ['password-stdin', 'password-env'],
  }),
  'password-env': Flags.string({
    description: 'Read the password from this environment variable.',
    exclusive: ['password-stdin', 'password-file'],
  }),
}
