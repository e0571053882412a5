import {optionalArg, requiredArg} from '../../base/args.js'

import {MqctlCommand} from '../../base/command.js'
import {passwordSourceFlags} from '../../base/password-flags.js'
import {canPrompt, promptPassword} from '../../base/prompt.js'

export default class PasswdVerify extends MqctlCommand {
  static override summary = 'Check a password against a password file entry.'

  static override description = `Exit status 0 when the password matches the user's entry, 1 when it does not or the user is absent, so configuration-management tools can stay idempotent (change the password only when it differs). 5 when the file cannot be read.

The password comes from a masked prompt on a terminal, --password-stdin / --password-file / --password-env, one line of piped standard input, or (visible in the process list) the third argument.`

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

  static override flags = {...passwordSourceFlags}

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(PasswdVerify)
    const {verifyUserPassword} = await import('../../lib/passwd/verify.js')
    const {readPasswordFromSources} = await import('../../lib/secrets/password.js')
    const {stdinLines} = await import('../../lib/secrets/stdin.js')

    let password: Buffer | undefined = args.password === undefined ? undefined : Buffer.from(args.password, 'utf8')
    if (password) this.warn('a password argument is visible in the process list; prefer --password-stdin')
    password ??= await readPasswordFromSources({
      stdin: flags['password-stdin'],
      file: flags['password-file'],
      env: flags['password-env'],
    })
    if (password === undefined) {
      password = canPrompt()
        ? Buffer.from(await promptPassword('Password:'), 'utf8')
        : ((await stdinLines().readLine()) ?? Buffer.alloc(0))
    }

    const result = await verifyUserPassword(args.file, args.username, password!)
    if (!this.jsonEnabled()) {
      const text = {match: 'password matches', mismatch: 'password does not match', 'no-user': 'user not found'}[
        result.outcome
      ]
      process.stderr.write(`${args.username}: ${text}\n`)
    }

    if (result.outcome !== 'match') process.exitCode = 1
    return result
  }
}
