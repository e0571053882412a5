import {MqctlError} from '../errors.js'
import {escapeForLine} from '../output/escape.js'
import {crossProblem, missingValueText, optionBySpelling, valueProblem} from './options-table.js'

/** mosquitto_ctrl parses these and ignores them; so does mqctl. */
const IGNORED = new Set(['-v', '--verbose'])

/** Raw option values by mqctl flag name, before the layers are merged. */
export type RawOptions = Map<string, string | true>

export interface CtrlParse {
  options: RawOptions
  /** Index of the first word that is not a connection option. */
  rest: number
}

/**
 * The checks mosquitto_ctrl makes on the options together, for options that will not reach a
 * command (`mqctl --cert c.crt` alone): the same messages as at connect time.
 */
export function checkCtrlOptionsTogether(options: RawOptions, where = 'command line'): void {
  const found = crossProblem((name) => {
    const value = options.get(name)
    return typeof value === 'string' ? value : undefined
  })
  if (found) throw usage(`${found.problem}\n`, where)
}

/** A usage error printed as mosquitto_ctrl prints it (verbatim), with `(where)` for --json and logs. */
const usage = (text: string, where: string) =>
  new MqctlError(
    'USAGE_CONNECTION_OPTION',
    `${text
      .trim()
      .replace(/^Error: /, '')
      .replace(/\.$/, '')} (${where}).`,
    {
      verbatim: text,
    },
  )

/**
 * Reads connection options (the table's spellings, see options-table.ts) from `words` until the
 * first word that is not one, as mosquitto_ctrl stops at the first word not starting with `-`.
 * `--flag=value` is accepted too. Every value is checked here, so `mqctl -p -1` fails on the
 * port whether or not a command follows.
 */
export function parseCtrlOptions(words: readonly string[], where = 'command line'): CtrlParse {
  const options: RawOptions = new Map()
  let i = 0
  for (; i < words.length; i++) {
    const word = words[i]
    if (!word.startsWith('-') || word === '-') break
    const eq = word.startsWith('--') ? word.indexOf('=') : -1
    const name = eq > 0 ? word.slice(0, eq) : word
    if (IGNORED.has(name)) continue
    const option = optionBySpelling.get(name)
    if (!option) throw usage(`Error: Unknown option '${escapeForLine(name)}'.\n`, where)
    if (option.kind === undefined) {
      options.set(option.name, true)
      continue
    }

    const value = eq > 0 ? word.slice(eq + 1) : words[++i]
    if (value === undefined || value === '') throw usage(missingValueText(option), where)
    const problem = option.checkedTogether ? undefined : valueProblem(option, value)
    if (problem) throw usage(`${problem}\n`, where)
    options.set(option.name, value)
  }

  return {options, rest: i}
}
