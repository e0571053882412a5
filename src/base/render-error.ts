import {EXIT, MqctlError, isMqctlError} from '../lib/errors.js'

/** Turns anything thrown inside a command into an MqctlError with a reliable exit status. */
export function toMqctlError(err: unknown): MqctlError {
  if (isMqctlError(err)) return err
  // oclif's errors carry `oclif.exit`; checked by shape so this module never loads oclif.
  if (err instanceof Error && typeof (err as {oclif?: {exit?: unknown}}).oclif === 'object') {
    // oclif's parser errors span several lines ("Missing 1 required arg: …\nSee more help…").
    const text = err.message
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('See more help'))
      .join(' ')
    return new MqctlError('USAGE_ARGUMENTS', `${text} (see --help)`, {exit: EXIT.usage, cause: err})
  }

  const message = err instanceof Error ? err.message : String(err)
  return new MqctlError('INTERNAL_ERROR', message, {
    cause: err,
    hint: 'this is a bug in mqctl; please report it with the command you ran (see README, "Reporting problems")',
  })
}

/** The one place where errors become text or JSON. Secrets never reach here: messages never carry them. */
export function renderError(error: MqctlError, json: boolean): void {
  if (json) {
    process.stdout.write(JSON.stringify({error: error.toJSON()}, null, 2) + '\n')
    return
  }

  if (error.verbatim !== undefined) {
    process.stderr.write(error.verbatim.endsWith('\n') ? error.verbatim : error.verbatim + '\n')
    return
  }

  const red =
    process.stderr.isTTY && !process.env.NO_COLOR ? (s: string) => `\u001B[31m${s}\u001B[39m` : (s: string) => s
  process.stderr.write(`${red('mqctl:')} ${error.located}\n`)
  if (error.hint) process.stderr.write(`  hint: ${error.hint}\n`)
  if (process.env.MQCTL_DEBUG && error.cause instanceof Error && error.cause.stack) {
    process.stderr.write(error.cause.stack + '\n')
  }
}
