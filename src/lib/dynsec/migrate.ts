import type {AclRule, ParsedAcl} from '../acl/parse.js'
import type {PasswdLine} from '../passwd/file.js'
import {decodeHash} from '../passwd/hash.js'
import {topicMatches} from '../topic.js'
import {ACL_TYPES, ADMIN_ACLS} from './catalog.js'
import type {DynsecFileLayout} from './state/file-codec.js'
import type {DynsecState, StateAcl, StateClient, StateRole, StoredPassword} from './state/model.js'

/**
 * password_file + acl_file -> one dynamic-security state that decides every PUBLISH, delivery,
 * SUBSCRIBE and UNSUBSCRIBE as the broker decided them before (spec 1.9, 4.2 -> 3.7, 3.8).
 *
 * How acl_file's order is rebuilt in the plugin's walk (first match decides):
 * - each user's own role holds its section: deny lines at priority 400, the others at 300 (in
 *   acl_file any matching deny wins, then any matching grant);
 * - patterns come after the section: on 2.1 one shared role with %u/%c (deny 200, grant 100)
 *   through the group every carried user is in, which the plugin walks after the client's own
 *   roles; on 2.0 per-user copies with the name put in, in the user's own role at 200/100;
 * - acl_file never refuses SUBSCRIBE/UNSUBSCRIBE: a role with subscribePattern and
 *   unsubscribePattern `#` allow (which the 2.0 plugin applies to `$` filters too, $CONTROL
 *   included) for every user and the anonymous group;
 * - lines before any `user` become the anonymous group's role, with the patterns that apply to
 *   clients without username;
 * - default access: nothing published or delivered without an ACL, as acl_file denies when no
 *   rule matches.
 */
export type MigrationTarget = DynsecFileLayout

export interface MigrationItem {
  /** lossy: decisions change (refused without --accept-lossy); notice: nothing changes, but know it. */
  severity: 'lossy' | 'notice'
  /** file:line of the rule or user. */
  location: string
  message: string
  /** The users the item is about (undefined = a pattern or rule for everyone it applies to). */
  username?: string
  /** The acl_file line whose rule is not carried (for lossy rules). */
  aclLine?: number
}

export interface MigrationInput {
  passwd: {name: string; lines: readonly PasswdLine[]}
  acl: {name: string; parsed: ParsedAcl}
  target: MigrationTarget
  /** The admin client, its password already hashed for the target. */
  admin?: {username: string; stored: StoredPassword}
}

export interface MigrationResult {
  state: DynsecState
  target: MigrationTarget
  items: MigrationItem[]
  lossy: boolean
  users: {carried: number; notCarried: number}
}

export const SUBSCRIBE_ROLE = 'acl-file-subscribe'
export const USERS_GROUP = 'acl-file-users'
export const ANON_GROUP = 'acl-file-anonymous'
export const ANON_ROLE = 'acl-file-anonymous'
export const PATTERN_ROLE = 'acl-file-patterns'
export const userRole = (username: string) => `acl-file-user:${username}`

const ADMIN_ROLE = 'admin'
const PRIORITY = {ownDeny: 400, own: 300, patternDeny: 200, pattern: 100}
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b))

/** The send/receive ACLs one acl_file rule stands for, with this filter. */
function aclsFor(rule: AclRule, filter: string, deny: number, grant: number): StateAcl[] {
  const out: StateAcl[] = []
  const add = (acltype: StateAcl['acltype'], allow: boolean) =>
    out.push({acltype, topic: filter, priority: allow ? grant : deny, allow})
  if (rule.access === 'deny') {
    add('publishClientSend', false)
    add('publishClientReceive', false)
  }

  if (rule.access === 'write' || rule.access === 'readwrite') add('publishClientSend', true)
  if (rule.access === 'read' || rule.access === 'readwrite') add('publishClientReceive', true)
  return out
}

