import {MqctlCommand} from './command.js'
import {connectionFlags, connectionManual, dynsecFileFlag} from './connection-flags.js'
import {connectFromFlags} from './connect.js'
import type {DynsecBackend} from '../lib/dynsec/backend.js'
import type {DynsecCommandSpec, RequestExtras} from '../lib/dynsec/catalog.js'

type Flags = Record<string, unknown>

/** The base of every online dynsec command: connection flags, one request, mosquitto_ctrl's output. */
export abstract class DynsecCommand extends MqctlCommand {
  static override baseFlags = {...MqctlCommand.baseFlags, ...connectionFlags, ...dynsecFileFlag}

  static manual = connectionManual

  /** What plan, apply and export run with (src/base/dynsec-policy-run.ts): this command's I/O and --json. */
  protected policyRun(): {io: import('../lib/io.js').IO; json: boolean} {
    return {io: this.io, json: this.jsonEnabled()}
  }

  /**
   * Where the commands go. One function, so the `-f FILE` backend plugs in here:
   * `if (flags.file) return fileBackend(...)`.
   */
  protected async openBackend(flags: Flags): Promise<DynsecBackend> {
    if (flags.file !== undefined) {
      const {openBackendFromFlags} = await import('./dynsec-backend.js')
      return (await openBackendFromFlags(flags, {io: this.io})).backend
    }

    // One subscribed connection for every request of this process (getClient --layout auto asks
    // for the broker's version first; a per-send connection would connect twice).
    const {openSessionBackend} = await import('../lib/dynsec/client.js')
    const connection = await connectFromFlags(flags, this.io)
    return openSessionBackend(connection, {log: connection.debug ? (line) => this.io.debug(line) : undefined})
  }

  /** Runs one catalog command from its parsed arguments and flags; returns the --json result. */
  protected async runCatalog(spec: DynsecCommandSpec, args: Record<string, unknown>, flags: Flags): Promise<unknown> {
    const words = spec.args.map((a) => args[a.name] as string | undefined)
    const extras = await this.extras(spec, flags, words[0], args.password as string | undefined)
    return this.runDynsec(spec.name, words, flags, extras)
  }

  /** Sends one command built from mosquitto_ctrl-style positional words, prints its result. */
  protected async runDynsec(
    name: string,
    words: Array<string | undefined>,
    flags: Flags,
    extras: RequestExtras = {},
  ): Promise<unknown> {
    const {buildDynsecRequest} = await import('../lib/dynsec/catalog.js')
    const {outcomeJson, runDynsecRequest} = await import('../lib/dynsec/run.js')
    const {pickLayout} = await import('../lib/dynsec/layout.js')
    const {MqctlError} = await import('../lib/errors.js')

    // Checked before connecting: a typo must not cost a round trip or a timeout.
    const request = buildDynsecRequest(name, words, extras)
    if (flags.iterations !== undefined) {
      // Only a file can take it: the plugin's API has no iterations field.
      if (flags.file === undefined) throw new MqctlError('USAGE_DYNSEC', '-i/--iterations needs -f FILE')
      request.iterations = flags.iterations
    }

    const backend = await this.openBackend(flags)
    try {
      const layout = await pickLayout(flags.layout, async () => backend.brokerVersion?.())
      const outcome = await runDynsecRequest(backend, request, layout)
      for (const line of outcome.lines) this.io.out(line)
      return outcomeJson(name, outcome)
    } finally {
      await backend.close()
    }
  }

  /**
   * Named inputs of the commands that take more than positional words. Passwords are read
   * here, before connecting, as mosquitto_ctrl does.
   */
  protected async extras(
    spec: DynsecCommandSpec,
    flags: Flags,
    username?: string,
    passwordArg?: string,
  ): Promise<RequestExtras> {
    const {parseAclSpec, parseNamedPriority} = await import('../lib/dynsec/catalog.js')
    const list = (key: string, field: string, clear: string) =>
      flags[clear] ? [] : (flags[key] as string[] | undefined)?.map((v) => parseNamedPriority(v, field))
    const extras: RequestExtras = {
      textname: flags['text-name'] as string | undefined,
      textdescription: flags['text-description'] as string | undefined,
      clientid: flags.clientid as string | undefined,
      verbose: flags.verbose as boolean | undefined,
      roles: list('role', 'rolename', 'clear-roles'),
      groups: list('group', 'groupname', 'clear-groups'),
      clients: list('client', 'username', 'clear-clients'),
      acls: flags['clear-acls'] ? [] : (flags.acl as string[] | undefined)?.map((a) => parseAclSpec(a)),
    }
    if (!spec.password) return extras
    const password = await this.newPassword(spec, flags, username, (flags.password as string) ?? passwordArg)
    return {...extras, password}
  }

  /**
   * The client's new password: argv (with the one warning), else --password-stdin,
   * --password-file or --password-env, else (not for modifyClient) the masked prompt asked twice,
   * or two lines of piped input, as mosquitto_ctrl reads it.
   */
  private async newPassword(
    spec: DynsecCommandSpec,
    flags: Flags,
    username: string | undefined,
    argv: string | undefined,
  ): Promise<string | undefined> {
    const {emptyPassword, readNewPassword, readPasswordFromSources} = await import('../lib/secrets/password.js')
    if (argv !== undefined) {
      this.warn('a password on the command line is visible in the process list; prefer --password-stdin')
      return argv
    }

    const sourced = await readPasswordFromSources({
      stdin: flags['password-stdin'] as boolean | undefined,
      file: flags['password-file'] as string | undefined,
      env: flags['password-env'] as string | undefined,
    })
    if (sourced !== undefined) {
      if (sourced.length === 0) throw emptyPassword()
      return sourced.toString('utf8')
    }

    if (spec.password === 'modify') return undefined
    const interactive = this.io.canPrompt()
    if (interactive && spec.password === 'create') {
      this.io.stderr.write(
        `Enter new password for ${username}. Press return for no password (user will be unable to login).\n`,
      )
    }

    const typed = await readNewPassword({
      interactive,
      prompt: (message) => this.io.promptSecret(message),
      first: `New password for ${username}:`,
      second: `Reenter password for ${username}:`,
      allowEmpty: spec.password === 'create',
    })
    return typed?.toString('utf8')
  }
}
