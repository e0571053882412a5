import {CONNECTION_FLAG_NAMES} from '../lib/connection/options-table.js'
import {connectFromOptions} from './connect-options.js'
import type {ResolvedConnection} from '../lib/connection/resolve.js'
import type {IO} from '../lib/io.js'

/** Resolves the connection from flags + environment + profile + options file, prompting when needed. */
export async function connectFromFlags(flags: Record<string, unknown>, io?: IO): Promise<ResolvedConnection> {
  const raw = new Map<string, string | true>()
  for (const [key, value] of Object.entries(flags)) {
    if (!CONNECTION_FLAG_NAMES.has(key) || value === undefined || value === false) continue
    raw.set(key, value === true ? true : String(value))
  }

  return connectFromOptions(raw, io)
}
