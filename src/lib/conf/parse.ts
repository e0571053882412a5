/**
 * mosquitto.conf's lexical rules (spec 5.1): a comment only with `#` in column 1, the keyword
 * is the first space-separated word (a leading tab makes it unknown), string values take the
 * rest of the line, other values the next word.
 */
export interface ConfEntry {
  name: string
  /** Everything after the keyword, leading spaces and trailing whitespace removed. */
  value: string
  /** The first word of the value (what bool/int/enum options read). */
  word: string
  file: string
  line: number
  column: number
  valueColumn: number
}

export interface ConfDocument {
  entries: ConfEntry[]
}

export function parseConf(text: string, file = 'mosquitto.conf'): ConfDocument {
  const entries: ConfEntry[] = []
  const lines = text.split('\n')
  if (lines.at(-1) === '') lines.pop()
  for (const [index, raw] of lines.entries()) {
    const line = raw.replace(/\r+$/, '')
    if (line.startsWith('#') || line === '') continue
    let i = 0
    while (line[i] === ' ') i++
    if (i >= line.length) continue
    const start = i
    while (i < line.length && line[i] !== ' ') i++
    const name = line.slice(start, i)
    while (line[i] === ' ') i++
    const value = line.slice(i).replace(/[\t\n\v\f\r ]+$/, '')
    const word = value.split(' ')[0] ?? ''
    entries.push({name, value, word, file, line: index + 1, column: start + 1, valueColumn: i + 1})
  }

  return {entries}
}

/** Prints entries back as `name value` lines; parse(print(parse(x))) equals parse(x) in names and values. */
export function printConf(entries: readonly Pick<ConfEntry, 'name' | 'value'>[]): string {
  return (
    entries.map((e) => (e.value === '' ? e.name : `${e.name} ${e.value}`)).join('\n') + (entries.length ? '\n' : '')
  )
}
