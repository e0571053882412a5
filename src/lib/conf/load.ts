import {readdirSync, statSync} from 'node:fs'

import {MqctlError} from '../errors.js'
import {readInputFile} from '../files/input.js'
import type {Finding} from '../output/findings.js'
import {escapeForLine} from '../output/escape.js'
import type {Version} from './options.js'
import {parseConf, type ConfEntry} from './parse.js'

/**
 * Reads a config and what its include_dir lines name, in the broker's order and with its rule:
 * include_dir is followed only in the main file (2.0 ignores it elsewhere, 2.1 refuses it), so
 * the work is bounded by the main file's include_dir lines times the files they list, never a
 * recursion. A budget on the total bytes read stops a main file that names one big directory
 * thousands of times.
 */
export interface LoadedEntry extends ConfEntry {
  /** 0 for the main file, 1 for a file read through include_dir. */
  depth: 0 | 1
  /** Which file read this entry came from (each include is a new unit), for per-file state. */
  unit: number
}

export interface LoadOptions {
  target?: Version
  /** Total bytes read over the main file and its includes. */
  maxTotalBytes?: number
}

export const DEFAULT_MAX_CONF_BYTES = 256 * 1024 * 1024

const at = (e: Pick<ConfEntry, 'file' | 'line' | 'column'>, rule: string, message: string): Finding => ({
  rule,
  severity: 'error',
  message,
  file: e.file,
  line: e.line,
  column: e.column,
})

/** Names ending in ".conf" (and longer than that), sorted by bytes like the broker's qsort/strcmp. */
function includeFiles(dir: string): string[] {
  const names = readdirSync(dir).filter((n) => Buffer.byteLength(n) > 5 && n.endsWith('.conf'))
  const paths = names.map((n) => `${dir}/${n}`)
  return paths.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
}

/** The parsed entry itself, marked: a copy per line doubled the memory of a 300,000-line config. */
function mark(e: ConfEntry, depth: 0 | 1, unit: number): LoadedEntry {
  const marked = e as LoadedEntry
  marked.depth = depth
  marked.unit = unit
  return marked
}

export function loadConf(
  file: string,
  findings: Finding[],
  options: LoadOptions = {},
): {entries: LoadedEntry[]; name: string} {
  const target = options.target ?? '2.0'
  const budget = {left: options.maxTotalBytes ?? DEFAULT_MAX_CONF_BYTES}
  const main = readInputFile(file, {allowStdin: true, label: 'config file'})
  budget.left -= main.bytes.length
  const entries: LoadedEntry[] = []
  let units = 0
  const doc = parseConf(main.bytes, main.name, target)
  const mainUnit = units++
  for (const e of doc.entries) {
    entries.push(mark(e, 0, mainUnit))
    if (e.name !== 'include_dir') continue
    // The broker takes the rest of the line untrimmed: "include_dir /x " names "/x ".
    const dir = e.rest
    if (dir === '') continue // reported by the checker (Empty include_dir value)
    let files: string[]
    try {
      files = includeFiles(dir)
    } catch {
      findings.push(at(e, 'conf/include-dir', `Unable to open include_dir '${escapeForLine(dir)}'.`))
      continue
    }

    for (const path of files) {
      const unit = units++
      let st
      try {
        st = statSync(path)
      } catch {
        findings.push(at(e, 'conf/include-dir', `Unable to open config file ${escapeForLine(path)}.`))
        break
      }

      if (st.isDirectory()) {
        findings.push(at(e, 'conf/include-dir', `Config file ${escapeForLine(path)} is a directory.`))
        break
      }

      const bytes = readInputFile(path, {label: 'included config file'}).bytes
      budget.left -= bytes.length
      if (budget.left < 0) {
        throw new MqctlError(
          'FILE_TOO_LARGE',
          `${escapeForLine(main.name)}: the config and its include_dir files exceed ` +
            `${options.maxTotalBytes ?? DEFAULT_MAX_CONF_BYTES} bytes`,
          {location: {file: main.name, line: e.line}},
        )
      }

      for (const inc of parseConf(bytes, path, target).entries) entries.push(mark(inc, 1, unit))
    }
  }

  if (doc.nulAt !== undefined) {
    findings.push({
      rule: 'conf/nul-byte',
      severity: 'warning',
      message: 'a NUL byte: mosquitto stops reading the file here and ignores every line after it',
      file: main.name,
      line: doc.nulAt,
      column: 1,
    })
  }

  return {entries, name: main.name}
}
