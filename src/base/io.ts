import type {Chalk as ChalkClass, ColorInfo} from 'chalk'

import {asLine, colourLevel, jsonText, PLAIN, type IO, type OutputStream, type Palette} from '../lib/io.js'
import {canPrompt, promptPassword} from './prompt.js'

/*
 * chalk is the only colour library, used here only, and loaded only when some stream will get
 * colour: a pipe (scripts, the passwd fast path) never pays for importing it.
 */
let chalk: {Chalk: typeof ChalkClass; supportsColor: ColorInfo; supportsColorStderr: ColorInfo} | undefined

/** Loads chalk when stdout or stderr will be coloured; commands await it in init(). */
export async function prepareColour(
  env: NodeJS.ProcessEnv = process.env,
  ttys = {stdout: Boolean(process.stdout.isTTY), stderr: Boolean(process.stderr.isTTY)},
): Promise<void> {
  if (chalk || (colourLevel(env, ttys.stdout) === 0 && colourLevel(env, ttys.stderr) === 0)) return
  chalk = await import('chalk')
}

/** One palette per stream, its level decided once (lib/io.ts); plain until prepareColour ran. */
export function palette(isTTY: boolean, stderr = false, env: NodeJS.ProcessEnv = process.env): Palette {
  if (!chalk) return PLAIN
  const info = stderr ? chalk.supportsColorStderr : chalk.supportsColor
  const level = colourLevel(env, isTTY, info ? info.level : 1)
  if (level === 0) return PLAIN
  const c = new chalk.Chalk({level})
  return {
    enabled: true,
    red: (t) => c.red(t),
    yellow: (t) => c.yellow(t),
    green: (t) => c.green(t),
    cyan: (t) => c.cyan(t),
    bold: (t) => c.bold(t),
    dim: (t) => c.dim(t),
  }
}

/** The palette of this process's stdout, for front ends without an IO (the config lint fast path). */
export async function stdoutColour(): Promise<Palette> {
  await prepareColour()
  return palette(Boolean(process.stdout.isTTY))
}

function processStream(stream: NodeJS.WriteStream, isStderr: boolean): OutputStream {
  const isTTY = Boolean(stream.isTTY)
  let colour: Palette | undefined
  return {
    isTTY,
    get colour() {
      return (colour ??= palette(isTTY, isStderr))
    },
    write: (text) => {
      stream.write(text)
    },
  }
}

/** The I/O of a real process: process.stdout/stderr, the terminal prompt. */
export class ProcessIO implements IO {
  readonly stdout = processStream(process.stdout, false)
  readonly stderr = processStream(process.stderr, true)
  private progressShown = false

  constructor(readonly jsonMode = false) {}

  out(text: string): void {
    if (!this.jsonMode) this.stdout.write(asLine(text))
  }

  json(value: unknown): void {
    this.stdout.write(jsonText(value))
  }

  warn(text: string): void {
    this.progress(undefined)
    this.stderr.write(`mqctl: warning: ${text}\n`)
  }

  debug(text: string): void {
    this.stderr.write(`mqctl: debug: ${text}\n`)
  }

  canPrompt(): boolean {
    return canPrompt()
  }

  promptSecret(message: string): Promise<string> {
    this.progress(undefined)
    return promptPassword(message)
  }

  progress(text: string | undefined): void {
    if (!this.stderr.isTTY || this.jsonMode) return
    if (text === undefined && !this.progressShown) return
    // Carriage return and erase-line: the line is redrawn in place and cleared at the end.
    this.stderr.write(`\r\u001B[2K${text ?? ''}`)
    this.progressShown = text !== undefined
  }
}

export type IOFactory = (options: {json: boolean}) => IO

let factory: IOFactory = ({json}) => new ProcessIO(json)

/** Every command's I/O comes from here; the in-process tests install a fake. */
export const createIO = (options: {json: boolean}): IO => factory(options)

/** Replaces the factory (tests); returns the previous one so it can be restored. */
export function setIOFactory(next: IOFactory): IOFactory {
  const previous = factory
  factory = next
  return previous
}
