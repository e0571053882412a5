import {statSync} from 'node:fs'
import {dirname, isAbsolute, resolve} from 'node:path'

import {MqctlError} from '../errors.js'
import {readInputFile, readInputText} from '../files/input.js'
import {auditEntry, openAuditLog, type AuditEntry} from './audit.js'
import type {DynsecBackend} from './backend.js'
import type {SessionBackend} from './client.js'
import type {FileBackend} from './file-backend.js'
import {apiAccessProblems} from './guard.js'
import {planChanges, summarize, type PlanStep, type PlanSummary} from './plan.js'
import {parsePolicy, policyToState, type Policy} from './policy.js'
import type {DynsecResponse} from './schemas.js'
import {executeCommand} from './state/execute.js'
import type {DynsecState} from './state/model.js'
import {readBrokerState} from './state/read-broker.js'

/** Reads and checks a policy file (YAML or JSON; `-` is stdin). */
export async function loadPolicy(path: string): Promise<{policy: Policy; name: string}> {
  const {name, text} = readInputText(path, {allowStdin: true, label: 'policy file', maxBytes: 64 * 1024 * 1024})
  return {policy: await parsePolicy(text, name), name}
}

/** Where each client's password comes from, resolved only when a command needs it. */
export type PasswordSources = Map<string, () => string>

/**
 * The policy's `password: {env|file}` and `--passwords PWFILE` lines (`username:password`),
 * the file winning. Hashes (`{hash}`) are not passwords: see hashSources.
 */
export function passwordSources(
  policy: Policy,
  policyName: string,
  pwfile: string | undefined,
  warn: (message: string) => void,
): PasswordSources {
  const sources: PasswordSources = new Map()
  const base = policyName === '<stdin>' ? process.cwd() : dirname(policyName)
  for (const c of policy.clients ?? []) {
    const p = c.password
    if (!p || 'hash' in p) continue
    if ('env' in p) {
      sources.set(c.username, () => {
        const value = process.env[p.env]
        if (value === undefined || value === '') {
          throw new MqctlError('USAGE_PASSWORD_ENV', `client "${c.username}": environment variable ${p.env} is not set`)
        }

        return value
      })
    } else {
      const path = isAbsolute(p.file) ? p.file : resolve(base, p.file)
      sources.set(c.username, () => {
        const first = readInputFile(path, {label: 'password file', maxBytes: 64 * 1024})
          .bytes.toString('utf8')
          .split(/\r?\n/)[0]
        if (!first) throw new MqctlError('FILE_PASSWORD_EMPTY', `client "${c.username}": ${path} holds no password`)
        return first
      })
    }
  }

  if (pwfile !== undefined) {
    const {bytes} = readInputFile(pwfile, {label: 'passwords file', maxBytes: 64 * 1024 * 1024})
    try {
      if ((statSync(pwfile).mode & 0o004) !== 0) warn(`${pwfile} is readable by other users (chmod o-r ${pwfile})`)
    } catch {
      // read above: a stat failure now is a race not worth a failure
    }

    bytes
      .toString('utf8')
      .split(/\r?\n/)
      .forEach((line, i) => {
        if (line === '' || line.startsWith('#')) return
        const colon = line.indexOf(':')
        if (colon <= 0) {
          throw new MqctlError('PARSE_PASSWORDS', 'expected username:password', {location: {file: pwfile, line: i + 1}})
        }

        const password = line.slice(colon + 1)
        sources.set(line.slice(0, colon), () => password)
      })
  }

  return sources
}

export interface ApplyTarget {
  backend: DynsecBackend
  /** "host:port" or the file path. */
  target: string
  /** The user this apply connects as (the guard protects its access); undefined for a file. */
  admin?: string
  /** A fresh backend after the broker closed the connection (a kick of the admin itself). */
  reconnect?: () => Promise<DynsecBackend>
}

export interface ApplyOptions {
  prune?: boolean
  rotatePasswords?: boolean
  force?: boolean
  dryRun?: boolean
  /** Decides whether deletions may go ahead (--yes, a prompt, or a usage error). */
  confirmDeletions?: (steps: PlanStep[]) => Promise<void>
  passwords?: PasswordSources
  auditLog?: string
  onProgress?: (done: number, total: number) => void
}

