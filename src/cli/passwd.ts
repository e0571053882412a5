import {MqctlError} from '../lib/errors.js'
import {canPrompt, promptPassword} from '../base/prompt.js'
import {parsePasswdArgs} from '../lib/passwd/args.js'
import {runPasswd, type PasswdResult} from '../lib/passwd/run.js'
import {escapeControl} from '../lib/output/escape.js'
import {ARGV_PASSWORD_WARNING, obtainPassword} from '../lib/secrets/password.js'

// Messages quote argv (user and file names, -H values): escaped, so a control byte in them
// cannot reach the terminal; printable text is left as mosquitto_passwd prints it.
const warn = (message: string) => process.stderr.write(`mqctl: warning: ${escapeControl(message)}\n`)

/**
 * mosquitto_passwd's exit policy, decided here at the edge: 2 only when the two passwords typed
 * differ, 1 for every other failure (bad arguments, a file error, a lock timeout, a full disk).
 */
export const passwdExit = (error: MqctlError): number => (error.code === 'REFUSED_PASSWORD_MISMATCH' ? 2 : 1)

const passwdText = (e: MqctlError): string => {
  if (e.verbatim !== undefined) return e.verbatim
  if (e.code === 'USAGE_PASSWORD_TOO_LONG') return 'Error: Password must be less than 65536 characters long.'
  return `Error: ${e.located}${e.hint ? `\n  hint: ${e.hint}` : ''}`
}

/**
 * -U's progress line, drawn by the commands' own progress line (ProcessIO.progress: on a
 * terminal only, redrawn in place, erased when done), at most ten times a second; loaded for -U
 * only, so one `-b` add pays nothing for it. A pipe or a file never receives progress bytes.
 */
async function terminalProgress(): Promise<(done: number, total: number) => void> {
  const {ProcessIO} = await import('../base/io.js')
  const io = new ProcessIO(false)
  let last = 0
  return (done, total) => {
    const now = Date.now()
    if (done < total && now - last < 100) return
    last = now
    io.progress(done < total ? `hashing ${done}/${total}` : undefined)
  }
}

/**
 * `mqctl passwd` in mosquitto_passwd's grammar. It runs without oclif, so bin/run.js can call
 * it straight away: one `-b` add costs little more than starting node (the point of a
 * drop-in used in loops by provisioning scripts). Returns the exit status.
 */
export async function passwdCli(argv: readonly string[]): Promise<number> {
  const json = argv.slice(0, argv.includes('--') ? argv.indexOf('--') : undefined).includes('--json')
  try {
    const invocation = parsePasswdArgs(argv)
    if (invocation.batch) warn(ARGV_PASSWORD_WARNING)

    let line: string | undefined
    const result: PasswdResult & {line?: string} = await runPasswd(invocation, {
      async readPassword() {
        // A named source gives one line; otherwise typed twice (terminal) or two piped lines.
        const io = {interactive: canPrompt(), prompt: promptPassword, warn}
        return (await obtainPassword({sources: invocation.sources, confirm: true}, io))!
      },
      warn,
      progress: process.stderr.isTTY && !json && invocation.mode === 'upgrade' ? await terminalProgress() : undefined,
      writeStdout(text) {
        line = text
      },
    })

    if (json) {
      process.stdout.write(
        JSON.stringify(line === undefined ? result : {...result, line: line.trimEnd()}, null, 2) + '\n',
      )
    } else if (line !== undefined) {
      process.stdout.write(line)
    } else if (result.action === 'upgraded') {
      const {file, converted, skipped} = result
      process.stdout.write(
        `${file}: hashed ${converted} plain-text password(s); ${skipped} already hashed entr${skipped === 1 ? 'y' : 'ies'} left unchanged\n`,
      )
    }

    return 0
  } catch (error) {
    // Loaded on failure only: rendering pulls in the colour palette (chalk), which costs start-up time.
    const {renderError, toMqctlError} = await import('../base/render-error.js')
    const e = toMqctlError(error)
    const exit = passwdExit(e)
    // The JSON envelope's `exit` must be the status the process really ends with, and the text
    // is mosquitto_passwd's `Error: …` line, which scripts match, for mqctl's own failures too.
    const verbatim = escapeControl(passwdText(e))
    renderError(new MqctlError(e.code, e.message, {...e, exit, cause: e.cause, verbatim}), json)
    return exit
  }
}
