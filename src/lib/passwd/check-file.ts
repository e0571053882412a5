import {stat} from 'node:fs/promises'

import {checkPasswdLines, type PasswdFinding} from './check.js'
import type {Target} from './hash.js'
import {plainFileError, readPasswdFile} from './store.js'

export interface PasswdReport {
  file: string
  target: Target
  entries: number
  findings: PasswdFinding[]
}

/** Checks a password file, or standard input when `file` is `-`. */
export async function checkPasswdFile(file: string, target: Target): Promise<PasswdReport> {
  let lines
  try {
    lines = await readPasswdFile(file, {allowStdin: true})
  } catch (error) {
    throw plainFileError(error)
  }

  const findings = checkPasswdLines(lines, target)
  // Standard input has no mode to judge.
  const st = file === '-' ? undefined : await stat(file)
  if (st && st.mode & 0o004) {
    findings.push({
      line: 1,
      column: 1,
      rule: 'passwd/world-readable',
      severity: 'warning',
      message: `file mode ${(st.mode & 0o777).toString(8)} lets every local user read the hashes (mosquitto 2.0.16+ warns; use chmod 0600 or 0640 with group mosquitto)`,
    })
  }

  return {file, target, entries: lines.filter((l) => l.kind === 'entry').length, findings}
}
