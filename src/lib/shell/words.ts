import {MqctlError} from '../errors.js'

/**
 * Splits a shell line into words: blanks separate, '…' and "…" quote (so names and topics
 * with spaces can be typed), a backslash escapes the next character outside single quotes.
 */
export function splitWords(line: string): string[] {
  const words: string[] = []
  let word: string | undefined
  let quote: '"' | "'" | undefined
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]
    if (quote) {
      if (ch === quote) quote = undefined
      else if (ch === '\\' && quote === '"' && i + 1 < line.length) word += line[++i]
      else word += ch
    } else if (ch === ' ' || ch === '\t') {
      if (word !== undefined) words.push(word)
      word = undefined
    } else if (ch === '"' || ch === "'") {
      quote = ch
      word ??= ''
    } else if (ch === '\\' && i + 1 < line.length) {
      word = (word ?? '') + line[++i]
    } else {
      word = (word ?? '') + ch
    }
  }

  if (quote) throw new MqctlError('USAGE_SHELL', `unclosed ${quote} quote`)
  if (word !== undefined) words.push(word)
  return words
}