export interface CommandOutcome {
  step: PlanStep
  response?: DynsecResponse
}

export interface ApplyResult {
  target: string
  steps: PlanStep[]
  summary: PlanSummary
  status: 'unchanged' | 'dry-run' | 'applied' | 'failed'
  outcomes: CommandOutcome[]
}

/** Reads the target's state and plans the policy against it. */
export async function planPolicy(
  backend: DynsecBackend,
  policy: Policy,
  options: {prune?: boolean; rotatePasswords?: boolean; passwords?: PasswordSources} = {},
): Promise<{current: DynsecState; desired: DynsecState; steps: PlanStep[]}> {
  const current =
    backend.kind === 'file' ? structuredClone((backend as FileBackend).state) : await readBrokerState(backend)
  const desired = policyToState(policy, current)
  const withPassword = new Set([...(options.passwords?.keys() ?? [])])
  for (const c of policy.clients ?? []) if (c.password && 'hash' in c.password) withPassword.add(c.username)
  const steps = planChanges(current, desired, {
    prune: options.prune,
    rotatePasswords: options.rotatePasswords,
    passwords: withPassword,
  })
  return {current, desired, steps}
}

/** The state after the steps, as the plugin would make it (for the guard). */
function simulate(current: DynsecState, steps: readonly PlanStep[]): DynsecState {
  const model = structuredClone(current)
  const ctx = {passwords: new Map<string, string | null>()}
  for (const s of steps) executeCommand(model, s.request, ctx)
  return model
}

/**
 * Whether a step can change what `admin` may do: one naming the admin's client, one of its
 * groups or one of the roles it reaches, the default access, or a membership list. Plans that
 * only create other objects (provisioning devices) skip the replay of the whole plan.
 */
function touchesAdmin(current: DynsecState, steps: readonly PlanStep[], admin: string | undefined): boolean {
  const client = current.clients.find((c) => c.username === admin)
  if (admin === undefined || !client) return true
  const groups = new Set(client.groups.map((g) => g.groupname))
  const roles = new Set(client.roles.map((r) => r.rolename))
  for (const g of current.groups) if (groups.has(g.groupname)) for (const r of g.roles) roles.add(r.rolename)
  return steps.some(({request: r}) => {
    const c = r as Record<string, unknown>
    return (
      c.username === admin ||
      groups.has(c.groupname as string) ||
      roles.has(c.rolename as string) ||
      r.command === 'setDefaultACLAccess' ||
      Array.isArray(c.clients)
    )
  })
}

/** Refuses a plan that takes the calling admin's own access to the API away (unless --force). */
export function guardPlan(current: DynsecState, steps: readonly PlanStep[], admin: string | undefined): void {
  if (!touchesAdmin(current, steps, admin)) return // the common bulk plan: no need to replay it
  if (apiAccessProblems(current, admin).length > 0) return // it has no access to lose (or is not dynsec's)
  const problems = apiAccessProblems(simulate(current, steps), admin)
  if (problems.length === 0) return
  throw new MqctlError('REFUSED_LOCKOUT', `refusing a plan that locks this admin out: ${problems.join('; ')}`, {
    hint: 'keep a role with publishClientSend, subscribePattern and publishClientReceive on $CONTROL/dynamic-security/# for this user, or give --force',
  })
}

/**
 * Plans the policy and applies it: chunked requests over the target's one connection (or the
 * model of a file), each refused command reported, the audit log appended. A broker that kicks
 * this session mid-way (a change to the admin's own client, roles or groups does) is read
 * again and the rest of the plan continues on a new connection.
 */
