/**
 * Exit statuses are decided here, at the edge, from the error's code: src/lib only says what
 * went wrong (MqctlError codes are `FAMILY_DETAIL`). One table for mqctl (DESIGN.md §4), and
 * mosquitto_passwd's statuses for the drop-in front end, built from it. scripts/man reads the
 * documented rows from here too, so the pages and the behaviour cannot drift apart.
 */

export const EXIT = {
  ok: 0,
  refused: 1,
  usage: 2,
  connection: 3,
  timeout: 4,
  file: 5,
  changes: 6,
  interrupted: 130,
} as const

/** The documented statuses, in the words of DESIGN.md §4 (man pages, README). */
export const EXIT_TABLE: ReadonlyArray<readonly [status: number, meaning: string]> = [
  [EXIT.ok, 'Success.'],
  [
    EXIT.refused,
    'The operation was refused: the broker answered with an error, lint found errors, a check says "deny", a user was not found.',
  ],
  [EXIT.usage, "Usage: bad flags or arguments (oclif's parse errors)."],
  [EXIT.connection, 'Connection failed: refused, DNS, TLS handshake, CONNACK not authorized.'],
  [EXIT.timeout, 'Timeout: no answer from the broker or the plugin in time.'],
  [EXIT.file, 'File problem: unreadable, unparsable, locked, or not writable.'],
  [EXIT.changes, 'A plan has changes (for commands with an --exit-code option that report differences).'],
  [13, "An unknown dynsec command (mosquitto_ctrl's \"Command 'x' not recognised.\" and status)."],
]

/** What an exit policy needs of an error: its code, and the deprecated per-throw override. */
export interface CodedError {
  readonly code: string
  readonly exitOverride?: number
}

export type ExitPolicy = (error: CodedError) => number

export interface ExitRules {
  /** Whole codes with a status of their own (checked first). */
  codes?: Readonly<Record<string, number>>
  /** Code families: a code belongs to the longest family it starts with (`NOT_FOUND_USER` → `NOT_FOUND`). */
  families?: Readonly<Record<string, number>>
  /** Status of a code in no family. */
  fallback?: number
}

/** Makes a policy from rules; `base` answers what the rules do not cover. */
export function exitPolicy(rules: ExitRules, base?: ExitPolicy): ExitPolicy {
  const families = Object.entries(rules.families ?? {}).sort((a, b) => b[0].length - a[0].length)
  return (error) => {
    if (error.exitOverride !== undefined) return error.exitOverride
    const exact = rules.codes?.[error.code]
    if (exact !== undefined) return exact
    const family = families.find(([f]) => error.code === f || error.code.startsWith(`${f}_`))
    if (family) return family[1]
    return base ? base(error) : (rules.fallback ?? EXIT.refused)
  }
}

/** mqctl's policy: DESIGN.md §4. */
export const mqctlExit: ExitPolicy = exitPolicy({
  codes: {
    // A second typed password that differs: mosquitto_passwd's and mosquitto_ctrl's status.
    REFUSED_PASSWORD_MISMATCH: 2,
    // An unknown dynsec command: mosquitto_ctrl's own status for it (scripts test for 13).
    USAGE_UNKNOWN_COMMAND: 13,
    // Ctrl-C at a prompt: the shell's convention for SIGINT (128 + 2).
    REFUSED_INTERRUPTED: EXIT.interrupted,
  },
  families: {
    USAGE: EXIT.usage,
    REFUSED: EXIT.refused,
    NOT_FOUND: EXIT.refused,
    CONNECTION: EXIT.connection,
    TIMEOUT: EXIT.timeout,
    FILE: EXIT.file,
    PARSE: EXIT.file,
    CHANGES: EXIT.changes,
    INTERNAL: EXIT.refused,
  },
  fallback: EXIT.refused,
})

/**
 * mosquitto_passwd's statuses for `mqctl passwd` in its grammar: 2 only when the two typed
 * passwords differ, 1 for every other failure (its usage text, files, locks, special files), as
 * scripts written for mosquitto_passwd expect.
 */
export const passwdExit: ExitPolicy = (error) => (error.code === 'REFUSED_PASSWORD_MISMATCH' ? 2 : 1)
