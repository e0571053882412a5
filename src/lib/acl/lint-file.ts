import {readFile} from 'node:fs/promises'

import {MqctlError, fileError} from '../errors.js'
import {readPasswdFile} from '../passwd/store.js'
import {lintParsedAcl} from './lint.js'
import {parseAclFile, type AclFinding} from './parse.js'

export interface AclReport {
  file: string
  errors: number
  warnings: number
  findings: AclFinding[]
}

export async function readAclText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    throw fileError(file, error)
  }
}

export async function lintAclFile(file: string, options: {passwd?: string} = {}): Promise<AclReport> {
  const text = await readAclText(file)
  let knownUsers: Set<string> | undefined
  if (options.passwd) {
    const lines = await readPasswdFile(options.passwd).catch((error: MqctlError) => {
      throw new MqctlError('FILE_PASSWD_OPEN', error.message)
    })
    knownUsers = new Set(lines.filter((l) => l.kind === 'entry').map((l) => l.username!))
  }

  const findings = lintParsedAcl(parseAclFile(text, file), {knownUsers})
  return {
    file,
    errors: findings.filter((f) => f.severity === 'error').length,
    warnings: findings.filter((f) => f.severity === 'warning').length,
    findings,
  }
}

export interface LintOutputOptions {
  passwd?: string
  format: string
  /** mqctl's version, for SARIF's tool record. */
  version: string
  color: boolean
}

/** `acl lint`'s report and its text in the chosen format (the command and the fast front end print it). */
export async function aclLintOutput(
  file: string,
  options: LintOutputOptions,
): Promise<{report: AclReport; lines: string[]}> {
  const report = await lintAclFile(file, {passwd: options.passwd})
  if (options.format === 'json') return {report, lines: [JSON.stringify(report, null, 2)]}
  const {findingsSarif, findingsText} = await import('../output/findings.js')
  if (options.format === 'sarif') {
    const {ACL_RULES} = await import('./lint.js')
    return {report, lines: [JSON.stringify(findingsSarif(file, report.findings, ACL_RULES, options.version), null, 2)]}
  }

  return {report, lines: findingsText(file, report.findings, options.color)}
}