export async function applyPolicy(t: ApplyTarget, policy: Policy, options: ApplyOptions = {}): Promise<ApplyResult> {
  let backend = t.backend
  const {current, steps} = await planPolicy(backend, policy, options)
  const first = steps
  const summary = summarize(steps)
  if (steps.length === 0) return {target: t.target, steps, summary, status: 'unchanged', outcomes: []}
  if (t.admin !== undefined && !options.force) guardPlan(current, steps, t.admin)
  if (options.dryRun) return {target: t.target, steps, summary, status: 'dry-run', outcomes: []}
  if (steps.some((s) => s.request.command.startsWith('delete'))) await options.confirmDeletions?.(steps)

  const hashes = new Map<string, string>()
  for (const c of policy.clients ?? []) if (c.password && 'hash' in c.password) hashes.set(c.username, c.password.hash)
  if (hashes.size > 0 && backend.kind !== 'file') {
    throw new MqctlError(
      'USAGE_HASH_ONLINE',
      'password hashes (password: {hash: …}) can only be applied to a file (-f)',
      {
        hint: 'the plugin API takes plain passwords only: use {env: NAME} or {file: PATH}, or --passwords',
      },
    )
  }

  const outcomes: CommandOutcome[] = []
  const audit: AuditEntry[] = []
  const log = options.auditLog ? await openAuditLog(options.auditLog) : undefined
  try {
    backend = await sendPlan(t, backend, policy, options, steps, hashes, outcomes, audit)
    if (backend.kind === 'file') {
      const file = backend as FileBackend
      const created = new Set(
        outcomes.filter((o) => o.step.passwordFor && !o.response?.error).map((o) => o.step.passwordFor),
      )
      for (const [username, hash] of hashes) if (created.has(username)) file.storeHash(username, hash)

      // A file changes only when it is written: its audit lines follow a write that succeeded.
      await file.close()
    }
  } catch (error) {
    // A broker keeps what it applied before the apply stopped (a connection lost for good): recorded.
    if (backend.kind !== 'file') await log?.append(audit).catch(() => {})
    await log?.close()
    throw error
  }

  if (log) {
    try {
      await log.append(audit)
    } catch (error) {
      // The changes stand: say so, or exit 5 reads as "nothing happened".
      const e = error as MqctlError
      const applied = `${audit.length} command(s) were applied to ${t.target} but are not in the log`
      throw new MqctlError(e.code, e.message, {cause: e.cause, location: e.location, hint: applied})
    } finally {
      await log.close()
    }
  }

  const failed = outcomes.some((o) => o.response?.error !== undefined)
  return {target: t.target, steps: first, summary, status: failed ? 'failed' : 'applied', outcomes}
}

/** Sends the plan's commands, again after each kick of this session; the backend in use at the end. */
async function sendPlan(
  t: ApplyTarget,
  backend: DynsecBackend,
  policy: Policy,
  options: ApplyOptions,
  first: PlanStep[],
  hashes: ReadonlyMap<string, string>,
  outcomes: CommandOutcome[],
  audit: AuditEntry[],
): Promise<DynsecBackend> {
  let steps = first
  for (let round = 0; ; round++) {
    const requests = steps.map((s) => {
      if (!s.passwordFor || hashes.has(s.passwordFor)) return s.request
      const source = options.passwords?.get(s.passwordFor)
      return source ? {...s.request, password: source()} : s.request
    })
    const partial =
      backend.kind === 'broker'
        ? await (backend as SessionBackend).session.sendPartial(requests, {onProgress: options.onProgress})
        : {responses: await backend.send(requests), closed: undefined}
    partial.responses.forEach((response, i) => {
      if (!response) return
      outcomes.push({step: steps[i], response})
      if (response.error === undefined && options.auditLog) audit.push(auditEntry(steps[i].request, t.admin, t.target))
    })
    if (!partial.closed) break
    if (!t.reconnect || round >= 3) throw partial.closed
    await backend.close().catch(() => {})
    backend = await t.reconnect()
    t.backend = backend
    const sent = steps.filter((_, i) => !partial.responses[i])
    ;({steps} = await planPolicy(backend, policy, options))
    // Unanswered commands that the state read again no longer needs were applied before the kick.
    const still = new Set(steps.map((s) => JSON.stringify(s.request)))
    for (const step of sent) {
      if (still.has(JSON.stringify(step.request))) continue
      outcomes.push({step, response: {command: step.request.command}})
      audit.push(auditEntry(step.request, t.admin, t.target))
    }

    if (steps.length === 0) break
  }

  return backend
}
