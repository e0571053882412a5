import {mqctlExit, type ExitPolicy} from '../cli/exit-policy.js'
import {MqctlError, isMqctlError} from '../lib/errors.js'
import type {IO} from '../lib/io.js'
import {escapeControl} from '../lib/output/escape.js'
import {ProcessIO} from './io.js'

/** Turns anything thrown inside a command into an MqctlError (its code decides the status). */
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
    return new MqctlError('USAGE_ARGUMENTS', `${text} (see --help)`, {cause: err})
  }

  const message = err instanceof Error ? err.message : String(err)
  return new MqctlError('INTERNAL_ERROR', message, {
    cause: err,
    hint: 'this is a bug in mqctl; please report it with the command you ran (see README, "Reporting problems")',
  })
}

/**
 * The one place where errors become text or JSON; returns the exit status the policy gives.
 * `target` is the command's I/O, or (for the pre-oclif front ends) whether --json was given.
 * Secrets never reach here: messages never carry them.
 */
export function renderError(error: MqctlError, target: IO | boolean, policy: ExitPolicy = mqctlExit): number {
  const status = policy(error)
  const io = typeof target === 'boolean' ? new ProcessIO(target) : target
  const write = (stream: 'stdout' | 'stderr', text: string) => io[stream].write(text)
  if (io.jsonMode) {
    write('stdout', JSON.stringify({error: error.toEnvelope(status)}, null, 2) + '\n')
    return status
  }

  if (error.verbatim !== undefined) {
    // mosquitto_ctrl's words quote what was typed (`Command 'x' not recognised.`): a control byte
    // in it would drive the terminal (a title, a cleared screen), so it is escaped here too.
    const text = escapeControl(error.verbatim)
    write('stderr', text.endsWith('\n') ? text : text + '\n')
    return status
  }

  // Messages and hints quote file names and values from input files: escaped once, here.
  write('stderr', `${io.stderr.colour.red('mqctl:')} ${escapeControl(error.located)}\n`)
  if (error.hint) write('stderr', `  hint: ${escapeControl(error.hint)}\n`)
  if (process.env.MQCTL_DEBUG && error.cause instanceof Error && error.cause.stack) {
    write('stderr', error.cause.stack + '\n')
  }

  return status
}
