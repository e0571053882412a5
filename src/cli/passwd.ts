import {MqctlError} from '../lib/errors.js'
import {canPrompt, promptPassword} from '../base/prompt.js'
import {parsePasswdArgs} from '../lib/passwd/args.js'
import {runPasswd, type PasswdResult} from '../lib/passwd/run.js'
import {emptyPassword, readNewPassword, readPasswordFromSources} from '../lib/secrets/password.js'

const warn = (message: string) => process.stderr.write(`mqctl: warning: ${message}\n`)

/**
 * mosquitto_passwd's exit policy, decided here at the edge: 2 only when the two passwords typed
 * differ, 1 for every other failure (bad arguments, a file error, a lock timeout, a full disk).
 */
export const passwdExit = (error: MqctlError): number => (error.code === 'REFUSED_PASSWORD_MISMATCH' ? 2 : 1)

/**
 * `mqctl passwd` in mosquitto_passwd's grammar. It runs without oclif, so bin/run.js can call
 * it straight away: one `-b` add costs little more than starting node (the point of a
 * drop-in used in loops by provisioning scripts). Returns the exit status.
 */
export async function passwdCli(argv: readonly string[]): Promise<number> {
  const json = argv.slice(0, argv.includes('--') ? argv.indexOf('--') : undefined).includes('--json')
  try {
    const invocation = parsePasswdArgs(argv)
    if (invocation.batch) warn('-b puts the password in the process list and shell history; prefer --password-stdin')

    let line: string | undefined
    const result: PasswdResult & {line?: string} = await runPasswd(invocation, {
      async readPassword() {
        const fromSource = await readPasswordFromSources(invocation.sources)
        if (fromSource !== undefined) {
          if (fromSource.length === 0) throw emptyPassword()
          return fromSource
        }

        return (await readNewPassword({interactive: canPrompt(), prompt: promptPassword}))!
      },
      warn,
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
    // The JSON envelope's `exit` must be the status the process really ends with.
    renderError(new MqctlError(e.code, e.message, {...e, exit, cause: e.cause}), json)
    return exit
  }
}
