import {MqctlError} from '../errors.js'
import {checkTopicFilter, describeTopicProblem} from '../topic.js'
import {checkPolicyShape} from './policy-check.js'
import {policyYaml} from './policy-yaml.js'
import type {Policy} from './policy-schema.js'
import type {DynsecState, StateClient, StoredPassword} from './state/model.js'
import {byteOrder} from './state/plugin-json.js'
import {sortAcls} from './state/read-broker.js'

/*
 * The reviewable policy document (`dynsec export`, `plan`, `apply`): its zod schema is in
 * policy-schema.ts, loaded only when the hand-written check (policy-check.ts) is not sure.
 */
export type {Policy, PolicyClient, PolicyPassword} from './policy-schema.js'

type Path = Array<string | number>
interface Problem {
  path: Path
  message: string
}

/** What the zod schema cannot say: names unique, references defined, topics valid. */
function checkReferences(p: Policy): Problem | undefined {
  const seen = (list: Array<Record<string, unknown>> | undefined, key: string, top: string): Problem | undefined => {
    const names = new Set<unknown>()
    for (const [i, item] of (list ?? []).entries()) {
      if (names.has(item[key])) return {path: [top, i, key], message: `duplicate ${key} "${String(item[key])}"`}
      names.add(item[key])
    }

    return undefined
  }

  const dup =
    seen(p.roles, 'rolename', 'roles') ??
    seen(p.groups, 'groupname', 'groups') ??
    seen(p.clients, 'username', 'clients')
  if (dup) return dup
  const roles = new Set(p.roles?.map((r) => r.rolename))
  const groups = new Set(p.groups?.map((g) => g.groupname))
  for (const [i, r] of (p.roles ?? []).entries()) {
    const keys = new Set<string>()
    for (const [j, a] of (r.acls ?? []).entries()) {
      const problem = checkTopicFilter(a.topic)
      if (problem)
        return {path: ['roles', i, 'acls', j, 'topic'], message: `invalid ACL topic: ${describeTopicProblem(problem)}`}
      const key = `${a.acltype} ${a.topic}`
      if (keys.has(key))
        return {
          path: ['roles', i, 'acls', j],
          message: `duplicate ACL ${key} (the plugin keeps one per type and topic)`,
        }
      keys.add(key)
    }
  }

  const links = (list: Array<{rolename?: string; groupname?: string}> | undefined, path: Path): Problem | undefined => {
    for (const [j, l] of (list ?? []).entries()) {
      if (l.rolename !== undefined && !roles.has(l.rolename))
        return {path: [...path, j, 'rolename'], message: `role "${l.rolename}" is not defined under roles`}
      if (l.groupname !== undefined && !groups.has(l.groupname))
        return {path: [...path, j, 'groupname'], message: `group "${l.groupname}" is not defined under groups`}
    }

    return undefined
  }

  for (const [i, g] of (p.groups ?? []).entries()) {
    const problem = links(g.roles, ['groups', i, 'roles'])
    if (problem) return problem
  }

  for (const [i, c] of (p.clients ?? []).entries()) {
    const problem = links(c.roles, ['clients', i, 'roles']) ?? links(c.groups, ['clients', i, 'groups'])
    if (problem) return problem
  }

  if (p.anonymousGroup !== undefined && !groups.has(p.anonymousGroup))
    return {path: ['anonymousGroup'], message: `group "${p.anonymousGroup}" is not defined under groups`}
  return undefined
}

/** Parses a policy (YAML or JSON) and checks it; every problem is an exit-5 error at its line. */
export async function parsePolicy(source: string, file: string): Promise<Policy> {
  // JSON (a generated fleet policy) is read without the YAML parser, ~10x faster on large files;
  // any problem falls through to the YAML path, which knows lines.
  if (source.trimStart().startsWith('{')) {
    try {
      const checked = checkPolicyShape(JSON.parse(source))
      if (checked && !checkReferences(checked)) return checked
    } catch {
      // located below
    }
  }

  const {parseDocument, LineCounter} = await import('yaml')
  const lineCounter = new LineCounter()
  const doc = parseDocument(source, {lineCounter, uniqueKeys: true})
  const at = (offset: number | undefined): {line?: number; column?: number} => {
    if (offset === undefined) return {}
    const pos = lineCounter.linePos(offset)
    return {line: pos.line, column: pos.col}
  }
  if (doc.errors.length > 0) {
    const e = doc.errors[0]
    const pos = at(e.pos[0])
    throw new MqctlError('PARSE_POLICY', e.message.split('\n')[0], {location: {file, ...pos}})
  }

  const fail = (path: Path, message: string, unknownKey?: string): never => {
    const node = doc.getIn(path, true) as
      {range?: number[]; items?: Array<{key?: {value?: unknown; range?: number[]}}>} | undefined
    const key = unknownKey === undefined ? undefined : node?.items?.find((p) => p.key?.value === unknownKey)?.key
    const pos = at((key?.range ?? node?.range)?.[0])
    const where = path.length > 0 ? `${path.join('.')}: ` : ''
    throw new MqctlError('PARSE_POLICY', `${where}${message}`, {
      location: {file, ...pos},
    })
  }

  let data: unknown
  try {
    data = doc.toJS()
  } catch (error) {
    // yaml refuses an alias bomb here ("Excessive alias count …"): a property of the file.
    throw new MqctlError('PARSE_POLICY', (error as Error).message, {location: {file}})
  }

  const checked = checkPolicyShape(data)
  if (checked) {
    const problem = checkReferences(checked)
    if (problem) return fail(problem.path, problem.message)
    return checked
  }

  const {policySchema} = await import('./policy-schema.js')
  const parsed = policySchema.safeParse(data ?? {})
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const path = issue.path as Path
    if (issue.code === 'unrecognized_keys') return fail(path, `unknown key "${issue.keys.join('", "')}"`, issue.keys[0])
    return fail(path, issue.message)
  }

  const problem = checkReferences(parsed.data)
  if (problem) return fail(problem.path, problem.message)
  return parsed.data
}

