import {readFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'

import {MqctlError} from '../errors.js'
import {parseCtrlOptions, type RawOptions} from './ctrl-options.js'

/** Where mosquitto_ctrl looks for its options file (spec 2.3): XDG_CONFIG_HOME wins outright. */
export function ctrlOptionsFilePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.XDG_CONFIG_HOME !== undefined) return join(env.XDG_CONFIG_HOME, 'mosquitto_ctrl')
  return join(env.HOME ?? homedir(), '.config', 'mosquitto_ctrl')
}

export interface SourcedOptions {
  options: RawOptions
  /** Where each option came from, for error messages: `file:line`. */
  sources: Map<string, string>
}

/**
 * Reads a mosquitto_ctrl options file: `#` comments, one option per line, split on spaces
 * only, first two words used. A missing file is not an error (mosquitto_ctrl ignores it too),
 * unless `required` (an explicit -o, where silence would hide a typo).
 */
export function readCtrlOptionsFile(path: string, required = false): SourcedOptions {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    if (!required) return {options: new Map(), sources: new Map()}
    throw new MqctlError('FILE_OPTIONS', `cannot read options file ${path}: ${(error as Error).message}`)
  }

  const options: RawOptions = new Map()
  const sources = new Map<string, string>()
  const lines = text.split('\n')
  for (const [index, rawLine] of lines.entries()) {
    const line = rawLine.replace(/\r$/, '')
    if (line.startsWith('#')) continue
    const words = line.split(' ').filter(Boolean).slice(0, 2)
    if (words.length === 0) continue
    const where = `${path}:${index + 1}:${line.indexOf(words[0]) + 1}`
    let parsed
    try {
      parsed = parseCtrlOptions(words, where)
    } catch (error) {
      const e = error as MqctlError
      throw new MqctlError(e.code, e.message, {
        location: {file: path, line: index + 1, column: line.indexOf(words[0]) + 1},
      })
    }

    if (parsed.rest < words.length) {
      throw new MqctlError('USAGE_OPTIONS_FILE', `"${words[parsed.rest]}" is not an option`, {
        location: {file: path, line: index + 1, column: line.indexOf(words[parsed.rest]) + 1},
      })
    }

    for (const [k, value] of parsed.options) {
      options.set(k, value)
      sources.set(k, where)
    }
  }

  return {options, sources}
}
