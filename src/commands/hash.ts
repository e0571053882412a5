import {Flags} from '@oclif/core'

import {MqctlCommand} from '../base/command.js'
import {passwordFlags, passwordIO, passwordSources} from '../base/password-flags.js'

export default class Hash extends MqctlCommand {
  static override summary = 'Print a password hash for an auth-plugin database, or verify one.'

  static override description = `Formats (details and test vectors in docs/hash-formats.md):
  mosquitto         $7$ PBKDF2-SHA512, as in password files (default; --target 2.0|2.1)
  mosquitto-sha512  $6$ salted SHA-512
  auth-plug         PBKDF2$sha256$901$... as mosquitto-auth-plug's np writes it
  go-auth-pbkdf2    PBKDF2$sha512$100000$... as mosquitto-go-auth's default pbkdf2 hasher
  bcrypt            $2a$10$... as mosquitto-go-auth's bcrypt hasher

The password comes from a prompt that echoes nothing (asked twice), --password-stdin / --password-file / --password-env, or one line of piped standard input (at most 65535 bytes). The hash goes to stdout. With --verify HASH, exit 0 when the password matches, 1 when it does not.

Work is capped, since a hash to verify may come from anyone: PBKDF2 iterations 1 to 10,000,000 (--iterations and hashes given to --verify), bcrypt cost 4 to 17 (--cost and --verify); above the cap is a usage error (exit 2).`

  static override usage = [
    'hash [--format FORMAT] [--iterations N] [--cost N] [--target 2.0|2.1] [--password-stdin] [--json]',
    'hash --verify HASH [--password-stdin] [--json]',
  ]

  static override examples = [
    'printf "%s\\n" "$PW" | <%= config.bin %> hash --format go-auth-pbkdf2',
    '<%= config.bin %> hash --format bcrypt --cost 12',
    'printf "%s\\n" "$PW" | <%= config.bin %> hash --verify \'PBKDF2$sha256$901$...\'',
  ]

  static manual = {
    exitStatus: [
      ['0', 'Hash printed, or --verify matched.'],
      ['1', '--verify did not match.'],
      [
        '2',
        'Bad arguments, a malformed hash, work above the caps (iterations over 10000000, bcrypt cost over 17), a password line over 65535 bytes.',
      ],
      ['5', '--password-file is not a readable regular file.'],
    ] as Array<[string, string]>,
  }

  static override flags = {
    format: Flags.string({
      description: 'Hash format.',
      options: ['mosquitto', 'mosquitto-sha512', 'auth-plug', 'go-auth-pbkdf2', 'bcrypt'],
      default: 'mosquitto',
    }),
    iterations: Flags.integer({description: 'PBKDF2 iterations (format default otherwise; 1 to 10000000).', min: 1}),
    cost: Flags.integer({description: 'bcrypt cost (default 10; 4 to 17).', min: 4}),
    target: Flags.string({
      description: 'For --format mosquitto: the broker version whose defaults to use.',
      options: ['2.0', '2.1'],
    }),
    verify: Flags.string({description: 'Check the password against this hash instead of printing one.'}),
    ...passwordFlags,
  }

  async run(): Promise<unknown> {
    const {flags} = await this.parse(Hash)
    const {obtainPassword} = await import('../lib/secrets/password.js')
    const {checkHashRequest} = await import('../lib/passwd/any-hash.js')
    // Refused work is refused before anyone types a password.
    checkHashRequest({iterations: flags.iterations, cost: flags.cost, verify: flags.verify})
    // A new hash is typed twice on a terminal; piped input and --verify take one line.
    const password = (await obtainPassword(
      {sources: passwordSources(flags), confirm: flags.verify === undefined && process.stdin.isTTY},
      passwordIO((m) => this.warn(m)),
    ))!

    if (flags.verify !== undefined) {
      const {verifyAnyHash} = await import('../lib/passwd/any-hash.js')
      const match = await verifyAnyHash(flags.verify, password)
      if (!match) process.exitCode = 1
      if (!this.jsonEnabled()) this.io.stderr.write(match ? 'password matches\n' : 'password does not match\n')
      return {match}
    }

    const {hashAnyFormat} = await import('../lib/passwd/any-hash.js')
    const hash = await hashAnyFormat(flags.format as never, password, {
      iterations: flags.iterations,
      cost: flags.cost,
      target: flags.target as '2.0' | '2.1' | undefined,
    })
    if (!this.jsonEnabled()) this.out(hash)
    return {format: flags.format, hash}
  }
}
