import {randomBytes} from 'node:crypto'
import {lstat, readdir, unlink} from 'node:fs/promises'
import {join} from 'node:path'

import {currentBootId, holderState, selfHolder} from './holder.js'

/**
 * Temp files beside a target have one fixed shape, so a writer killed with SIGKILL leaves
 * something the next writer recognises and removes:
 *
 *   .<name>.mqctl-<boot>-<pid>-<start>.<random>.tmp
 *
 * <boot> is the first 8 characters of the kernel boot id, <pid> and <start> identify the
 * writing process (see holder.ts). Files of this shape whose writer is gone are removed by the
 * next write of the same target; so are the `.<name>.<pid>.<random>.tmp` files of mqctl
 * versions before this shape.
 */
const TEMP = /^\.(.+)\.mqctl-([0-9a-f]{0,8})-(\d+)-(\d*)\.[0-9a-f]{8}\.tmp$/
const OLD_TEMP = /^\.(.+)\.(\d+)\.[0-9a-f]{8}\.tmp$/
/** A temp file from another boot id (another host on a shared filesystem, or before a reboot) is left this long. */
const FOREIGN_AGE_MS = 60 * 60_000

export function tempNameFor(base: string): string {
  const me = selfHolder()
  return `.${base}.mqctl-${me.boot.slice(0, 8)}-${me.pid}-${me.start}.${randomBytes(4).toString('hex')}.tmp`
}

/** Whether `name` is a temp file of `base` whose writer no longer runs. */
async function isStaleTemp(dir: string, name: string, base: string): Promise<boolean> {
  const m = TEMP.exec(name)
  const old = m ? undefined : OLD_TEMP.exec(name)
  if (m?.[1] !== base && old?.[1] !== base) return false
  const st = await lstat(join(dir, name)).catch(() => undefined)
  if (!st?.isFile()) return false
  // Never touch another account's files (root may: it is the one that could have left them).
  const uid = process.geteuid?.() ?? 0
  if (uid !== 0 && st.uid !== uid) return false
  if (m) {
    const boot = currentBootId().slice(0, 8)
    if (m[2] !== boot) return Date.now() - st.mtimeMs > FOREIGN_AGE_MS
    return holderState({pid: Number(m[3]), start: m[4], boot: '', host: selfHolder().host}) === 'dead'
  }

  return holderState({pid: Number(old![2]), start: '', boot: '', host: selfHolder().host}) === 'dead'
}

/** Removes the temp files of `base` in `dir` left by writers that died; returns how many. */
export async function removeStaleTemps(dir: string, base: string): Promise<number> {
  let names: string[]
  try {
    names = await readdir(dir)
  } catch {
    return 0
  }

  let removed = 0
  for (const name of names) {
    if (!name.startsWith(`.${base}.`) || !name.endsWith('.tmp')) continue
    if (await isStaleTemp(dir, name, base)) {
      await unlink(join(dir, name)).then(
        () => removed++,
        () => {},
      )
    }
  }

  return removed
}
