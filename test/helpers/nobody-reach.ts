import {chmodSync, statSync} from 'node:fs'
import {dirname} from 'node:path'

/**
 * Tests that run the CLI as nobody (setpriv --reuid=65534) need nobody to reach node and the
 * checkout. A fresh clone inside a 0700 temp directory (or a Node binary unpacked there) does not
 * allow that, so each directory on the way down that lacks o+x gets it for the whole run; the
 * returned function puts the modes back. Done once for all test files (global setup), so one file
 * finishing cannot close the way while another still runs.
 */
export function openWayForNobody(targets: readonly string[]): () => void {
  if (process.geteuid?.() !== 0) return () => {}
  const opened: Array<[string, number]> = []
  for (const target of targets) {
    for (let d = dirname(target); d !== dirname(d); d = dirname(d)) {
      const mode = statSync(d).mode & 0o7777
      if ((mode & 0o001) === 0 && !opened.some(([p]) => p === d)) {
        chmodSync(d, mode | 0o001)
        opened.push([d, mode])
      }
    }
  }

  return () => {
    for (const [d, mode] of opened.reverse()) chmodSync(d, mode)
  }
}
