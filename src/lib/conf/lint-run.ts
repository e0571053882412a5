import type {Palette} from '../io.js'
import type {Finding} from '../output/findings.js'

export interface ConfReport {
  file: string
  errors: number
  warnings: number
  findings: Finding[]
}

/** `config lint`'s report and its text in the chosen format (the command and the fast front end print it). */
export async function confLintOutput(
  path: string,
  options: {target: '2.0' | '2.1'; fileChecks: boolean; format: string; version: string; colour?: Palette},
): Promise<{report: ConfReport; lines: string[]}> {
  const {lintConf, CONF_RULES} = await import('./lint.js')
  const findings = await lintConf(path, {target: options.target, fileChecks: options.fileChecks})
  const errors = findings.filter((f) => f.severity === 'error').length
  // `-` is standard input, named so in the report.
  const file = path === '-' ? '<stdin>' : path
  const report = {file, errors, warnings: findings.length - errors, findings}
  if (options.format === 'json') return {report, lines: [JSON.stringify(report, null, 2)]}
  const {findingsSarif, findingsText} = await import('../output/findings.js')
  if (options.format === 'sarif') {
    return {report, lines: [JSON.stringify(findingsSarif(file, findings, CONF_RULES, options.version), null, 2)]}
  }

  return {report, lines: findingsText(file, findings, options.colour)}
}
