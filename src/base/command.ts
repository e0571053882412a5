import {Command, Errors} from '@oclif/core'

import type {IO} from '../lib/io.js'
import {createIO, prepareColour} from './io.js'
import {renderError, toMqctlError} from './render-error.js'

/**
 * Base of every mqctl command: gives `--json` and the I/O seam (`this.io`), and renders every
 * failure once, through MqctlError, with the status of the exit policy (oclif's own `catch`
 * drops it under --json).
 */
export abstract class MqctlCommand extends Command {
  static override enableJsonFlag = true

  private ioInstance: IO | undefined

  /** Streams, colour, prompts and progress; silent on stdout under --json. */
  protected get io(): IO {
    return (this.ioInstance ??= createIO({json: this.jsonEnabled()}))
  }

  public override async init(): Promise<void> {
    await super.init()
    await prepareColour()
  }

  protected override async catch(err: Error & {exitCode?: number}): Promise<unknown> {
    if (err instanceof Errors.ExitError) throw err
    this.io.progress(undefined)
    const status = renderError(toMqctlError(err), this.io)
    throw new Errors.ExitError(status)
  }

  /** The --json document goes through the seam, so it lands where the other output goes. */
  public override logJson(json: unknown): void {
    this.io.json(json)
  }

  /** Prints a warning on stderr (stdout carries the result, also under --json). */
  public override warn(message: string | Error): string | Error {
    this.io.warn(message instanceof Error ? message.message : message)
    return message
  }

  /** Writes a line to stdout, except under --json. */
  protected out(text: string): void {
    this.io.out(text)
  }
}
