import {connectFromFlags} from './connect.js'
import type {DynsecBackend} from '../lib/dynsec/backend.js'
import type {DynsecSendOptions} from '../lib/dynsec/client.js'
import type {ResolvedConnection} from '../lib/connection/resolve.js'
import type {IO} from '../lib/io.js'
import {createIO} from './io.js'

export interface OpenedBackend {
  backend: DynsecBackend
  /** The broker connection (undefined for a file). */
  connection?: ResolvedConnection
  /** "127.0.0.1:1883" or the file path, for summaries and audit lines. */
  target: string
}

/**
 * The one switch between the two backends: `--file` (or `-f` before `dynsec`) gives the file
 * backend, anything else a connection to the broker. Heavy modules load only on the path taken.
 */
export async function openBackendFromFlags(
  flags: Record<string, unknown>,
  options: DynsecSendOptions & {allowMissingFile?: boolean; io?: IO} = {},
): Promise<OpenedBackend> {
  const io = options.io ?? createIO({json: false})
  const warn = (text: string) => io.warn(text)
  const file = flags.file as string | undefined
  if (file !== undefined) {
    const {openFileBackend} = await import('../lib/dynsec/file-backend.js')
    let told = false
    const backend = await openFileBackend(file, {
      allowMissing: options.allowMissingFile,
      onWarning: warn,
      onWrite() {
        if (told) return
        told = true
        warn(
          `a running mosquitto 2.0 broker does not reload ${file} and overwrites it on its next change: stop it first, or restart it after`,
        )
      },
    })
    return {backend, target: file}
  }

  const {openSessionBackend} = await import('../lib/dynsec/client.js')
  const connection = await connectFromFlags(flags, io)
  const log = connection.debug ? (line: string) => io.debug(line) : options.log
  const {io: _io, ...sendOptions} = options
  const backend = await openSessionBackend(connection, {...sendOptions, log})
  return {backend, connection, target: connection.unix ?? `${connection.host}:${connection.port}`}
}
