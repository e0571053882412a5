import {readFile, stat} from 'node:fs/promises'
import {dirname} from 'node:path'

/**
 * What another local account can read, judged from permission bits: mosquitto started as root
 * switches to its own user before it opens the files its config names, so "readable by me"
 * says nothing when I am root.
 */
export interface Account {
  name: string
  uid: number
  gids: number[]
}

/** The broker's account from /etc/passwd and /etc/group, to judge what it can read. */
export async function lookupAccount(name: string): Promise<Account | undefined> {
  const passwd = await readFile('/etc/passwd', 'utf8').catch(() => '')
  const row = passwd
    .split('\n')
    .map((l) => l.split(':'))
    .find((f) => f[0] === name && f.length >= 4)
  if (!row) return undefined
  const gids = [Number(row[3])]
  const group = await readFile('/etc/group', 'utf8').catch(() => '')
  for (const f of group.split('\n').map((l) => l.split(':'))) {
    if (f.length >= 4 && f[3].split(',').includes(name)) gids.push(Number(f[2]))
  }

  return {name, uid: Number(row[2]), gids}
}

/** Permission bits that apply to this account: owner, group or other. */
async function allowed(path: string, account: Account, bit: 4 | 2 | 1): Promise<boolean> {
  const st = await stat(path)
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
