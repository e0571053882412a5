import {readFileSync} from 'node:fs'
import {hostname} from 'node:os'

/**
 * Who holds a lock or owns a temp file, told apart from a later process that got the same PID
 * (PID 1 in every container, PIDs reused after a reboot or wrap-around): the PID, the
 * process's start time in clock ticks since boot (/proc/PID/stat field 22), the kernel's boot
 * id and the host name. Where /proc is missing the start time and boot id are empty and only
 * the PID is compared.
 */
export interface Holder {
  pid: number
  /** Start time from /proc/PID/stat, '' when unknown. */
  start: string
  /** /proc/sys/kernel/random/boot_id, '' when unknown. */
  boot: string
  host: string
}

const read = (path: string): string => {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return ''
  }
}

/** Field 22 of /proc/PID/stat; the command name (field 2) may hold spaces and parentheses. */
export function startTimeOf(pid: number): string {
  const stat = read(`/proc/${pid}/stat`)
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return fields.length > 19 && /^\d+$/.test(fields[19]) ? fields[19] : ''
}

let bootId: string | undefined
export const currentBootId = (): string => (bootId ??= read('/proc/sys/kernel/random/boot_id').trim())

export const selfHolder = (): Holder => ({
  pid: process.pid,
  start: startTimeOf(process.pid),
  boot: currentBootId(),
  host: hostname(),
})

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * 'alive': that very process still runs; 'dead': it does not (no such PID, the PID now belongs
 * to a process started at another time, or the machine has rebooted); 'unknown': another host.
 */
export function holderState(holder: Holder): 'alive' | 'dead' | 'unknown' {
  if (holder.host !== hostname()) return 'unknown'
  const boot = currentBootId()
  if (holder.boot && boot && holder.boot !== boot) return 'dead'
  if (!pidExists(holder.pid)) return 'dead'
  if (holder.start) {
    const now = startTimeOf(holder.pid)
    if (now && now !== holder.start) return 'dead'
  }

  return 'alive'
}
