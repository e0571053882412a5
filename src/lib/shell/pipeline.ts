import type {MqctlError} from '../errors.js'
import {findDynsecCommand} from '../dynsec/catalog.js'
import type {Sender} from '../dynsec/run.js'
import type {DynsecRequest} from '../dynsec/schemas.js'
import type {Result, ShellRunner} from './runner.js'

/**
 * Requests in flight at most. QoS 1 requests are acknowledged as the broker reads them, so this
 * bounds only how far reading runs ahead of printing and how long the last request waits for
 * the ones before it (each has its own --timeout).
 */
export const PIPE_WINDOW = 20

/** The names whose change makes the dynsec plugin drop this connection (it kicks their clients). */
export interface KickScope {
  username: string
  groups: Set<string>
  roles: Set<string>
}

/**
 * The connection's own client, its groups, and its roles direct and through those groups. They
 * stay fixed while the connection lives: every change to them kicks this client. Undefined
 * when they cannot be read (then every change is treated as one that may kick).
 */
export async function kickScope(session: Sender, username: string | undefined): Promise<KickScope | undefined> {
  if (username === undefined) return undefined
  try {
    const [client] = await session.send([{command: 'getClient', username}])
    type Named = Array<{groupname?: unknown; rolename?: unknown}>
    const scope: KickScope = {username, groups: new Set(), roles: new Set()}
    // Not a dynsec client (a password-file admin): the plugin kicks it only by its name.
    if (client.error !== undefined) return /not found/i.test(client.error) ? scope : undefined
    const data = (client.data as {client?: {groups?: Named; roles?: Named}} | undefined)?.client
    for (const g of data?.groups ?? []) if (typeof g.groupname === 'string') scope.groups.add(g.groupname)
    for (const r of data?.roles ?? []) if (typeof r.rolename === 'string') scope.roles.add(r.rolename)
    const groups = [...scope.groups]
    if (groups.length === 0) return scope
    const replies = await session.send(groups.map((groupname) => ({command: 'getGroup', groupname})))
    for (const reply of replies) {
      if (reply.error !== undefined) return undefined
      const roles = (reply.data as {group?: {roles?: Named}} | undefined)?.group?.roles ?? []
      for (const r of roles) if (typeof r.rolename === 'string') scope.roles.add(r.rolename)
    }

    return scope
  } catch {
    return undefined
  }
}

/** True when the request changes something whose clients the plugin kicks, this connection among them. */
export function mayKick(request: DynsecRequest, scope: KickScope | undefined): boolean {
  const spec = findDynsecCommand(request.command)
  if (spec && spec.output !== 'none') return false
  if (!scope) return true
  const {username, groupname, rolename} = request as {username?: unknown; groupname?: unknown; rolename?: unknown}
  return (
    username === scope.username ||
    (typeof groupname === 'string' && scope.groups.has(groupname)) ||
    (typeof rolename === 'string' && scope.roles.has(rolename))
  )
}

export interface PipeOptions {
  /** The connection's username (the plugin kicks by username). */
  username?: string
  /** Set once the broker has closed the connection. */
  closed: () => MqctlError | undefined
  window?: number
}

/**
 * Runs piped lines with requests in flight while earlier results are printed. The broker handles
 * one connection's PUBLISHes in order, so a line sees every change of the lines before it, and
 * results are printed in input order. Sent one by one, each request waited on the broker's
 * delayed acknowledgement (Nagle's algorithm on its side, delayed ACK on this one: ~40 ms per
 * two commands). Sent alone, after every earlier result: deleteGroup (it reads the anonymous
 * group first), broker commands (another connection), and changes that may kick this
 * connection (so nothing else is in flight when the broker closes it, and no answer is lost).
 * Returns the exit status: that of the last failed line, or 0.
 */
export async function runPipe(
  runner: ShellRunner,
  session: Sender,
  next: () => Promise<string | undefined>,
  options: PipeOptions,
): Promise<number> {
  const window = options.window ?? PIPE_WINDOW
  const queue: Array<Promise<Result>> = []
  let status = 0
  let stopped = false
  let scope: Promise<KickScope | undefined> | undefined

  // Answers that came before the broker closed the connection are printed; the first line
  // left unanswered reports the close, and nothing after it runs (as with one line at a time).
  const print = (result: Result) => {
    const closed = options.closed()
    if (closed && 'error' in result && result.error.code.startsWith('CONNECTION_CLOSED')) {
      runner.report({error: closed})
      status = closed.exit
      stopped = true
      return
    }

    const code = runner.report(result)
    if (code !== 0) status = code
  }

  const drain = async () => {
    while (queue.length > 0 && !stopped) print(await queue.shift()!)
    queue.length = 0
  }

  while (!stopped) {
    if (queue.length === 0 && options.closed()) {
      print({error: options.closed()!})
      break
    }

    let line: string | undefined
    try {
      line = await next()
    } catch (error) {
      // An unreadable line (too long, a read error) ends the shell after the lines before it.
      await drain()
      throw error
    }

    if (line === undefined) break
    const step = await runner.prepare(line)
    if (step.kind === 'exit') break
    let alone = step.kind === 'broker'
    if (step.kind === 'request' && findDynsecCommand(step.request.command)?.output === 'none') {
      scope ??= kickScope(session, options.username)
      alone = step.request.command === 'deleteGroup' || mayKick(step.request, await scope)
    }

    if (alone) {
      await drain()
      if (stopped) break
      print(await runner.execute(step))
      continue
    }

    queue.push(runner.execute(step))
    while (queue.length >= window && !stopped) print(await queue.shift()!)
  }

  await drain()
  return status
}
