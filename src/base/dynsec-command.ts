import {Flags} from '@oclif/core'

import {MqctlCommand} from './command.js'
import {connectionFlags, connectionManual} from './connection-flags.js'
import {connectFromFlags} from './connect.js'
import {canPrompt, promptPassword} from './prompt.js'
import type {RequestExtras} from '../lib/dynsec/catalog.js'

/** getClient's text layout: mosquitto_ctrl 2.0's (default) or 2.1's, or the broker's own version's. */
export const layoutFlags = {
  layout: Flags.string({
    description:
      "Text layout: 2.0 (mosquitto_ctrl 2.0's, the default), 2.1 (labels padded to 'Connections:', with the client's connections), or auto (2.1's when the broker's $SYS/broker/version says 2.1 or later).",
    options: ['2.0', '2.1', 'auto'],
  }),
}

/** The base of every online dynsec command: connection flags, one request, mosquitto_ctrl's output. */
export abstract class DynsecCommand extends MqctlCommand {
  static override baseFlags = {...MqctlCommand.baseFlags, ...connectionFlags}

  static manual = connectionManual

  /** Sends one command built from mosquitto_ctrl-style positional words, prints its result. */
  protected async runDynsec(
    name: string,
    words: Array<string | undefined>,
    flags: Record<string, unknown>,
    extras: RequestExtras = {},
  ): Promise<unknown> {
    const {buildDynsecRequest} = await import('../lib/dynsec/catalog.js')
    const {openDynsecSession} = await import('../lib/dynsec/client.js')
    const {outcomeJson, runDynsecRequest} = await import('../lib/dynsec/run.js')

    // Checked before connecting: a typo must not cost a round trip or a timeout.
    const request = buildDynsecRequest(name, words, extras)
    const connection = await connectFromFlags(flags)
    const log = connection.debug ? (line: string) => process.stderr.write(`mqctl: debug: ${line}\n`) : undefined
    const session = await openDynsecSession(connection, {log})
    let outcome
    try {
      const {pickLayout} = await import('../lib/dynsec/layout.js')
      outcome = await runDynsecRequest(session, request, await pickLayout(flags.layout, session))
    } finally {
      await session.close()
    }

    if (this.jsonEnabled()) return outcomeJson(name, outcome)
    for (const line of outcome.lines) this.out(line)
    return undefined
  }

  /**
   * Named inputs of the commands that take more than positional words. Passwords are read
   * here, before connecting, as mosquitto_ctrl does.
   */
  protected async extras(
    name: string,
    flags: Record<string, unknown>,
    username?: string,
    passwordArg?: string,
  ): Promise<RequestExtras> {
    const {parseAclSpec, parseNamedPriority} = await import('../lib/dynsec/catalog.js')
    const {emptyPassword, readNewPassword} = await import('../lib/secrets/password.js')
    const {stdinLines} = await import('../lib/secrets/stdin.js')
    const list = (key: string, field: string, clear: string) =>
      flags[clear] ? [] : (flags[key] as string[] | undefined)?.map((v) => parseNamedPriority(v, field))
    const extras: RequestExtras = {
      textname: flags['text-name'] as string | undefined,
      textdescription: flags['text-description'] as string | undefined,
      clientid: flags.clientid as string | undefined,
      roles: list('role', 'rolename', 'clear-roles'),
      groups: list('group', 'groupname', 'clear-groups'),
      clients: list('client', 'username', 'clear-clients'),
      acls: flags['clear-acls'] ? [] : (flags.acl as string[] | undefined)?.map((a) => parseAclSpec(a)),
    }

    let password = (flags.password as string | undefined) ?? passwordArg
    if (password !== undefined)
      this.warn('a password on the command line is visible in the process list; prefer --password-stdin')
    if (password === undefined && flags['password-stdin']) {
      const line = await stdinLines().readLine()
      if (line === undefined || line.length === 0) throw emptyPassword()
      password = line.toString('utf8')
    }

    if (password === undefined && (name === 'createClient' || name === 'setClientPassword')) {
      const interactive = canPrompt()
      if (interactive && name === 'createClient') {
        process.stderr.write(
          `Enter new password for ${username}. Press return for no password (user will be unable to login).\n`,
        )
      }

      const typed = await readNewPassword({
        interactive,
        prompt: promptPassword,
        first: `New password for ${username}:`,
        second: `Reenter password for ${username}:`,
        allowEmpty: name === 'createClient',
      })
      password = typed?.toString('utf8')
    }

    return {...extras, password}
  }
}
