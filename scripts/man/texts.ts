
import {EXIT_TABLE} from '../../src/cli/exit-policy.js'
import {IO_ENVIRONMENT} from '../../src/lib/io.js'
import type {Pair} from './types.js'

export {OVERVIEW_ENVIRONMENT, OVERVIEW_FILES} from '../../src/base/manual.js'

/** DESIGN.md section 4, from the exit policy that decides the statuses. */
export const EXIT_STATUS: Pair[] = EXIT_TABLE.map(([status, meaning]) => [String(status), meaning])

/** What every command honours (src/lib/io.ts, src/base/render-error.ts). */
export const COMMON_ENVIRONMENT: Pair[] = IO_ENVIRONMENT.map(([name, text]) => [name, text])

/** SEE ALSO of mqctl(1), after the command pages. */
export const OVERVIEW_SEE_ALSO = ['mosquitto(8)', 'mosquitto_passwd(1)', 'mosquitto_ctrl(1)', 'mosquitto.conf(5)']

/** Tools whose page a command page links to when its texts mention them. */
export const MENTIONED_PAGES: Array<[RegExp, string]> = [
  [/\bmosquitto_passwd\b/, 'mosquitto_passwd(1)'],
  [/\bmosquitto_ctrl\b/, 'mosquitto_ctrl(1)'],
  [/\bmosquitto\.conf\b/, 'mosquitto.conf(5)'],
]

/** Siblings of a command are linked when its topic has at most this many commands. */
export const MAX_SIBLINGS = 8

/** Example commands longer than this are broken (in shell syntax) to fit 80 columns. */
export const EXAMPLE_WIDTH = 66

export const MANUAL_KEYS = new Set(['exitStatus', 'files', 'environment', 'seeAlso'])
