import {homedir} from 'node:os'
import {join} from 'node:path'

import {MqctlError} from '../errors.js'
import {readInputText} from '../files/input.js'
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
    // mosquitto_ctrl reads at most 1023 bytes a line; a file this size is not an options file.
    text = readInputText(path, {maxBytes: 1024 * 1024, label: 'options file'}).text
  } catch (error) {
    // A missing or unreadable file is skipped like mosquitto_ctrl does, but never a FIFO or a
    // device (that would hang or grow) nor a runaway file: those are errors even unasked.
    const code = (error as MqctlError).code
    if (!required && (code === 'FILE_ENOENT' || code === 'FILE_EACCES' || code === 'FILE_ENOTDIR')) {
      return {options: new Map(), sources: new Map()}
    }

    throw error
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
