import {Command, Errors} from '@oclif/core'

import {renderError, toMqctlError} from './render-error.js'

/**
 * Base of every mqctl command: gives `--json`, and renders every failure once, through
 * MqctlError, keeping its exit status (oclif's own `catch` drops it under --json).
 */
export abstract class MqctlCommand extends Command {
  static override enableJsonFlag = true

  protected override async catch(err: Error & {exitCode?: number}): Promise<unknown> {
    if (err instanceof Errors.ExitError) throw err
    const error = toMqctlError(err)
    renderError(error, this.jsonEnabled())
    throw new Errors.ExitError(error.exit)
  }

  /** Prints a warning on stderr (never under --json, where stdout carries the result). */
  public override warn(message: string | Error): string | Error {
    const text = message instanceof Error ? message.message : message
    process.stderr.write(`mqctl: warning: ${text}\n`)
    return message
  }

  /** Writes text to stdout; commands use this rather than console so output stays testable. */
  protected out(text: string): void {
    process.stdout.write(text.endsWith('\n') ? text : text + '\n')
  }
}
