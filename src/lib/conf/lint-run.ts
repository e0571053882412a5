import type {Palette} from '../io.js'
import type {Finding} from '../output/findings.js'

export interface ConfReport {
  file: string
  /** Errors and warnings count every finding, listed or not. */
  errors: number
  warnings: number
  findings: Finding[]
  /** Findings not listed, per rule id, beyond the first MAX_LISTED_PER_RULE of each (as acl lint). */
  omitted: Record<string, number>
}

/** `config lint`'s report and its text in the chosen format (the command and the fast front end print it). */
export async function confLintOutput(
  path: string,
  options: {
    target: '2.0' | '2.1'
    fileChecks: boolean
    format: string
    version: string
    colour?: Palette
    /** Entries checked of all entries, the main file's and its include_dir files'. */
    onProgress?: (done: number, total: number) => void
  },
): Promise<{report: ConfReport; lines: string[]}> {
  const {lintConf, CONF_RULES} = await import('./lint.js')
  const {capPerRule, findingsSarif, findingsText, omittedText} = await import('../output/findings.js')
  const all = await lintConf(path, {
    target: options.target,
    fileChecks: options.fileChecks,
    onProgress: options.onProgress,
  })
  let errors = 0
  for (const f of all) if (f.severity === 'error') errors++
  const {listed, omitted} = capPerRule(all)
  // `-` is standard input, named so in the report.
  const file = path === '-' ? '<stdin>' : path
  const report = {file, errors, warnings: all.length - errors, findings: listed, omitted}
  if (options.format === 'json') return {report, lines: [JSON.stringify(report, null, 2)]}
  if (options.format === 'sarif') {
    return {report, lines: [JSON.stringify(findingsSarif(file, listed, CONF_RULES, options.version), null, 2)]}
  }

  return {report, lines: [...findingsText(file, listed, options.colour), ...omittedText(file, omitted)]}
}
