import {MqctlError} from '../errors.js'
import {readInputFile} from '../files/input.js'
import {MAX_LISTED_PER_RULE} from '../output/findings.js'
import {parsePasswdFile} from '../passwd/file.js'
import {lintParsedAcl} from './lint.js'
import {parseAclFile, type AclFinding, type ParsedAcl} from './parse.js'

export interface AclReport {
  file: string
  errors: number
  warnings: number
  findings: AclFinding[]
  /** Findings not listed, per rule id, beyond the first MAX_LISTED_PER_RULE of each (counted above). */
  omitted: Record<string, number>
}

/**
 * The largest ACL file mqctl reads. The parse is linear, and a 20 MB file of 700,000 rules
 * peaks near 700 MB while linting; past this bound the file is refused (exit 5) rather than read.
 */
export const ACL_MAX_BYTES = 64 * 1024 * 1024

/** An ACL file (or `-` for standard input) as bytes, checked to be a regular file of sane size. */
export function readAclBytes(file: string): {name: string; bytes: Buffer} {
  return readInputFile(file, {maxBytes: ACL_MAX_BYTES, allowStdin: true, label: 'ACL file'})
}

/** Reads and parses; `name` is what messages call the file (`<stdin>` for `-`). */
export function readAcl(file: string): {name: string; acl: ParsedAcl} {
  const {name, bytes} = readAclBytes(file)
  return {name, acl: parseAclFile(bytes, name)}
}

/** Usernames of a password file (for acl/unknown-user and acl who). */
export function readPasswdUsers(file: string): string[] {
  try {
    const {bytes} = readInputFile(file, {label: 'password file'})
    return parsePasswdFile(bytes)
      .filter((l) => l.kind === 'entry')
      .map((l) => l.username!)
  } catch (error) {
    if (error instanceof MqctlError) throw new MqctlError('FILE_PASSWD_OPEN', error.message, {cause: error})
    throw error
  }
}

export async function lintAclFile(
  file: string,
  options: {passwd?: string; onProgress?: (done: number, total: number) => void} = {},
): Promise<AclReport> {
  const {name, acl} = readAcl(file)
  const knownUsers = options.passwd ? new Set(readPasswdUsers(options.passwd)) : undefined
  const omitted = new Map<string, {severity: AclFinding['severity']; count: number}>()
  const findings = lintParsedAcl(acl, {
    knownUsers,
    maxPerRule: MAX_LISTED_PER_RULE,
    omitted,
    onProgress: options.onProgress,
  })
  const count = (sev: AclFinding['severity']) =>
    findings.filter((f) => f.severity === sev).length +
    [...omitted.values()].filter((o) => o.severity === sev).reduce((n, o) => n + o.count, 0)
  return {
    file: name,
    errors: count('error'),
    warnings: count('warning'),
    findings,
    omitted: Object.fromEntries([...omitted].map(([rule, o]) => [rule, o.count])),
  }
}
