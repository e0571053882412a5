import type {Palette} from '../io.js'
import {lintAclFile, type AclReport} from './lint-file.js'

/**
 * `acl lint`'s report and its lines in the chosen format: the oclif command and the fast front
 * end (src/cli/lint.ts) both print these, so their output cannot drift apart.
 */
export async function aclLintOutput(
  file: string,
  options: {
    passwd?: string
    format: string
    version: string
    colour?: Palette
    onProgress?: (done: number, total: number) => void
  },
): Promise<{report: AclReport; lines: string[]}> {
  const report = await lintAclFile(file, {passwd: options.passwd, onProgress: options.onProgress})
  if (options.format === 'json') return {report, lines: [JSON.stringify(report, null, 2)]}
  const {findingsSarif, findingsText, omittedText} = await import('../output/findings.js')
  if (options.format === 'sarif') {
    const {ACL_RULES} = await import('./lint.js')
    return {
      report,
      lines: [JSON.stringify(findingsSarif(report.file, report.findings, ACL_RULES, options.version), null, 2)],
    }
  }

  const lines = findingsText(report.file, report.findings, options.colour)
  return {report, lines: [...lines, ...omittedText(report.file, report.omitted)]}
}
