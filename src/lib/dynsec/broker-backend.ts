import type {ResolvedConnection} from '../connection/resolve.js'
import type {DynsecBackend} from './backend.js'
import {openDynsecSession, sendDynsecCommands} from './client.js'

/**
 * The live-broker backend: each `send` is one exchange with the plugin (connect, subscribe,
 * publish in chunks, collect the replies matched by correlationData, disconnect).
 */
export function brokerBackend(connection: ResolvedConnection, log?: (line: string) => void): DynsecBackend {
  return {
    kind: 'broker',
    send: (commands) => sendDynsecCommands(connection, commands, {log}),
    close: async () => {},
    async brokerVersion() {
      const session = await openDynsecSession(connection, {log})
      try {
        return await session.brokerVersion()
      } finally {
        await session.close()
      }
    },
  }
}