/** acl_file 2.0 puts the name in wherever `%u` occurs, not only as a whole level. */
const putName = (pattern: string, username: string) => pattern.replaceAll('%u', username)

/** 2.1's plugin substitutes only whole levels. */
const wholeLevelsOnly = (topic: string) =>
  topic.split('/').every((level) => !/%[uc]/.test(level) || level === '%u' || level === '%c')

const CONTROL_TOPIC = '$CONTROL/dynamic-security/v1'

/** Plugin order: by type, then priority descending; exact duplicates dropped. */
function sortAcls(acls: StateAcl[]): StateAcl[] {
  const order: readonly string[] = ACL_TYPES
  const seen = new Set<string>()
  return acls
    .filter((a) => {
      const key = `${a.acltype}\u0000${a.topic}\u0000${a.allow}\u0000${a.priority}`
      return !seen.has(key) && seen.add(key)
    })
    .sort((a, b) => order.indexOf(a.acltype) - order.indexOf(b.acltype) || b.priority - a.priority)
}

export function migrate(input: MigrationInput): MigrationResult {
  const {target} = input
  const items: MigrationItem[] = []
  const at = (file: string, line: number) => `${file}:${line}`
  const pw = input.passwd.name
  const aclName = input.acl.name
  const rules = input.acl.parsed.rules
  const patterns = rules.filter((r) => r.kind === 'pattern')

  // Users: what the broker's password_file loader keeps, and what the plugin can store.
  const users = new Map<string, {stored: StoredPassword; line: number}>()
  const seenAt = new Map<string, number>()
  for (const line of input.passwd.lines) {
    if (line.kind !== 'entry' || line.username === undefined || line.secret === undefined) continue
    const where = at(pw, line.number)
    const u = line.username
    if (seenAt.has(u)) {
      items.push({
        severity: 'lossy',
        location: where,
        username: u,
        message: `user "${u}" is also on line ${seenAt.get(u)}: the broker used one of the two, which one is undefined; not carried`,
      })
      users.delete(u)
      continue
    }

    seenAt.set(u, line.number)
    const decoded = decodeHash(line.secret, target === '2.0' ? [12] : [12, 64])
    if (typeof decoded === 'string') {
      const plain = decoded === 'not-a-hash' || decoded === 'unknown-type'
      items.push({
        severity: 'notice',
        location: where,
        username: u,
        message: plain
          ? `user "${u}" has a plain-text (or unknown) password: the broker refused this entry already; not carried (set a password with dynsec setClientPassword)`
          : `user "${u}" has a malformed hash the broker refused already (${decoded}); not carried`,
      })
      continue
    }

    if (decoded.type === 'sha512') {
      items.push({
        severity: 'lossy',
        location: where,
        username: u,
        message: `user "${u}" has a $6$ (salted SHA-512) hash, which the plugin cannot check: not carried; the user cannot log in until dynsec setClientPassword`,
      })
      continue
    }

    if (decoded.type === 'argon2id') {
      if (target === '2.0') {
        items.push({
          severity: 'lossy',
          location: where,
          username: u,
          message: `user "${u}" has an $argon2id$ hash, which the 2.0 plugin cannot check: not carried (use --target 2.1)`,
        })
        continue
      }

      users.set(u, {stored: {encoded_password: line.secret}, line: line.number})
      continue
    }

    const fields = line.secret.split('$')
    users.set(u, {
      stored:
        target === '2.1'
          ? {encoded_password: line.secret}
          : {password: fields[4], salt: fields[3], iterations: decoded.iterations},
      line: line.number,
    })
  }

  // A username with + or # gets no pattern access in acl_file (patterns exist => denied).
  const dangerous = (u: string) => /[+#]/.test(u)

  for (const r of rules) {
    const where = at(aclName, r.line)
    if (r.kind === 'topic' && r.user !== undefined && !users.has(r.user) && !seenAt.has(r.user)) continue
    if (r.kind === 'pattern' && target === '2.0' && r.topic.includes('%c')) {
      items.push({
        severity: 'lossy',
        location: where,
        aclLine: r.line,
        message: `pattern "${r.topic}" uses %c, which the 2.0 plugin cannot substitute: not carried (use --target 2.1)`,
      })
    }

    if (r.kind === 'pattern' && target === '2.1' && !wholeLevelsOnly(r.topic)) {
      items.push({
        severity: 'lossy',
        location: where,
        aclLine: r.line,
        message: `pattern "${r.topic}" has %u/%c inside a level, which the 2.1 plugin substitutes only as whole levels: not carried`,
      })
    }

    if (r.kind === 'topic' && target === '2.1' && r.topic.split('/').some((l) => l === '%u' || l === '%c')) {
      items.push({
        severity: 'lossy',
        location: where,
        aclLine: r.line,
        message: `topic "${r.topic}" means a literal %u/%c level in acl_file, but the 2.1 plugin would substitute it: not carried`,
      })
    }

    if (
      r.access !== 'read' &&
      r.access !== 'deny' &&
      r.topic.startsWith('$CONTROL') &&
      topicMatches(r.topic, CONTROL_TOPIC)
    ) {
      items.push({
        severity: 'lossy',
        location: where,
        aclLine: r.line,
        message: `"${r.topic}" lets its clients publish to ${CONTROL_TOPIC}: with the plugin loaded they could administer it; carried as it is, decide whether you mean that`,
      })
    }
  }

  if (target === '2.1' && patterns.some((p) => p.topic.includes('%u'))) {
    for (const u of users.keys()) {
      if (!u.includes('/') || dangerous(u)) continue
      items.push({
        severity: 'lossy',
        location: at(pw, users.get(u)!.line),
        username: u,
        message: `user "${u}" contains "/": acl_file's %u spans levels for it, the 2.1 plugin never matches it`,
      })
    }
  }

  // Rules the plugin cannot express are left out (and named above); the rest is carried as is.
  const literalLevel = (r: AclRule) => r.topic.split('/').some((l) => l === '%u' || l === '%c')
  const dropped = (r: AclRule) =>
    r.kind === 'pattern'
      ? target === '2.0'
        ? r.topic.includes('%c')
        : !wholeLevelsOnly(r.topic)
      : target === '2.1' && literalLevel(r)
  const usableForTarget = patterns.filter((p) => !dropped(p))

  const roles: StateRole[] = [
    {
      rolename: SUBSCRIBE_ROLE,
      textdescription: 'acl_file never refused SUBSCRIBE or UNSUBSCRIBE',
      // 2.0's plugin lets `#` cover `$` filters too; 2.1's does not, and its default access (true
      // here) never covers $CONTROL, so that one is granted by name.
      acls: sortAcls(
        (['subscribePattern', 'unsubscribePattern'] as const).flatMap((acltype) =>
          ['#', '$CONTROL/#'].map((topic) => ({acltype, topic, priority: 0, allow: true})),
        ),
      ),
    },
  ]
  const own = (user: string | undefined) =>
    rules
      .filter((r) => r.kind === 'topic' && r.user === user && !dropped(r))
      .flatMap((r) => aclsFor(r, r.topic, PRIORITY.ownDeny, PRIORITY.own))

  const clients: StateClient[] = []
  for (const [u, {stored}] of users) {
    const acls = own(u)
    if (target === '2.0' && !dangerous(u)) {
      for (const p of usableForTarget)
        acls.push(...aclsFor(p, putName(p.topic, u), PRIORITY.patternDeny, PRIORITY.pattern))
    }

    const links = acls.length > 0 ? [{rolename: userRole(u)}] : []
    if (acls.length > 0) roles.push({rolename: userRole(u), acls: sortAcls(acls)})
    const groups = [{groupname: USERS_GROUP}]
    if (target === '2.1' && !dangerous(u) && usableForTarget.length > 0)
      groups.push({groupname: `${USERS_GROUP}-patterns`})
    clients.push({username: u, disabled: false, roles: links, groups, stored})
  }

  // Anonymous clients: the lines before any `user`, then the patterns without %u.
  const anonAcls = own(undefined)
  // (On 2.1 that includes %c patterns: the plugin puts in the anonymous client's id.)
  for (const p of usableForTarget.filter((x) => !x.topic.includes('%u')))
    anonAcls.push(...aclsFor(p, p.topic, PRIORITY.patternDeny, PRIORITY.pattern))

  roles.push({rolename: ANON_ROLE, textdescription: 'acl_file lines before any "user" line', acls: sortAcls(anonAcls)})
  const groups: DynsecState['groups'] = [
    {groupname: ANON_GROUP, roles: [{rolename: ANON_ROLE}, {rolename: SUBSCRIBE_ROLE}]},
    {groupname: USERS_GROUP, roles: [{rolename: SUBSCRIBE_ROLE}]},
  ]
  if (target === '2.1' && usableForTarget.length > 0) {
    const acls = usableForTarget.flatMap((p) => aclsFor(p, p.topic, PRIORITY.patternDeny, PRIORITY.pattern))
    roles.push({rolename: PATTERN_ROLE, textdescription: 'acl_file pattern lines', acls: sortAcls(acls)})
    groups.push({groupname: `${USERS_GROUP}-patterns`, roles: [{rolename: PATTERN_ROLE}]})
  }

  if (input.admin) {
    roles.push({
      rolename: ADMIN_ROLE,
      acls: sortAcls(ADMIN_ACLS.map(([acltype, topic]) => ({acltype, topic, priority: 0, allow: true}))),
    })
    clients.push({
      username: input.admin.username,
      textname: 'Dynsec admin user',
      disabled: false,
      roles: [{rolename: ADMIN_ROLE}],
      groups: [],
      stored: input.admin.stored,
    })
  }

  const notCarried = new Set([...seenAt.keys()].filter((u) => !users.has(u))).size
  if (rules.some((r) => r.kind === 'topic' && r.user === undefined) || usableForTarget.length > 0) {
    items.push({
      severity: 'notice',
      location: aclName,
      message: `anonymous clients keep their rules in group "${ANON_GROUP}": keep allow_anonymous as it was (true if anonymous clients connect)`,
    })
  }

  for (const sect of input.acl.parsed.users) {
    if (!seenAt.has(sect.name))
      items.push({
        severity: 'notice',
        location: at(aclName, sect.line),
        username: sect.name,
        message: `user "${sect.name}" is not in the password file: it could not log in before either; its lines are not carried`,
      })
  }

  if (patterns.length > 0) {
    items.push({
      severity: 'notice',
      location: aclName,
      message:
        'acl_file refused pattern access to clients whose client id contains + or #; the plugin does not look at client ids, so such clients keep the pattern ACLs',
    })
  }

  return {
    state: {
      defaultACLAccess: {publishClientSend: false, publishClientReceive: false, subscribe: true, unsubscribe: true},
      anonymousGroup: ANON_GROUP,
      clients: clients.sort((a, b) => byteOrder(a.username, b.username)),
      groups: groups.sort((a, b) => byteOrder(a.groupname, b.groupname)),
      roles: roles.sort((a, b) => byteOrder(a.rolename, b.rolename)),
    },
    target,
    items,
    lossy: items.some((i) => i.severity === 'lossy'),
    users: {carried: users.size, notCarried},
  }
}

/** The mosquitto.conf lines that replace password_file and acl_file. */
export function configLines(outPath: string): string[] {
  return [
    '# remove (or comment out) password_file and acl_file, then add:',
    'plugin /usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so',
    `plugin_opt_config_file ${outPath}`,
  ]
}
