import {checkCtrlOptionsTogether, parseCtrlOptions} from '../lib/connection/ctrl-options.js'
import {findBrokerCommand} from '../lib/broker/control.js'
import {findDynsecCommand, unknownDynsecCommand} from '../lib/dynsec/catalog.js'
import {MqctlError} from '../lib/errors.js'

/** dynsec subcommands that are mqctl's own rather than mosquitto_ctrl's. */
const OWN_DYNSEC = new Set(['init', 'check', 'who', 'migrate', 'export', 'plan', 'apply', 'batch', 'schema'])
/** dynsec subcommands that never connect. */
const OFFLINE_DYNSEC = new Set(['init', 'schema'])
/** Flags that belong to mqctl's commands even where connection options are read. */
const OWN_FLAGS = new Set(['--json', '--help', '--verbose'])

/**
 * Rewrites mosquitto_ctrl's argv order into mqctl's, before oclif looks the command up:
 *   mqctl -h host -p 1884 -u admin dynsec createclient bob -p secret
 *   → mqctl dynsec createClient bob -p secret --host=host --port=1884 --username=admin
 * Connection options before the module word become long flags after the command (where
 * short letters belong to the command), and dynsec command names are matched in any case.
 *
 * This cannot be an oclif preparse hook: oclif resolves the command id from the leading words
 * before any hook sees argv, so `-h host dynsec …` would already be "command not found".
 */
export function rewriteCtrlArgv(argv: readonly string[]): string[] {
  if (argv.length === 0) return [...argv]
  let leading = new Map<string, string | true>()
  let start = 0
  if (argv[0].startsWith('-') && argv[0] !== '--help' && argv[0] !== '--version') {
    const parsed = parseCtrlOptions(argv)
    leading = parsed.options
    start = parsed.rest
    if (start >= argv.length) {
      // mosquitto_ctrl checks the options together before it looks for a module.
      checkCtrlOptionsTogether(leading)
      throw new MqctlError('USAGE_NO_COMMAND', 'connection options given but no command (e.g. "dynsec listClients")')
    }
  }

  const words = argv.slice(start)
  if (words[0].toLowerCase() === 'dynsec' && words.length > 1) {
    words[0] = 'dynsec'
    if (isOptionBeforeCommand(words)) {
      // `mqctl dynsec -h host getClient a`: options between the module word and the command
      // mean what they mean before the module word (oclif would print the topic's help, exit 0).
      // mqctl's own flags among them (--json, --help, and --verbose of the list commands) stay
      // flags of the command rather than connection options.
      const end = words.includes('--') ? words.indexOf('--') : words.length
      const own = words.slice(1, end).filter((w) => OWN_FLAGS.has(w))
      const rest = words.slice(1).filter((w, i) => !(OWN_FLAGS.has(w) && i + 1 < end))
      const parsed = parseCtrlOptions(rest)
      for (const [flag, value] of parsed.options) leading.set(flag, value)
      if (parsed.rest >= rest.length) {
        if (!own.includes('--help'))
          throw new MqctlError(
            'USAGE_NO_COMMAND',
            'connection options given but no command (e.g. "dynsec listClients")',
          )
        words.splice(1, words.length - 1, '--help')
      } else {
        words.splice(1, words.length - 1, ...rest.slice(parsed.rest))
        words.splice(2, 0, ...own)
      }
    }

    const name = words[1]
    if (!name.startsWith('-') && name !== 'help' && !OWN_DYNSEC.has(name)) {
      const spec = findDynsecCommand(name)
      if (!spec) throw unknownDynsecCommand(name, [...OWN_DYNSEC])
      words[1] = spec.name
    }

    if (name === 'help') words.splice(1, 1, '--help')
  }

  if (words[0].toLowerCase() === 'broker' && words.length > 1) rewriteBrokerWords(words)
  // Checked together here too, before the command runs, so they keep mosquitto_ctrl's words
  // (`--keyform key … broker listListeners`: "Problem setting key form…", as 2.1.2 says).
  if (leading.size > 0) checkCtrlOptionsTogether(leading)

  // `dynsec init` works offline: both mosquitto_ctrl versions parse (and check) the connection
  // options before it and then ignore them, and Mosquitto's own tests call it that way.
  if (words[0] === 'dynsec' && OFFLINE_DYNSEC.has(words[1])) leading.clear()
  const moved: string[] = []
  for (const [flag, value] of leading) moved.push(value === true ? `--${flag}` : `--${flag}=${value}`)

  // Moved options go at the end, before a `--` (so they stay options) and before a last word that
  // is an option: a command's own flag left without its value (`setClientPassword a pw -i`)
  // would take the first moved option as its value.
  const dashDash = words.indexOf('--')
  const end = dashDash === -1 ? words.length : dashDash
  const last = words[end - 1]
  // Only a flag name (`-i`, `--iterations`): `--timeout -1` or a priority `-5` ends in a value.
  const danglingFlag = /^(-[A-Za-z]|--[A-Za-z][\w-]*)$/.test(last ?? '') && !OWN_FLAGS.has(last)
  const cut = end > 2 && danglingFlag ? end - 1 : end
  return [...words.slice(0, cut), ...moved, ...words.slice(cut)]
}

/**
 * `broker help` is the module's help and `broker LISTPLUGINS` a command in any case, as in
 * mosquitto_ctrl 2.1; any other word is its `Command 'x' not recognised.` (exit 13).
 */
function rewriteBrokerWords(words: string[]): void {
  words[0] = 'broker'
  const name = words[1]
  if (name.startsWith('-')) return
  if (name === 'help') {
    words.splice(1, 1, '--help')
    return
  }
  const command = findBrokerCommand(name)
  if (!command) {
    const text = `Command '${name}' not recognised.`
    throw new MqctlError('USAGE_UNKNOWN_COMMAND', text, {verbatim: text, exit: 13})
  }
  words[1] = command
}

/** `dynsec` followed by an option rather than a command name or a help request. */
function isOptionBeforeCommand(words: readonly string[]): boolean {
  const next = words[1]
  if (!next.startsWith('-') || next === '-' || next === '--' || next === '--help') return false
  return !(words.length === 2 && next === '-h')
}
