import type {DynsecRequest, DynsecResponse} from './schemas.js'

/**
 * Where dynsec commands go: a live broker (chunked requests over one connection) or a
 * dynamic-security.json (commands applied to the state model, the file rewritten atomically
 * under the passwd lock). Every dynsec command, batch, apply and shell talk to this.
 */
export interface DynsecBackend {
  readonly kind: 'broker' | 'file'
  /** Sends the commands in order; one response per command, in the same order. */
  send(commands: readonly DynsecRequest[]): Promise<DynsecResponse[]>
  /** Flushes (file: writes once if anything changed) and closes the connection. */
  close(): Promise<void>
  /** The broker's `$SYS/broker/version`, when there is a broker and this user may read it. */
  brokerVersion?(): Promise<string | undefined>
}
