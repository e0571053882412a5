import {MqctlCommand} from './command.js'
import {connectionFlags, connectionManual, dynsecFileFlag} from './connection-flags.js'
import {openBackendFromFlags} from './dynsec-backend.js'
import {canPrompt, promptPassword} from './prompt.js'
import type {RequestExtras} from '../lib/dynsec/catalog.js'

/** The base of every online dynsec command: connection flags, one request, mosquitto_ctrl's output. */
export abstract class DynsecCommand extends MqctlCommand {
  static override baseFlags = {...MqctlCommand.baseFlags, ...connectionFlags, ...dynsecFileFlag}

  static manual = connectionManual

  /** Sends one command built from mosquitto_ctrl-style positional words, prints its result. */
  protected async runDynsec(
    name: string,
    words: Array<string | undefined>,
    flags: Record<string, unknown>,
    extras: RequestExtras = {},
  ): Promise<unknown> {
    const {buildDynsecRequest, findDynsecCommand} = await import('../lib/dynsec/catalog.js')
    const {formatResponse} = await import('../lib/dynsec/format.js')
    const {MqctlError} = await import('../lib/errors.js')

    // Checked before connecting: a typo must not cost a round trip or a timeout.
    const request = buildDynsecRequest(name, words, extras)
    let data: unknown
    if (flags.iterations !== undefined) {
      // Only a file can take it: the plugin's API has no iterations field.
      if (flags.file === undefined) throw new MqctlError('USAGE_DYNSEC', '-i/--iterations needs -f FILE')
      request.iterations = flags.iterations
    }

    const {backend} = await openBackendFromFlags(flags)
    try {
      if (name === 'deleteGroup') {
        // Deleting the anonymous group crashes mosquitto 2.0.0-2.0.14; refuse it as 2.0.15+ does.
        const [anon] = await backend.send([{command: 'getAnonymousGroup'}])
        const current = (anon.data as {group?: {groupname?: string}} | undefined)?.group?.groupname
        if (current !== undefined && current === request.groupname) {
          const text = 'deleteGroup: Error: Deleting the anonymous group is forbidden'
          throw new MqctlError('REFUSED_DYNSEC', text, {
            verbatim: text,
            exit: 1,
            hint: 'setAnonymousGroup another group first',
          })
        }
      }

      const [response] = await backend.send([request])
      if (response.error !== undefined) {
        throw new MqctlError('REFUSED_DYNSEC', `${name}: Error: ${response.error}`, {
          verbatim: `${name}: Error: ${response.error}`,
          exit: 1,
        })
      }

      data = response.data
    } finally {
      await backend.close()
    }

    const spec = findDynsecCommand(name)!
    const lines = formatResponse(spec.output, name, data)
    if (this.jsonEnabled()) return spec.output === 'none' ? {ok: true, command: name} : data
    for (const line of lines) this.out(line)
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
