import {optionalArg, requiredArg} from '../../base/args.js'

import {MqctlCommand} from '../../base/command.js'
import {passwordFlags, passwordIO, passwordSources} from '../../base/password-flags.js'

export default class PasswdVerify extends MqctlCommand {
  static override summary = 'Check a password against a password file entry.'

  static override description = `Exit status 0 when the password matches the user's entry, 1 when it does not, the user is absent, or the entry is no hash the broker can check (a plain-text password, a malformed hash), so configuration-management tools can stay idempotent (change the password only when it differs). 5 when the file cannot be read.

The password comes from a prompt that echoes nothing (on a terminal), --password-stdin / --password-file / --password-env, one line of piped standard input, or (visible in the process list, with a warning) the third argument. Lines longer than 65535 bytes are refused (exit 2).`

  static override examples = [
    {
      description: 'Idempotent update in a script',
      command:
        'printf "%s\\n" "$PW" | <%= config.bin %> passwd verify /etc/mosquitto/passwd alice --password-stdin || printf "%s\\n" "$PW" | <%= config.bin %> passwd --password-stdin /etc/mosquitto/passwd alice',
    },
  ]

  static override args = {
    file: requiredArg('Password file.'),
    username: requiredArg('User to check.'),
    password: optionalArg('Password (visible in the process list: prefer --password-stdin).'),
  }

  static override flags = {...passwordFlags}

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(PasswdVerify)
    const {verifyUserPassword} = await import('../../lib/passwd/verify.js')
    const {obtainPassword} = await import('../../lib/secrets/password.js')
    const password =
      (await obtainPassword(
        {sources: passwordSources(flags), argv: args.password, allowEmpty: true},
        passwordIO((m) => this.warn(m)),
      )) ?? Buffer.alloc(0)
    const result = await verifyUserPassword(args.file, args.username, password!)
    if (!this.jsonEnabled()) {
      const text = {
        match: 'password matches',
        mismatch: 'password does not match',
        'no-user': 'user not found',
        'invalid-entry': `the entry on line ${result.line} is no usable hash (${result.problem}); the broker refuses every password for it`,
      }[result.outcome]
      this.io.stderr.write(`${args.username}: ${text}\n`)
    }

    if (result.outcome !== 'match') process.exitCode = 1
    return result
  }
}
