import {pbkdf2} from 'node:crypto'
import {promisify} from 'node:util'

import {writeFileAtomic} from '../files/atomic.js'
import {withFileLock} from '../files/lock.js'
import {defaultHashParams, freshSalt, hashPassword} from '../passwd/hash.js'
import type {DynsecBackend} from './backend.js'
import type {DynsecRequest, DynsecResponse} from './schemas.js'
import {executeCommand, isMutating, type ExecuteContext} from './state/execute.js'
import {encodeDynsecFile, type DynsecFileLayout} from './state/file-codec.js'
import type {DynsecState, StoredPassword} from './state/model.js'
import {readDynsecStateFile} from './state/read-file.js'

const pbkdf2Async = promisify(pbkdf2)

export interface FileBackend extends DynsecBackend {
  readonly kind: 'file'
  readonly path: string
  readonly layout: DynsecFileLayout
  /** The live model (commands already sent are applied to it). */
  readonly state: DynsecState
  /** True once a command changed the state (close() will write). */
  readonly changed: boolean
  /** Gives a client a stored hash as it is (a policy's `{hash}`), in place of any password set in this run. */
  storeHash(username: string, encoded: string): void
}

export interface FileBackendOptions {
  /** A missing file is an empty state (written on close if anything changed). */
  allowMissing?: boolean
  /** Layout for a new file; an existing file keeps its own. */
  layout?: DynsecFileLayout
  /** Warnings: entries the plugin would drop, in-place rewrites. */
  onWarning?: (message: string) => void
  /** Told once, when the file is about to be rewritten. */
  onWrite?: () => void
}

/** The plugin's own password storage for each layout (spec 3.5): 2.0's triple, 2.1's `$7$`. */
export async function storePassword(
  password: string,
  layout: DynsecFileLayout,
  iterations?: number,
): Promise<StoredPassword> {
  const bytes = Buffer.from(password, 'utf8')
  if (layout === '2.1') {
    const params = defaultHashParams('2.1')
    return {encoded_password: await hashPassword(bytes, {...params, iterations: iterations ?? params.iterations})}
  }

  const salt = Buffer.from(freshSalt(12))
  const rounds = iterations ?? 101
  const key = await pbkdf2Async(bytes, salt, rounds, 64, 'sha512')
  return {password: key.toString('base64'), salt: salt.toString('base64'), iterations: rounds}
}

/**
 * A dynamic-security.json as a DynsecBackend: the file is read once (under the lock `passwd`
 * uses, held until close), each command is applied to the model as the plugin would, and
 * close() writes the file once, atomically, with new passwords hashed for its layout.
 */
export async function openFileBackend(path: string, options: FileBackendOptions = {}): Promise<FileBackend> {
  let release!: () => void
  let fail!: (error: unknown) => void
  const held = new Promise<void>((resolve, reject) => {
    release = resolve
    fail = reject
  })
  let locked!: () => void
  const lockTaken = new Promise<void>((resolve) => (locked = resolve))
  const lockDone = withFileLock(path, async () => {
    locked()
    await held
  })
  await Promise.race([lockTaken, lockDone])

  let file
  try {
    file = readDynsecStateFile(path, {allowMissing: options.allowMissing})
  } catch (error) {
    release()
    await lockDone
    throw error
  }

  for (const w of file.warnings) options.onWarning?.(`${path}: ${w}`)
  const layout = file.exists ? file.layout : (options.layout ?? '2.0')
  const state = file.state
  const ctx: ExecuteContext = {passwords: new Map()}
  let changed = false
  let closed = false

  const flush = async () => {
    const byName = new Map(state.clients.map((c) => [c.username, c]))
    for (const [username, password] of ctx.passwords) {
      const client = byName.get(username)
      if (client && password === null) delete client.stored
    }

    // Hashed on the libuv pool in parallel: 1000 new clients cost one batch, not 1000 in a row.
    const pending = [...ctx.passwords].filter((e): e is [string, string] => e[1] !== null)
    const hashed = await Promise.all(
      pending.map(([username, pw]) => storePassword(pw, layout, ctx.iterations?.get(username))),
    )
    pending.forEach(([username], i) => {
      const client = byName.get(username)
      if (client) client.stored = hashed[i]
    })
    ctx.passwords.clear()
    ctx.iterations?.clear()
    const changeIndex = layout === '2.1' ? (file.changeIndex ?? 0) + 1 : undefined
    options.onWrite?.()
    await writeFileAtomic(path, encodeDynsecFile(state, layout, changeIndex), {
      mode: 0o600,
      onWarning: options.onWarning,
    })
  }

  return {
    kind: 'file',
    path,
    layout,
    state,
    get changed() {
      return changed
    },
    storeHash(username, encoded) {
      const client = state.clients.find((c) => c.username === username)
      if (!client) return
      // Not hashed or cleared at close: a createClient without a password recorded "none" here.
      ctx.passwords.delete(username)
      ctx.iterations?.delete(username)
      client.stored = {encoded_password: encoded}
      changed = true
    },
    async send(commands: readonly DynsecRequest[]): Promise<DynsecResponse[]> {
      return commands.map((request) => {
        const response = executeCommand(state, request, ctx)
        if (response.error === undefined && isMutating(response.command)) changed = true
        return response
      })
    },
    async close(): Promise<void> {
      if (closed) return
      closed = true
      try {
        if (changed) await flush()
        release()
      } catch (error) {
        fail(error)
      }

      await lockDone
    },
  }
}
