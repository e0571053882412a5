import {Flags} from '@oclif/core'

import type {PasswordIO, PasswordSources} from '../lib/secrets/password.js'
import {canPrompt, promptPassword} from './prompt.js'

/**
 * The password flags every command that takes a password spreads into its `flags`, so all of
 * them offer the same sources with the same words. Use with the one policy:
 *
 *   static flags = {...passwordFlags}
 *   const {obtainPassword} = await import('../lib/secrets/password.js')
 *   const pw = await obtainPassword({sources: passwordSources(flags), argv: args.password, confirm: true},
 *     passwordIO((m) => this.warn(m)))
 */
export const passwordFlags = {
  'password-stdin': Flags.boolean({
    description: 'Read the password as one line from standard input.',
    exclusive: ['password-file', 'password-env'],
  }),
  'password-file': Flags.string({
    description: 'Read the password from the first line of this file (a regular file).',
    exclusive: ['password-stdin', 'password-env'],
  }),
  'password-env': Flags.string({
    description: 'Read the password from this environment variable.',
    exclusive: ['password-stdin', 'password-file'],
  }),
}

/** The former name, for callers written before the policy was one. */
export const passwordSourceFlags = passwordFlags

/** The parsed password flags as the lib's PasswordSources. */
export const passwordSources = (flags: {
  'password-stdin'?: boolean
  'password-file'?: string
  'password-env'?: string
}): PasswordSources => ({
  stdin: flags['password-stdin'] || undefined,
  file: flags['password-file'],
  env: flags['password-env'],
})

/** The terminal side of the policy: the no-echo prompt when stdin is a terminal, and a warning sink. */
export const passwordIO = (warn: (message: string) => void): PasswordIO => ({
  interactive: canPrompt(),
  prompt: promptPassword,
  warn,
})
