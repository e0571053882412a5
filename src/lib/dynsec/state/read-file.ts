import {MqctlError} from '../../errors.js'
import {readInputFile} from '../../files/input.js'
import {decodeDynsecFile, type DecodedDynsecFile} from './file-codec.js'
import {emptyState} from './empty.js'

export interface DynsecStateFile extends DecodedDynsecFile {
  /** The path as given, for messages. */
  name: string
  /** False when the file did not exist and allowMissing gave an empty state. */
  exists: boolean
}

/** Larger than any real config; bounds a runaway input. */
const MAX_STATE_BYTES = 256 * 1024 * 1024

/**
 * Reads a dynamic-security.json as the plugin would load it (2.0 or 2.1 layout, detected).
 * A file the plugin would not load is an exit-5 error naming file:line; it is never rewritten.
 */
export function readDynsecStateFile(path: string, options: {allowMissing?: boolean} = {}): DynsecStateFile {
  let bytes: Buffer
  try {
    bytes = readInputFile(path, {label: 'dynamic-security file', maxBytes: MAX_STATE_BYTES}).bytes
  } catch (error) {
    if (options.allowMissing && error instanceof MqctlError && error.code === 'FILE_ENOENT') {
      return {name: path, exists: false, state: emptyState(), layout: '2.0', warnings: []}
    }

    throw error
  }

  const text = bytes.toString('utf8')
  if (text.includes('\uFFFD') && !Buffer.from(text, 'utf8').equals(bytes)) {
    throw new MqctlError('PARSE_DYNSEC_UTF8', 'not valid UTF-8: mqctl cannot rewrite it without changing its names', {
      location: {file: path, line: text.slice(0, text.indexOf('\uFFFD')).split('\n').length},
    })
  }

  return {name: path, exists: true, ...decodeDynsecFile(text, path)}
}
