import {createIO} from './io.js'
import type {IO} from '../lib/io.js'
import type {RawOptions} from '../lib/connection/ctrl-options.js'
import type {ResolvedConnection} from '../lib/connection/resolve.js'

/**
 * Resolves the connection from long-flag options + environment + profile + options file,
 * prompting when needed, through the command's I/O seam (a process one for the front ends). No oclif here: the fast front end (src/cli/dynsec.ts) and the shell
 * use it as the commands do.
 */
export async function connectFromOptions(
  raw: RawOptions,
  io: IO = createIO({json: false}),
): Promise<ResolvedConnection> {
  const {resolveConnection} = await import('../lib/connection/resolve.js')
  const connection = await resolveConnection({
    flags: raw,
    promptPassword: io.canPrompt() ? (user) => io.promptSecret(`Password for ${user}:`) : undefined,
    readStdinLine: async () => {
      const {stdinLines} = await import('../lib/secrets/stdin.js')
      return (await stdinLines().readLine())?.toString('utf8')
    },
  })
  if (connection.ignoredTlsOptions.length > 0) {
    // Printed even with --quiet: these options were meant to protect the connection and do not.
    const list = connection.ignoredTlsOptions.join(', ')
    io.stderr.write(
      `Warning: ${list} ${connection.ignoredTlsOptions.length === 1 ? 'has' : 'have'} no effect: without --cafile, --capath, --tls-use-os-certs, --psk, port 8883 or an mqtts:// URL the connection is plain text.\n`,
    )
  }

  if (!connection.tls && !connection.quiet && !connection.unix) {
    // mosquitto_ctrl's warning, word for word but for the program name.
    io.stderr.write(
      'Warning: You are running mqctl without encryption.\nThis means all of the configuration changes you are making are visible on the network, including passwords.\n\n',
    )
  }

  return connection
}
