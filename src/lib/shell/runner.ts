import {BROKER_COMMANDS, findBrokerCommand, runBrokerCommand, type BrokerCommand} from '../broker/control.js'
import {
  buildDynsecRequest,
  DYNSEC_COMMANDS,
  findDynsecCommand,
  unknownDynsecCommand,
  type RequestExtras,
} from '../dynsec/catalog.js'
import type {DynsecSession} from '../dynsec/client.js'
import type {Layout} from '../dynsec/format.js'
import type {DynsecRequest} from '../dynsec/schemas.js'
import {runDynsecRequest} from '../dynsec/run.js'
import {MqctlError} from '../errors.js'
import type {Names} from './complete.js'
import {splitWords} from './words.js'

/** What the shell needs from its surroundings; the command gives the terminal or the pipe. */
export interface ShellIO {
  /** One line of a result, on stdout. */
  out(line: string): void
  /** A failed command, rendered as the CLI renders it. */
  fail(error: MqctlError): void
  /** A password: masked on a terminal, the next input line when piped; undefined at end of input. */
  readPassword(prompt: string): Promise<string | undefined>
  /** True on a terminal: mosquitto_ctrl's "Enter new password" notice is shown. */
  interactive: boolean
}

/** The exit status `exit`/`quit` and end of input give: that of the last failed command, or 0. */
export const EXIT_SHELL = Symbol('exit')

/** What a line printed: its output lines, or the error it failed with. */
export type Result = {lines: string[]} | {error: MqctlError}

/** A line read and checked, before anything is sent for it. */
export type Step =
  | {kind: 'exit'}
  | {kind: 'done'; result: Result}
  | {kind: 'request'; request: DynsecRequest}
  | {kind: 'broker'; name: BrokerCommand}

const failed = (error: unknown): Result => ({
  error:
    error instanceof MqctlError ? error : new MqctlError('INTERNAL_ERROR', (error as Error).message, {cause: error}),
})

const usage = (name: string, params: readonly string[]) =>
  [name, ...params.map((p) => (p.endsWith('?') ? `[${p.slice(0, -1)}]` : `<${p}>`))].join(' ')

/** The help text of the shell, or of one command. */
export function shellHelp(topic?: string): string[] {
  if (topic) {
    const spec = findDynsecCommand(topic)
    if (spec) {
      const extra = spec.name === 'createClient' ? ' [-c clientid] [-p password]' : ''
      return [`${usage(spec.name, spec.params)}${extra}`, `  ${spec.summary}`]
    }

    const broker = BROKER_COMMANDS.find((c) => c.name.toLowerCase() === topic.toLowerCase())
    if (broker) return [`broker ${broker.name}`, `  ${broker.summary}`]
    throw unknown(topic)
  }

  const width = Math.max(...DYNSEC_COMMANDS.map((c) => c.name.length)) + 2
  return [
    'Commands (mosquitto_ctrl dynsec syntax; the word "dynsec" in front is optional; names in any letter case):',
    ...DYNSEC_COMMANDS.filter((c) => !c.name.startsWith('modify')).map(
      (c) => `  ${c.name.padEnd(width)}${usage('', c.params).trim()}`,
    ),
    'Broker (mosquitto 2.1 with enable_control_api):',
    ...BROKER_COMMANDS.map((c) => `  broker ${c.name}`),
    'Shell:',
    '  help [command]   this text, or one command',
    '  exit, quit       leave (also end of input, Ctrl-D)',
    'Tab completes command names, ACL types and the client, group and role names of the broker.',
  ]
}

const unknown = (name: string) => unknownDynsecCommand(name, [...BROKER_COMMANDS.map((c) => c.name), 'help', 'exit'])

/**
 * Runs shell lines over one connection. Each line's exit status is what the same command
 * gives on the command line; the session remembers the names the broker has, for completion.
 */
export class ShellRunner {
  names: Names = {clients: [], groups: [], roles: []}

  constructor(
    private readonly session: Pick<DynsecSession, 'send' | 'closed'>,
    private readonly io: ShellIO,
    private readonly options: {
      layout: Layout
      completion: boolean
      /** A session on the broker control API, opened on first use (it has its own subscription). */
      broker?: () => Promise<Pick<DynsecSession, 'send'>>
    },
  ) {}

  private brokerSession?: Promise<Pick<DynsecSession, 'send'>>

  /** Fetches the client, group and role names (for completion). Failures leave the old names. */
  async refreshNames(): Promise<void> {
    if (!this.options.completion) return
    try {
      const replies = await this.session.send([
        {command: 'listClients'},
        {command: 'listGroups'},
        {command: 'listRoles'},
      ])
      const pick = (data: unknown, key: string, field: string) => {
        const list = (data as Record<string, unknown> | undefined)?.[key]
        if (!Array.isArray(list)) return []
        return list.flatMap((item: unknown) =>
          typeof item === 'string'
            ? [item]
            : typeof (item as Record<string, unknown>)?.[field] === 'string'
              ? [(item as Record<string, string>)[field]]
              : [],
        )
      }

      this.names = {
        clients: pick(replies[0]?.data, 'clients', 'username'),
        groups: pick(replies[1]?.data, 'groups', 'groupname'),
        roles: pick(replies[2]?.data, 'roles', 'rolename'),
      }
    } catch {
      // Completion is a convenience; a failing list must not fail the shell.
    }
  }

