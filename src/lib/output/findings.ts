import {isAbsolute} from 'node:path'
import {pathToFileURL} from 'node:url'

import {PLAIN, type Palette} from '../io.js'
import {escapeForLine} from './escape.js'

/**
 * Rendering of lint findings (acl lint, config lint, passwd check): compiler-style text,
 * JSON, and SARIF 2.1.0 for code scanning.
 */
export interface Finding {
  rule: string
  severity: 'error' | 'warning' | 'note'
  message: string
  line: number
  column: number
  file?: string
}

/** Compiler-style lines; the severity is coloured with the palette of the stream they go to (the I/O seam's). */
export function findingsText(file: string, findings: readonly Finding[], colour: Palette = PLAIN): string[] {
  const paint = (sev: Finding['severity']) =>
    sev === 'error' ? colour.red(sev) : sev === 'warning' ? colour.yellow(sev) : colour.cyan(sev)

  // Messages quote topics and names from the input: a control byte there must not reach the terminal.
  return findings.map(
    (f) =>
      `${escapeForLine(f.file ?? file)}:${f.line}:${f.column}: ${paint(f.severity)}: ${escapeForLine(f.message)} [${f.rule}]`,
  )
}

/**
 * Findings listed per rule id by `acl lint` and `config lint`; the others are counted, so a file
 * of a million repeated mistakes gives one screen and one bounded JSON document, not a million.
 */
export const MAX_LISTED_PER_RULE = 1000

/** The first `max` findings of each rule id, in the order given, and how many of each were left out. */
export function capPerRule<F extends Pick<Finding, 'rule'>>(
  findings: readonly F[],
  max = MAX_LISTED_PER_RULE,
): {listed: F[]; omitted: Record<string, number>} {
  const seen = new Map<string, number>()
  const listed: F[] = []
  for (const f of findings) {
    const n = (seen.get(f.rule) ?? 0) + 1
    seen.set(f.rule, n)
    if (n <= max) listed.push(f)
  }

  const omitted: Record<string, number> = {}
  for (const [rule, n] of seen) if (n > max) omitted[rule] = n - max
  return {listed, omitted}
}

/** The text lines that say what capPerRule (or the ACL linter's own cap) left out. */
export function omittedText(file: string, omitted: Record<string, number>, max = MAX_LISTED_PER_RULE): string[] {
  return Object.entries(omitted).map(
    ([rule, n]) =>
      `${escapeForLine(file)}: ${n} more ${rule} finding${n === 1 ? '' : 's'} not listed (the first ${max} are)`,
  )
}

/**
 * A path as a SARIF artifactLocation.uri (RFC 3986): absolute paths become file: URLs, relative
 * ones a relative reference with each segment percent-encoded (spaces, `#`, `%`, `?` …).
 */
export function sarifUri(path: string): string {
  if (isAbsolute(path)) return pathToFileURL(path).href
  return path
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/')
}

export function findingsSarif(
  file: string,
  findings: readonly Finding[],
  rules: Record<string, string>,
  version: string,
): object {
  const used = [...new Set(findings.map((f) => f.rule))]
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'mqctl',
            version,
            rules: used.map((id) => ({id, shortDescription: {text: rules[id] ?? id}})),
          },
        },
        results: findings.map((f) => ({
          ruleId: f.rule,
          ruleIndex: used.indexOf(f.rule),
          level: f.severity,
          message: {text: f.message},
          locations: [
            {
              physicalLocation: {
                artifactLocation: {uri: sarifUri(f.file ?? file)},
                region: {startLine: f.line, startColumn: f.column},
              },
            },
          ],
        })),
      },
    ],
  }
}
