import {CONNECTION_OPTIONS} from '../lib/connection/options-table.js'
import {buildDynsecRequest, findDynsecCommand, type RequestExtras} from '../lib/dynsec/catalog.js'
import {openDynsecSession} from '../lib/dynsec/client.js'
import {runDynsecRequest} from '../lib/dynsec/run.js'
import {connectFromOptions} from '../base/connect-options.js'

/**
 * The online dynsec commands without oclif, for the plain forms scripts run in loops
 * (`mqctl -h h -u admin dynsec getClient alice`, `createClient bob -p pw`): this path loads
 * no oclif, no mqtt.js and no zod, so a command costs about what starting node costs. Anything
 * it does not recognise word for word (--json, --help, the commands' own flags but
 * createClient's -p/-c, prompts, modify*) returns undefined and goes to oclif, which gives
 * the same answer more slowly. test/cli/dynsec.test.ts holds its flag table to oclif's.
 */

/** Long connection flags as the argv rewrite writes them: name → takes a value. */
export const FAST_CONNECTION_FLAGS: ReadonlyMap<string, boolean> = new Map(
  CONNECTION_OPTIONS
    // -f FILE (the offline file backend) is not a connection: such commands go to oclif.
    .filter((o) => o.name !== 'file')
    .map((o) => [o.name, o.kind !== undefined] as const),
)

/** Commands whose words the catalog turns into a request with nothing read from a prompt. */
const SKIP = new Set(['modifyClient', 'modifyGroup', 'modifyRole', 'init'])

export interface FastInvocation {
  name: string
  words: string[]
  connection: Map<string, string | true>
  extras: RequestExtras
  /** A password came from argv (mosquitto_ctrl's habit; warned about). */
  passwordOnArgv: boolean
}

/** Reads `dynsec <command> …` after the argv rewrite; undefined when oclif must handle it. */
export function parseFastDynsec(args: readonly string[]): FastInvocation | undefined {
  if (args[0] !== 'dynsec' || args.length < 2) return undefined
  const spec = findDynsecCommand(args[1])
  if (!spec || spec.name !== args[1] || SKIP.has(spec.name)) return undefined
  const words: string[] = []
  const connection = new Map<string, string | true>()
  const extras: RequestExtras = {}
  const own = spec.name === 'createClient'
  for (let i = 2; i < args.length; i++) {
    const word = args[i]
    if (!word.startsWith('-') || word === '-') {
      if (connection.size > 0) return undefined // words after flags: leave the edge cases to oclif
      words.push(word)
      continue
    }

    if (own && (word === '-p' || word === '-c' || word === '-i')) {
      const value = args[++i]
      if (value === undefined || value.startsWith('-')) return undefined
      if (word === '-p') extras.password = value
      else extras.clientid = value
      continue
    }

    if (!word.startsWith('--')) return undefined
    const eq = word.indexOf('=')
    const name = eq > 0 ? word.slice(2, eq) : word.slice(2)
    const takesValue = FAST_CONNECTION_FLAGS.get(name)
    if (takesValue === undefined) return undefined
    if (!takesValue) {
      if (eq > 0) return undefined
      connection.set(name, true)
      continue
    }

    const value = eq > 0 ? word.slice(eq + 1) : args[++i]
    if (value === undefined || (eq < 0 && value.startsWith('-'))) return undefined
    connection.set(name, value)
  }

  const required = spec.params.filter((p) => !p.endsWith('?')).length
  if (words.length < required || words.length > spec.params.length) return undefined
  let passwordOnArgv = extras.password !== undefined
  if (spec.name === 'setClientPassword') {
    if (words[1] === undefined) return undefined // prompt or --password-stdin: oclif's path
    extras.password = words[1]
    passwordOnArgv = true
  }

  if (spec.name === 'createClient' && extras.password === undefined) return undefined
  return {name: spec.name, words, connection, extras, passwordOnArgv}
}

/** Runs the command when it is in the fast path's subset; returns its exit status, else undefined. */
export async function fastDynsec(args: readonly string[]): Promise<number | undefined> {
  const invocation = parseFastDynsec(args)
  if (!invocation) return undefined
  try {
    const request = buildDynsecRequest(invocation.name, invocation.words, invocation.extras)
    if (invocation.passwordOnArgv) {
      process.stderr.write(
        'mqctl: warning: a password on the command line is visible in the process list; prefer --password-stdin\n',
      )
    }

    const connection = await connectFromOptions(invocation.connection)
    const log = connection.debug ? (line: string) => process.stderr.write(`mqctl: debug: ${line}\n`) : undefined
    const session = await openDynsecSession(connection, {log})
    try {
      const outcome = await runDynsecRequest(session, request)
      if (outcome.lines.length > 0) process.stdout.write(outcome.lines.join('\n') + '\n')
    } finally {
      await session.close()
    }

    return 0
  } catch (error) {
    // Loaded on failure only: rendering pulls in the colour palette (chalk), which costs start-up time.
    const {renderError, toMqctlError} = await import('../base/render-error.js')
    const e = toMqctlError(error)
    renderError(e, false)
    return e.exit
  }
}
