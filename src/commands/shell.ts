import {Errors, Flags} from '@oclif/core'

import {MqctlCommand} from '../base/command.js'
import {connectFromFlags} from '../base/connect.js'
import {connectionFlagsWithLetters, connectionManual} from '../base/connection-flags.js'
import {renderError} from '../base/render-error.js'

export default class Shell extends MqctlCommand {
  static override summary = 'An interactive dynsec session over one connection, with completion of the broker names.'

  static override description = `Connects once (every connection option of the dynsec commands, options files and profiles too) and reads commands in mosquitto_ctrl's dynsec syntax: "createClient bob -p secret", "addRoleACL r1 publishClientSend a/# allow 5", "getClient bob" (a leading "dynsec" is optional, names in any letter case), "broker listPlugins" and "broker listListeners" (mosquitto 2.1), "help [command]", "exit".

On a terminal: tab completes command names, ACL types, allow/deny and the client, group and role names of the broker (fetched with the list commands when the shell starts and again after each change); passwords are asked with no echo; the history is kept in $XDG_STATE_HOME/mqctl/history (~/.local/state/mqctl/history, mode 0600) without any line that carries a password.

Piped: commands are read line by line and each result printed in mosquitto_ctrl's layout, errors on stderr; createClient without -p reads the password and its confirmation from the next two lines. Up to 20 requests are in flight while earlier results print (the broker handles one connection's requests in order, so a line sees the changes of the lines before it; results print in input order); sent alone, after every earlier result: a change to the admin's own client, its groups or roles (the broker drops the connection for those: the line reports it, exit 3, and no later line runs), deleteGroup, broker commands, and every request with --qos 2. Exit status: that of the last command that failed (the dynsec commands' exit codes; 13 for an unknown command), or 0.`

  static override examples = [
    '<%= config.bin %> shell -h broker.example -u admin',
    "printf 'createClient bob -p secret\\ngetClient bob\\n' | <%= config.bin %> shell -u admin --admin-password-stdin",
  ]

  static manual = {
    ...connectionManual,
    files: [
      ...connectionManual.files,
      ['$XDG_STATE_HOME/mqctl/history, ~/.local/state/mqctl/history', 'The shell history (0600, no passwords).'],
    ] as Array<[string, string]>,
    exitStatus: [
      ['0', 'Every command succeeded (or only the last failure was followed by exit 0 commands: see above).'],
      ['1', 'The last failed command was refused by the broker.'],
      ['2', 'The last failed command had bad arguments.'],
      ['3', 'The broker could not be reached, or closed the connection.'],
      ['4', 'Timeout.'],
      ['13', 'The last failed command was not recognised.'],
    ] as Array<[string, string]>,
  }

  static override enableJsonFlag = false

  static override flags = {
    ...connectionFlagsWithLetters,
    layout: Flags.string({
      description: "getClient's text layout: 2.0 (default), 2.1, or auto (asks the broker's $SYS/broker/version once).",
      options: ['2.0', '2.1', 'auto'],
    }),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Shell)
    const {openDynsecSession} = await import('../lib/dynsec/client.js')
    const {pickLayout} = await import('../lib/dynsec/layout.js')
    const {ShellRunner} = await import('../lib/shell/runner.js')
    const {stdinLines} = await import('../lib/secrets/stdin.js')
    const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY)
    const connection = await connectFromFlags(flags)
    const log = connection.debug ? (line: string) => process.stderr.write(`mqctl: debug: ${line}\n`) : undefined
    const session = await openDynsecSession(connection, {log})
    let terminal: import('../lib/shell/terminal.js').Terminal | undefined
    let status = 0
    let brokerSession: Awaited<ReturnType<typeof openDynsecSession>> | undefined
    try {
      const layout = await pickLayout(flags.layout, () => session.brokerVersion())
      const lines = stdinLines()
      const readLine = async () => (await lines.readLine('command line'))?.toString('utf8')
      const runner = new ShellRunner(
        session,
        {
          interactive,
          out: (line) => process.stdout.write(line + '\n'),
          fail: (error) => renderError(error, false),
          readPassword: async (prompt) =>
            terminal ? terminal.readPassword(prompt) : (await lines.readLine())?.toString('utf8'),
        },
        {
          layout,
          completion: interactive,
          broker: async () => {
            const {BROKER_ENDPOINT} = await import('../lib/broker/control.js')
            brokerSession = await openDynsecSession(connection, {log, endpoint: BROKER_ENDPOINT})
            return brokerSession
          },
        },
      )
      if (interactive) {
        const {Terminal} = await import('../lib/shell/terminal.js')
        const {historyPath} = await import('../lib/shell/history.js')
        terminal = new Terminal(historyPath(), () => runner.names)
      }

      await runner.refreshNames()
      if (!terminal) {
        const {runPipe} = await import('../lib/shell/pipeline.js')
        // QoS 2 requests hold the broker's receive quota until PUBREL: one at a time.
        const window = connection.qos === 2 ? 1 : undefined
        status = await runPipe(runner, session, readLine, {
          username: connection.username,
          closed: () => session.closed,
          window,
        })
      } else {
        process.stdout.write(`Connected to ${describe(connection)}. "help" lists the commands.\n`)
      }

      while (terminal) {
        const line = await terminal.readCommand()
        if (line === undefined) break
        const result = await runner.run(line)
        if (typeof result !== 'number') break
        if (result !== 0) status = result
        if (session.closed) {
          // A failed line has already said why (the close, mostly); say it for a line that succeeded.
          if (result === 0) renderError(session.closed, false)
          status = session.closed.exit
          break
        }
      }
    } finally {
      terminal?.close()
      await session.close()
      await brokerSession?.close()
    }

    if (status !== 0) throw new Errors.ExitError(status)
  }
}

const describe = (c: {unix?: string; host: string; port: number}) => (c.unix ? c.unix : `${c.host}:${c.port}`)