const blank = (s: string | undefined) => (s === undefined || s === '' ? undefined : s)
const texts = (o: {textname?: string; textdescription?: string}) => ({
  ...(blank(o.textname) === undefined ? {} : {textname: o.textname}),
  ...(blank(o.textdescription) === undefined ? {} : {textdescription: o.textdescription}),
})
const links = <K extends 'rolename' | 'groupname'>(list: Array<Record<K, string> & {priority?: number}>, key: K) =>
  list
    .map((l) =>
      l.priority === undefined || l.priority === -1 ? {[key]: l[key]} : {[key]: l[key], priority: l.priority},
    )
    .sort((a, b) => byteOrder(a[key] as string, b[key] as string)) as Array<Record<K, string> & {priority?: number}>

/**
 * The state the policy asks for. What the policy leaves out (default-access keys, the
 * anonymous group, objects it does not list) is taken from `current`; `prune` decides later
 * whether unlisted objects are deleted.
 */
export function policyToState(policy: Policy, current: DynsecState): DynsecState {
  const byName = <T, K extends keyof T>(list: T[], key: K) =>
    [...list].sort((a, b) => byteOrder(String(a[key]), String(b[key])))
  return {
    defaultACLAccess: {...current.defaultACLAccess, ...policy.defaultACLAccess},
    ...((policy.anonymousGroup ?? current.anonymousGroup) === undefined
      ? {}
      : {anonymousGroup: policy.anonymousGroup ?? current.anonymousGroup}),
    roles: byName(policy.roles ?? [], 'rolename').map((r) => ({
      rolename: r.rolename,
      ...texts(r),
      acls: sortAcls(
        (r.acls ?? []).map((a) => ({acltype: a.acltype, topic: a.topic, priority: a.priority ?? 0, allow: a.allow})),
      ),
      ...(r.allowwildcardsubs === undefined ? {} : {allowwildcardsubs: r.allowwildcardsubs}),
    })),
    groups: byName(policy.groups ?? [], 'groupname').map((g) => ({
      groupname: g.groupname,
      ...texts(g),
      roles: links(g.roles ?? [], 'rolename'),
    })),
    clients: byName(policy.clients ?? [], 'username').map((c): StateClient => ({
      username: c.username,
      ...(blank(c.clientid) === undefined ? {} : {clientid: c.clientid}),
      ...texts(c),
      disabled: c.disabled ?? false,
      roles: links(c.roles ?? [], 'rolename'),
      groups: links(c.groups ?? [], 'groupname'),
    })),
  }
}

/** A stored password as one `$7$` string (2.0's triple is the same recipe). */
export function storedAsHash(s: StoredPassword): string {
  return 'encoded_password' in s ? s.encoded_password : `$7$${s.iterations}$${s.salt}$${s.password}`
}

/** The state as a policy document: sorted, stable key order, no secrets unless asked. */
export function stateToPolicy(state: DynsecState, options: {includeHashes?: boolean} = {}): Policy {
  const opt = <T>(key: string, v: T | undefined) => (v === undefined || v === '' ? {} : {[key]: v})
  return {
    version: 1,
    defaultACLAccess: {...state.defaultACLAccess},
    ...opt('anonymousGroup', state.anonymousGroup),
    roles: state.roles.map((r) => ({
      rolename: r.rolename,
      ...texts(r),
      ...(r.allowwildcardsubs === undefined ? {} : {allowwildcardsubs: r.allowwildcardsubs}),
      acls: sortAcls(r.acls).map((a) => ({acltype: a.acltype, topic: a.topic, allow: a.allow, priority: a.priority})),
    })),
    groups: state.groups.map((g) => ({groupname: g.groupname, ...texts(g), roles: links(g.roles, 'rolename')})),
    clients: state.clients.map((c) => ({
      username: c.username,
      ...opt('clientid', c.clientid),
      ...texts(c),
      ...(c.disabled ? {disabled: true} : {}),
      roles: links(c.roles, 'rolename'),
      groups: links(c.groups, 'groupname'),
      ...(options.includeHashes && c.stored ? {password: {hash: storedAsHash(c.stored)}} : {}),
    })),
  }
}

/** Serialises an exported policy: YAML (default) or JSON, key order as built. */
export async function formatPolicy(policy: Policy, format: 'yaml' | 'json'): Promise<string> {
  if (format === 'json') return JSON.stringify(policy, null, 2) + '\n'
  const plain = policyYaml(policy)
  if (plain !== undefined) return plain
  const {stringify} = await import('yaml')
  return stringify(policy, {lineWidth: 0, flowCollectionPadding: false})
}
