import {MqctlError} from '../errors.js'
import {buildDynsecRequest, findDynsecCommand, type DynsecCommandSpec, type RequestExtras} from './catalog.js'
import type {DynsecRequest} from './schemas.js'

/**
 * `dynsec batch`: one mosquitto_ctrl dynsec command per line, in the single commands' grammar
 * (`createClient bob -p pw`, `addRoleACL r publishClientSend 'a b/#' allow 5`), shell-style
 * quoting, `#` comments and blank lines. Every line is parsed before anything is sent.
 */
export interface BatchLine {
  line: number
  spec: DynsecCommandSpec
  request: DynsecRequest
}

const bad = (file: string, line: number, message: string) =>
  new MqctlError('USAGE_BATCH', message, {location: {file, line}})

/** Splits a line like sh does for words: '…' literal, "…" with \\ \" \$ \` escapes, \\ outside quotes. */
export function shellWords(text: string): string[] {
  const words: string[] = []
  let word: string | undefined
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === ' ' || c === '\t' || c === '\r') {
      if (word !== undefined) words.push(word)
      word = undefined
    } else if (c === '#' && word === undefined) {
      break
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1)
      if (end === -1) throw new Error('unterminated single quote')
      word = (word ?? '') + text.slice(i + 1, end)
      i = end
    } else if (c === '"') {
      word ??= ''
      for (i++; ; i++) {
        if (i >= text.length) throw new Error('unterminated double quote')
        if (text[i] === '"') break
        if (text[i] === '\\' && '\\"$`'.includes(text[i + 1] ?? '')) i++
        word += text[i]
      }
    } else if (c === '\\') {
      if (i + 1 >= text.length) throw new Error('a backslash at the end of the line')
      word = (word ?? '') + text[++i]
    } else {
      word = (word ?? '') + c
    }
  }

  if (word !== undefined) words.push(word)
  return words
}

const API_ONLY = new Set(['modifyClient', 'modifyGroup', 'modifyRole'])

/** One line's words → the request, with mosquitto_ctrl's argument rules. */
function parseWords(words: string[]): {spec: DynsecCommandSpec; request: DynsecRequest} {
  const spec = findDynsecCommand(words[0])
  if (!spec) throw new Error(`Command '${words[0]}' not recognised`)
  if (API_ONLY.has(spec.name)) throw new Error(`${spec.name} takes named options; it is not available in batch files`)
  let args = words.slice(1)
  const extras: RequestExtras = {}
  if (spec.name === 'createClient') {
    const rest: string[] = []
    for (let i = 0; i < args.length; i++) {
      const w = args[i]
      if (w === '-c' || w === '-i' || w === '-p') {
        const value = args[++i]
        if (value === undefined)
          throw new Error(`${w} argument given, but no ${w === '-p' ? 'password' : 'clientid'} provided`)
        if (w === '-p') extras.password = value
        else extras.clientid = value
      } else if (w.startsWith('-') && rest.length > 0) {
        throw new Error(`unknown option ${w} (createClient takes -c/-i CLIENTID and -p PASSWORD)`)
      } else {
        rest.push(w)
      }
    }

    args = rest
  }

  if (spec.name === 'setClientPassword') {
    if (args.length !== 2) throw new Error('setClientPassword needs <username> <password> in a batch file (no prompt)')
    extras.password = args[1]
    args = args.slice(0, 1)
  }

  const required = spec.params.filter((p) => !p.endsWith('?')).length
  const params = spec.name === 'setClientPassword' ? 1 : spec.params.length
  if (args.length < required || args.length > params) {
    const usage = spec.params.map((p) => (p.endsWith('?') ? `[${p.slice(0, -1)}]` : `<${p}>`)).join(' ')
    throw new Error(`wrong number of arguments: ${spec.name} ${usage}`.trimEnd())
  }

  return {spec, request: buildDynsecRequest(spec.name, args, extras)}
}

/** Parses a whole batch file; the first bad line is an exit-2 error at FILE:LINE. */
export function parseBatch(text: string, file: string): BatchLine[] {
  const out: BatchLine[] = []
  text.split('\n').forEach((raw, i) => {
    let words: string[]
    try {
      words = shellWords(raw)
    } catch (error) {
      throw bad(file, i + 1, (error as Error).message)
    }

    if (words.length === 0) return
    try {
      const {spec, request} = parseWords(words)
      out.push({line: i + 1, spec, request})
    } catch (error) {
      throw bad(file, i + 1, error instanceof MqctlError ? error.message : (error as Error).message)
    }
  })
  return out
}
