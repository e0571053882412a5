import {readFileSync, statSync} from 'node:fs'
import {dirname} from 'node:path'

/**
 * The files the broker opens, judged for the account it opens them as. mosquitto started as
 * root switches to `user` (default "mosquitto"; "nobody" when the default user does not exist)
 * before it opens password, ACL, PSK, TLS and plugin data files, so "readable by me" says
 * nothing when I am root. `config lint` and `config gen` both judge through this module.
 */
export interface Account {
  name: string
  uid: number
  gids: number[]
}

/** Options naming files the broker opens after it has switched from root to its user (2.0.11). */
export const OPENED_AS_BROKER_USER: ReadonlySet<string> = new Set([
  'password_file',
  'acl_file',
  'psk_file',
  'plugin_opt_config_file',
  'plugin_opt_password_file',
  'plugin_opt_acl_file',
  'cafile',
  'capath',
  'certfile',
  'keyfile',
  'crlfile',
  'dhparamfile',
])

// Synchronous reads of small system files: node:fs/promises (and the readline it loads) would
// cost `config lint` start-up time for two files of a few kilobytes.
const readText = (path: string): string => {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return ''
  }
}

/** The broker's account from /etc/passwd and /etc/group, to judge what it can read. */
export async function lookupAccount(name: string): Promise<Account | undefined> {
  const passwd = readText('/etc/passwd')
  const row = passwd
    .split('\n')
    .map((l) => l.split(':'))
    .find((f) => f[0] === name && f.length >= 4)
  if (!row) return undefined
  const gids = [Number(row[3])]
  const group = readText('/etc/group')
  for (const f of group.split('\n').map((l) => l.split(':'))) {
    if (f.length >= 4 && f[3].split(',').includes(name)) gids.push(Number(f[2]))
  }

  return {name, uid: Number(row[2]), gids}
}

export type BrokerAccount =
  /** Not started as root, or `user root`: the broker keeps the account it was started with. */
  | {kind: 'unchanged'}
  | {kind: 'switches'; account: Account; fellBack: boolean}
  /** The broker refuses to start: "Unable to drop privileges to '…' because this user does not exist." */
  | {kind: 'missing'; name: string}

/**
 * Which account the broker opens its files as, started as root with this `user` setting: the
 * named user, or for "mosquitto" (the default) "nobody" when there is no such user, as the
 * broker itself falls back (2.0.11 logs "Trying 'nobody' instead.").
 */
export async function brokerAccount(
  user: string | undefined,
  asRoot: boolean,
  lookup: (name: string) => Promise<Account | undefined> = lookupAccount,
): Promise<BrokerAccount> {
  const name = user ?? 'mosquitto'
  if (!asRoot || name === 'root') return {kind: 'unchanged'}
  const account = await lookup(name)
  if (account) return {kind: 'switches', account, fellBack: false}
  if (name === 'mosquitto') {
    const nobody = await lookup('nobody')
    if (nobody) return {kind: 'switches', account: nobody, fellBack: true}
    return {kind: 'missing', name: 'nobody'}
  }

  return {kind: 'missing', name}
}

/** Permission bits that apply to this account: owner, group or other. */
async function allowed(path: string, account: Account, bit: 4 | 2 | 1): Promise<boolean> {
  const st = statSync(path)
  if (account.uid === 0) return true
  if (st.uid === account.uid) return Boolean(st.mode & (bit << 6))
  if (account.gids.includes(st.gid)) return Boolean(st.mode & (bit << 3))
  return Boolean(st.mode & bit)
}

export async function accountCanRead(path: string, account: Account, dir = false): Promise<string | undefined> {
  const parents: string[] = []
  for (let p = dirname(path); ; p = dirname(p)) {
    parents.unshift(p)
    if (p === dirname(p)) break
  }

  for (const p of parents) if (!(await allowed(p, account, 1))) return `user "${account.name}" cannot enter ${p}`
  if (!(await allowed(path, account, 4))) return `user "${account.name}" cannot read it`
  if (dir && !(await allowed(path, account, 2))) return `user "${account.name}" cannot write into it`
  return undefined
}
