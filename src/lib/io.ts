/**
 * The I/O seam every command talks through (gh's iostreams idea): the two output streams,
 * whether each is a terminal, colour decided once, prompts and a progress line. The oclif-side
 * implementation is src/base/io.ts; tests use test/helpers/fake-io.ts, which keeps buffers.
 *
 * Under --json stdout carries exactly one JSON document, so `out` is silent there and only
 * `json` writes to it; stderr (warnings, the progress line, prompts) is never silenced.
 */

/** Colours for one stream; each is the identity when that stream gets no colour. */
export interface Palette {
  readonly enabled: boolean
  red(text: string): string
  yellow(text: string): string
  green(text: string): string
  cyan(text: string): string
  bold(text: string): string
  dim(text: string): string
}

export interface OutputStream {
  readonly isTTY: boolean
  readonly colour: Palette
  /** Writes text exactly as given. */
  write(text: string): void
}

export interface IO {
  /** The command's result goes here; see `out`. */
  readonly stdout: OutputStream
  /** Messages for the person: warnings, prompts, progress, errors. */
  readonly stderr: OutputStream
  /** True under --json: `out` is silent, `json` writes the one document. */
  readonly jsonMode: boolean
  /** Writes text as a line (a newline is added when missing) to stdout, except under --json. */
  out(text: string): void
  /** Writes the JSON document to stdout. */
  json(value: unknown): void
  /** `mqctl: warning: <text>` on stderr. */
  warn(text: string): void
  /** `mqctl: debug: <text>` on stderr. */
  debug(text: string): void
  /** True when a person can answer a prompt (stdin is a terminal). */
  canPrompt(): boolean
  /** A prompt with no echo (a mask), drawn on stderr. Ctrl-C → MqctlError REFUSED_INTERRUPTED. */
  promptSecret(message: string): Promise<string>
  /**
   * A transient status line on stderr, only when stderr is a terminal and not under --json;
   * `progress(undefined)` clears it. Nothing is left behind in captured output.
   */
  progress(text: string | undefined): void
}

/** Colour decision shared by the implementation and the fake, so both honour the same variables. */
export interface ColourEnv {
  NO_COLOR?: string
  FORCE_COLOR?: string
  TERM?: string
}

/**
 * The one place where the environment decides colour: NO_COLOR (non-empty) wins, then
 * FORCE_COLOR (0/false off, 1-3 a level, empty or other values 1), then TERM=dumb, then
 * whether the stream is a terminal. Returns a chalk-style level 0-3.
 */
export function colourLevel(env: ColourEnv, isTTY: boolean, terminalLevel = 1): 0 | 1 | 2 | 3 {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0
  if (env.FORCE_COLOR !== undefined) {
    const force = env.FORCE_COLOR.toLowerCase()
    if (force === '0' || force === 'false') return 0
    if (force === '2' || force === '3') return Number(force) as 2 | 3
    return 1
  }

  if (env.TERM === 'dumb' || !isTTY) return 0
  return Math.min(3, Math.max(1, terminalLevel)) as 1 | 2 | 3
}

const identity = (text: string) => text

/** A palette with no colour, for streams that get none (and for the fake). */
export const PLAIN: Palette = {
  enabled: false,
  red: identity,
  yellow: identity,
  green: identity,
  cyan: identity,
  bold: identity,
  dim: identity,
}

/** The line-writing rules both implementations share. */
export const asLine = (text: string): string => (text.endsWith('\n') ? text : text + '\n')
export const jsonText = (value: unknown): string => JSON.stringify(value, null, 2) + '\n'

/** The variables this seam and the error renderer honour (man pages: ENVIRONMENT of every page). */
export const IO_ENVIRONMENT: ReadonlyArray<readonly [string, string]> = [
  ['NO_COLOR', 'When set to a non-empty value, nothing is coloured, even on a terminal.'],
  ['FORCE_COLOR', 'Colour even when the output is not a terminal (0 or false: never colour); NO_COLOR wins.'],
  ['TERM', 'When dumb, nothing is coloured.'],
  ['MQCTL_DEBUG', 'When set, an error that has an underlying cause is followed by the stack trace of that cause.'],
]

/**
 * The progress callback of long work (lints of large files), drawn through `io.progress`, the
 * one progress line: only once the work has lasted 300 ms, so small inputs never flash a line,
 * then at most ten times a second. The caller clears it with `io.progress(undefined)`.
 */
export function delayedProgress(
  io: Pick<IO, 'progress'>,
  text: (done: number, total: number) => string,
  now: () => number = Date.now,
): (done: number, total: number) => void {
  const started = now()
  let drawn = 0
  return (done, total) => {
    const t = now()
    if (t - started < 300 || t - drawn < 100) return
    drawn = t
    io.progress(text(done, total))
  }
}
