import {Flags} from '@oclif/core'

import {optionalArg, requiredArg} from '../../base/args.js'
import {MqctlCommand} from '../../base/command.js'
import {passwordFlags, passwordIO, passwordSources} from '../../base/password-flags.js'

export default class DynsecInit extends MqctlCommand {
  static override summary = 'Create a dynamic-security.json with one admin client (offline).'

  static override description = `Writes what "mosquitto_ctrl dynsec init" writes: an admin client with the admin role, which may use the dynamic-security API and read every topic, but publish nowhere else; default access: publishClientSend deny, publishClientReceive allow, subscribe deny, unsubscribe allow. The file is created 0600 and an existing file is never replaced without --force.

--target 2.0 (default) stores the password as password/salt/iterations (12-byte salt, 101 iterations), which every 2.x broker reads; --target 2.1 writes 2.1's encoded_password ($7$, 1000 iterations, 64-byte salt), which 2.0 brokers cannot read.

The password comes from --password-stdin, --password-file or --password-env, a prompt that echoes nothing asked twice (two lines when standard input is piped), or the third argument (visible in the process list: mqctl warns).

Without --force the file is created complete or not at all (temp file, fsync, link): a kill or a full disk never leaves an empty file behind, so a rerun works. With --force the replacement is atomic; a FIFO or /dev/stdout is written through, never replaced. Exit 5 when the file exists (without --force) or cannot be written.

Then point the broker at it:
  plugin /usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so
  plugin_opt_config_file /path/to/dynamic-security.json`

  static override examples = [
    '<%= config.bin %> dynsec init /etc/mosquitto/dynamic-security.json admin',
    'printf "%s\\n" "$ADMIN_PW" | <%= config.bin %> dynsec init dynsec.json admin --password-stdin',
    'ADMIN_PW=... <%= config.bin %> dynsec init dynsec.json admin --password-env ADMIN_PW',
  ]

  static override args = {
    file: requiredArg('File to create.'),
    admin: requiredArg('Username of the admin client.'),
    password: optionalArg('Admin password (visible in the process list: prefer --password-stdin or the prompt).'),
  }

  static override flags = {
    force: Flags.boolean({description: 'Replace an existing file.'}),
    target: Flags.string({
      description: 'Password storage of this broker version.',
      options: ['2.0', '2.1'],
      default: '2.0',
    }),
    ...passwordFlags,
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(DynsecInit)
    const {buildInitialConfig, writeInitialConfig} = await import('../../lib/dynsec/init.js')
    const {obtainPassword} = await import('../../lib/secrets/password.js')
    const password = (await obtainPassword(
      {
        sources: passwordSources(flags),
        argv: args.password,
        confirm: true,
        first: `New password for ${args.admin}:`,
        second: `Reenter password for ${args.admin}:`,
      },
      passwordIO((m) => this.warn(m)),
    ))!

    const target = flags.target as '2.0' | '2.1'
    await writeInitialConfig(args.file, await buildInitialConfig(args.admin, password, target), {
      force: flags.force,
      target,
    })
    if (!this.jsonEnabled()) {
      this.out(`The client '${args.admin}' has been created in the file '${args.file}'.
It may administer the dynamic-security plugin, but not publish to normal topics.
Create application clients, roles and ACLs with, for example:
   mqctl [connection options] dynsec createClient <username>
   mqctl [connection options] dynsec createRole <rolename>
   mqctl [connection options] dynsec addRoleACL <rolename> publishClientSend my/topic allow [priority]
   mqctl [connection options] dynsec addClientRole <username> <rolename> [priority]
See "mqctl dynsec --help" for every command.`)
    }

    return {ok: true, file: args.file, admin: args.admin, target}
  }
}
