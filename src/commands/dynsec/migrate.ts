import {Flags} from '@oclif/core'

import {MqctlCommand} from '../../base/command.js'
import {canPrompt, promptPassword} from '../../base/prompt.js'

export default class DynsecMigrate extends MqctlCommand {
  static override summary = 'Turn a password_file and an acl_file into a dynamic-security.json that decides the same.'

  static override description = `Writes one dynamic-security.json (0600, atomically) under which the broker decides every PUBLISH, delivery, SUBSCRIBE and UNSUBSCRIBE as it did with password_file + acl_file:

- $7$ users are carried exactly (2.0: password/salt/iterations; 2.1: encoded_password); $6$ users cannot be (the plugin cannot check them), plain-text entries were refused by the broker already;
- each user's lines become the user's role: deny lines at a higher priority, since in acl_file any matching deny wins; read/write/readwrite become publishClientReceive/publishClientSend ACLs;
- pattern lines: on 2.1 one role with %u/%c; on 2.0 a copy per user of the password file with the name put in (users with + or # get none, as in acl_file); %c cannot be carried to 2.0;
- lines before any "user" line become the role of the anonymous group (keep allow_anonymous as it was);
- acl_file never refused SUBSCRIBE: every client and the anonymous group get subscribePattern and unsubscribePattern "#".

When anything cannot be carried exactly the command lists each such rule or user as file:line, writes nothing and exits 1; --accept-lossy writes anyway. Then it prints the mosquitto.conf lines that replace password_file and acl_file.

--admin NAME adds an admin client with the standard admin role (the dynamic-security API, read everything); its password comes from a masked prompt, --admin-password-stdin or --admin-password-env VAR.

Exit status: 0 written, 1 refused (lossy), 2 usage, 5 a file cannot be read, parsed or written.`

  static override examples = [
    '<%= config.bin %> dynsec migrate --passwd /etc/mosquitto/passwd --acl /etc/mosquitto/acl -o /etc/mosquitto/dynamic-security.json',
    'printf "%s\\n" "$ADMIN_PW" | <%= config.bin %> dynsec migrate --passwd passwd --acl acl --target 2.1 -o dynsec.json --admin admin --admin-password-stdin',
  ]

  static override flags = {
    passwd: Flags.string({description: 'The password_file.', required: true}),
    acl: Flags.string({description: 'The acl_file.', required: true}),
    output: Flags.string({char: 'o', description: 'The dynamic-security.json to write.', required: true}),
    target: Flags.string({description: 'Plugin version to write for.', options: ['2.0', '2.1'], default: '2.0'}),
    admin: Flags.string({description: 'Add an admin client with this username.'}),
    'admin-password-stdin': Flags.boolean({description: "Read the admin's password as one line from standard input."}),
    'admin-password-env': Flags.string({description: "Read the admin's password from this environment variable."}),
    'accept-lossy': Flags.boolean({description: 'Write even when some rules or users cannot be carried exactly.'}),
    force: Flags.boolean({description: 'Replace an existing output file.'}),
  }

  async run(): Promise<unknown> {
    const {flags} = await this.parse(DynsecMigrate)
    const {MqctlError} = await import('../../lib/errors.js')
    let admin: {username: string; password: Buffer} | undefined
    if (flags.admin !== undefined) {
      const {emptyPassword, readNewPassword, readPasswordFromSources} = await import('../../lib/secrets/password.js')
      let password = await readPasswordFromSources({
        stdin: flags['admin-password-stdin'],
        env: flags['admin-password-env'],
      })
      password ??= await readNewPassword({
        interactive: canPrompt(),
        prompt: promptPassword,
        first: `New password for ${flags.admin}:`,
        second: `Reenter password for ${flags.admin}:`,
      })
      if (!password || password.length === 0) throw emptyPassword()
      admin = {username: flags.admin, password}
    } else if (flags['admin-password-stdin'] || flags['admin-password-env'] !== undefined) {
      throw new MqctlError('USAGE_MIGRATE_ADMIN', 'an admin password was given without --admin NAME')
    }

    const {migrateFiles} = await import('../../lib/dynsec/migrate-files.js')
    const report = await migrateFiles({
      passwd: flags.passwd,
      acl: flags.acl,
      output: flags.output,
      target: flags.target as '2.0' | '2.1',
      admin,
      acceptLossy: flags['accept-lossy'],
      force: flags.force,
    })
    if (!report.written) process.exitCode = 1
    if (this.jsonEnabled()) return report
    const {escapeForLine} = await import('../../lib/output/escape.js')
    for (const i of report.items) this.out(escapeForLine(`${i.severity}: ${i.location}: ${i.message}`))
    const {carried, notCarried} = report.users
    this.out(`${carried} user(s) carried, ${notCarried} not; ${report.roles} role(s); target ${report.target}`)
    if (!report.written) {
      this.io.stderr.write(
        `mqctl: not written: ${report.lossy} rule(s) or user(s) cannot be carried exactly; --accept-lossy writes anyway\n`,
      )
      return report
    }

    this.out(
      escapeForLine(`wrote ${report.output}${report.lossy > 0 ? ` (${report.lossy} lossy item(s) accepted)` : ''}`),
    )
    this.out('mosquitto.conf:')
    for (const line of report.config) this.out(escapeForLine(`  ${line}`))
    return report
  }
}
