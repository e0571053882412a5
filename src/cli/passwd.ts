import {renderError, toMqctlError} from '../base/render-error.js'
import {canPrompt, promptPassword} from '../base/prompt.js'
import {parsePasswdArgs} from '../lib/passwd/args.js'
import {runPasswd, type PasswdResult} from '../lib/passwd/run.js'
import {emptyPassword, readNewPassword, readPasswordFromSources} from '../lib/secrets/password.js'

const warn = (message: string) => process.stderr.write(`mqctl: warning: ${message}\n`)

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
    const e = toMqctlError(error)
    renderError(e, json)
    return e.exit
  }
}
