import {renderTemplate} from './metadata.js'
import {code, textBlocks, textLine} from './roff.js'
import {EXAMPLE_WIDTH} from './texts.js'
import type {ManifestCommand, Context} from './types.js'

// EXAMPLES

/** Splits a shell command line into words, keeping quoted strings whole. */
export function shellWords(line: string) {
  const words = []
  let word = ''
  let quote = ''
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]
    if (quote) {
      word += ch
      if (ch === '\\' && quote === '"' && i + 1 < line.length) word += line[++i]
      else if (ch === quote) quote = ''
    } else if (ch === ' ' || ch === '\t') {
      if (word) words.push(word)
      word = ''
    } else {
      word += ch
      if (ch === '\\' && i + 1 < line.length) word += line[++i]
      else if (ch === '"' || ch === "'") quote = ch
    }
  }

  if (word) words.push(word)
  return quote ? undefined : words
}

/**
 * Breaks a long example command into shell-valid lines: after a pipeline operator (which needs
 * no continuation), else at a word boundary with a trailing backslash. A pipeline stage goes
 * on the line of the previous one when both fit; a stage that needs a backslash starts a line
 * of its own, and so does the stage after it. Stages after the first are indented by two
 * spaces, backslash continuations by four more.
 */
export function wrapCommand(line: string, width = EXAMPLE_WIDTH) {
  if (line.length <= width) return [line]
  const words = shellWords(line)
  if (!words) return [line]
  const segments: string[][] = [[]]
  for (const w of words) {
    segments.at(-1)!.push(w)
    if (['|', '||', '&&', ';'].includes(w) || (w.endsWith(';') && !w.endsWith('\\;'))) segments.push([])
  }

  if (segments.at(-1)!.length === 0) segments.pop()
  const lines: string[] = []
  let current = ''
  let open = true // whether the next stage may join the current line
  for (const segment of segments) {
    const text = segment.join(' ')
    if (current && open && current.length + 1 + text.length <= width) {
      current += ` ${text}`
      continue
    }

    if (current) lines.push(current)
    const indent = lines.length === 0 ? '' : '  '
    // An option and the word after it ("--out DIR") are kept on one line.
    const units: string[][] = []
    for (const w of segment) {
      const last = units.at(-1)
      if (
        last &&
        /^-/.test(last[0]) &&
        last.length === 1 &&
        !/^-/.test(w) &&
        !['|', '||', '&&', ';', '>', '<', '>>'].includes(w)
      )
        last.push(w)
      else units.push([w])
    }

    current = indent + units[0].join(' ')
    open = true
    for (const w of units.slice(1).map((u) => u.join(' '))) {
      if (current.length + 1 + w.length + 2 <= width) current += ` ${w}`
      else {
        lines.push(`${current} \\`)
        current = `${indent}    ${w}`
        open = false
      }
    }
  }

  if (current) lines.push(current)
  return lines
}

export function examplesSection(cmd: ManifestCommand, ctx: Context) {
  const examples = cmd.examples === undefined ? [] : Array.isArray(cmd.examples) ? cmd.examples : [cmd.examples]
  if (examples.length === 0) return []
  const isCommand = (l: string) => l.startsWith(`${ctx.bin} `) || l === ctx.bin || l.startsWith(`$ ${ctx.bin}`)
  const out = ['.SH EXAMPLES']
  for (const example of examples) {
    let description
    let commands
    if (typeof example === 'string') {
      const lines = renderTemplate(example, ctx, cmd.id)
        .split('\n')
        .filter((l) => l.trim() !== '')
      if (lines.length >= 2 && !isCommand(lines[0]) && lines.slice(1).every(isCommand)) {
        description = lines[0]
        commands = lines.slice(1)
      } else commands = lines
    } else {
      description = example.description && renderTemplate(example.description, ctx, cmd.id)
      commands = renderTemplate(example.command, ctx, cmd.id)
        .split('\n')
        .filter((l) => l.trim() !== '')
    }

    out.push('.PP')
    if (description) {
      const d = description.trim()
      out.push(...textBlocks(/[.:!?]$/.test(d) ? d : `${d}:`, {first: false}))
    }

    out.push('.RS 4', '.nf')
    for (const c of commands) {
      for (const l of wrapCommand(c.trim().replace(/^\$ /, ''))) out.push(textLine(code(l)))
    }

    out.push('.fi', '.RE')
  }

  return out
}