  /** Runs one line; returns its exit status, or EXIT_SHELL for exit/quit. */
  async run(line: string): Promise<number | typeof EXIT_SHELL> {
    const step = await this.prepare(line)
    if (step.kind === 'exit') return EXIT_SHELL
    return this.report(await this.execute(step))
  }

  /**
   * Reads one line into what it asks for, without sending anything: a result that needs no
   * broker, one dynsec request, or a broker command. Passwords it needs are read here.
   */
  async prepare(line: string): Promise<Step> {
    try {
      return await this.prepareWords(splitWords(line))
    } catch (error) {
      return {kind: 'done', result: failed(error)}
    }
  }

  /** Sends what a step needs (a request goes out before this returns its promise) and gives its result. */
  execute(step: Exclude<Step, {kind: 'exit'}>): Promise<Result> {
    if (step.kind === 'done') return Promise.resolve(step.result)
    if (step.kind === 'broker') return this.settle(this.runBroker(step.name))
    return this.settle(this.runRequest(step.request))
  }

  /** Prints a result; returns its exit status. */
  report(result: Result): number {
    if ('error' in result) {
      this.io.fail(result.error)
      return result.error.exit
    }

    for (const line of result.lines) this.io.out(line)
    return 0
  }

  private settle(work: Promise<string[]>): Promise<Result> {
    return work.then(
      (lines) => ({lines}),
      (error: unknown) => failed(error),
    )
  }

  private async runBroker(name: BrokerCommand): Promise<string[]> {
    if (!this.options.broker) throw new MqctlError('USAGE_SHELL', 'broker commands are not available here')
    this.brokerSession ??= this.options.broker()
    this.brokerSession.catch(() => (this.brokerSession = undefined))
    return (await runBrokerCommand(await this.brokerSession, name)).lines
  }

  private async runRequest(request: DynsecRequest): Promise<string[]> {
    const outcome = await runDynsecRequest(this.session, request, this.options.layout)
    if (outcome.output === 'none') await this.refreshNames()
    return outcome.lines
  }

  private async prepareWords(all: string[]): Promise<Step> {
    const done = (lines: string[]): Step => ({kind: 'done', result: {lines}})
    if (all.length === 0) return done([])
    const first = all[0].toLowerCase()
    if (first === 'exit' || first === 'quit') return {kind: 'exit'}
    if (first === 'help') return done(shellHelp(all[1]))
    if (first === 'broker') {
      const name = all[1] === undefined ? undefined : findBrokerCommand(all[1])
      if (!name) throw unknown(all[1] ?? 'broker')
      if (all.length > 2) throw new MqctlError('USAGE_ARGUMENTS', `${name} takes no arguments`)
      return {kind: 'broker', name}
    }

    const words = first === 'dynsec' ? all.slice(1) : all
    if (words.length === 0) return done(shellHelp())
    const spec = findDynsecCommand(words[0])
    if (!spec) throw unknown(words[0])
    const name = spec.name
    const positional: string[] = []
    const extras: RequestExtras = {}
    for (let i = 1; i < words.length; i++) {
      const word = words[i]
      if (name === 'createClient' && (word === '-p' || word === '-c' || word === '-i')) {
        const value = words[++i]
        if (value === undefined)
          throw new MqctlError('USAGE_ARGUMENTS', `Error: ${word} argument given, but no value provided.`)
        if (word === '-p') extras.password = value
        else extras.clientid = value
      } else {
        positional.push(word)
      }
    }

    const required = spec.params.filter((p) => !p.endsWith('?')).length
    if (positional.length < required || positional.length > spec.params.length) {
      throw new MqctlError('USAGE_ARGUMENTS', `Invalid function arguments provided: ${usage(name, spec.params)}`)
    }

    if (name === 'setClientPassword') extras.password = positional[1] ?? (await this.newPassword(positional[0], false))
    if (name === 'createClient' && extras.password === undefined) {
      extras.password = await this.newPassword(positional[0], true)
    }

    return {kind: 'request', request: buildDynsecRequest(name, positional, extras)}
  }

  /** Asks twice (mosquitto_ctrl's prompts); an empty answer means no password for createClient. */
  private async newPassword(username: string, allowEmpty: boolean): Promise<string | undefined> {
    if (this.io.interactive && allowEmpty) {
      this.io.out(`Enter new password for ${username}. Press return for no password (user will be unable to login).`)
    }

    const first = await this.io.readPassword(`New password for ${username}: `)
    if (first === undefined || (first === '' && !allowEmpty)) {
      throw new MqctlError('USAGE_NO_PASSWORD', 'Error: Empty password.', {verbatim: 'Error: Empty password.', exit: 1})
    }

    if (first === '') return undefined
    const second = await this.io.readPassword(`Reenter password for ${username}: `)
    if (second !== first) {
      throw new MqctlError('USAGE_PASSWORD_MISMATCH', 'Error: Passwords do not match.', {
        verbatim: 'Error: Passwords do not match.',
        exit: 1,
      })
    }

    return first
  }
}
