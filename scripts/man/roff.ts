import {EXAMPLE_WIDTH} from './texts.js'

// roff escaping

/** Escapes what roff would interpret; non-ASCII becomes \[uXXXX]. Hyphens are left alone. */
export function escapeBase(s: unknown) {
  let out = ''
  for (const ch of String(s)) {
    const cp = ch.codePointAt(0)!
    if (ch === '\\') out += '\\e'
    else if (ch === '~') out += '\\(ti'
    else if (ch === '^') out += '\\(ha'
    else if (ch === '`') out += '\\(ga'
    else if (ch === '\t') out += ' '
    else if (cp < 0x20 || cp === 0x7f) continue
    else if (cp > 0x7f) out += `\\[u${cp.toString(16).toUpperCase().padStart(4, '0')}]`
    else out += ch
  }

  return out
}

/** Literal text (option names, values, commands, paths): every hyphen is a minus, quotes are ASCII. */
export function code(s: unknown) {
  return escapeBase(s).replaceAll('-', '\\-').replaceAll("'", '\\(aq')
}

/**
 * Prose: words that look like options, paths or identifiers ("-b", "--password-stdin",
 * "acl/tab", "mosquitto_dynamic_security.so", "tls-use-os-certs", "sha512-pbkdf2") get ASCII
 * minus signs, where no line break can happen; hyphens in ordinary words ("plain-text") stay
 * hyphens.
 */
export function prose(s: unknown) {
  return String(s)
    .split(/(\s+)/)
    .map((word) => {
      if (/^\s+$/.test(word)) return ' '
      const escaped = escapeBase(word)
      const codeLike =
        /^[("'[{]*-/.test(word) ||
        /[/_=$@.]/.test(word) ||
        (word.includes('-') && (/-.*-/.test(word) || /\d/.test(word)))
      return codeLike ? escaped.replaceAll('-', '\\-') : escaped
    })
    .join('')
}

/** A macro argument. */
export function macroArg(escaped: string) {
  const s = escaped.replaceAll('"', '\\(dq')
  return s === '' || /\s/.test(s) ? `"${s}"` : s
}

export const bold = (escaped: string) => `\\fB${escaped}\\fR`
export const italic = (escaped: string) => `\\fI${escaped}\\fR`

/** Makes an escaped string safe as a text line: no leading control character or space. */
export function textLine(escaped: string) {
  return /^[.' ]/.test(escaped) ? `\\&${escaped}` : escaped
}

/**
 * Renders plain text as roff: blank lines separate paragraphs; within a paragraph, lines that
 * start with white space are a preformatted block and lines starting with "- " or "* " are
 * bullets. `para` is the macro that starts a paragraph: ".PP" at the top level, ".IP" inside
 * a tagged paragraph (so the text keeps its indentation).
 */
export function textBlocks(text: unknown, {para = '.PP', first = true} = {}) {
  const out = []
  const paragraphs = String(text ?? '')
    .replaceAll('\r\n', '\n')
    .split(/\n[ \t]*\n/)
    .filter((p) => p.trim() !== '')
  let needPara = true
  for (const paragraph of paragraphs) {
    needPara = true
    const lines = paragraph.split('\n').filter((l) => l.trim() !== '')
    let i = 0
    while (i < lines.length) {
      if (/^[ \t]/.test(lines[i])) {
        const block = []
        while (i < lines.length && /^[ \t]/.test(lines[i])) block.push(expandTabs(lines[i++]))
        const indent = Math.min(...block.map((l) => l.length - l.trimStart().length))
        const rows = block.map((l) => l.slice(indent).trimEnd())
        const definitions = rows.map((r) => /^(\S+(?: \S+)*?) {2,}(\S.*)$/.exec(r))
        if (para === '.PP' && definitions.every(Boolean) && rows.some((r) => r.length > EXAMPLE_WIDTH)) {
          // "term   text" rows too wide for a preformatted block: a tagged list.
          out.push('.RS 4')
          for (const [, term, text] of definitions as RegExpExecArray[]) out.push('.TP', textLine(bold(code(term))), textLine(prose(text)))
          out.push('.RE')
        } else {
          out.push(para === '.PP' ? '.RS 4' : '.IP', '.nf', ...rows.map((r) => textLine(code(r))), '.fi')
          if (para === '.PP') out.push('.RE')
        }

        needPara = true
      } else if (/^[-*]\s+/.test(lines[i])) {
        while (i < lines.length && /^[-*]\s+/.test(lines[i])) {
          out.push('.IP \\(bu 2', textLine(prose(lines[i++].replace(/^[-*]\s+/, '').trim())))
        }

        needPara = true
      } else {
        if (needPara) out.push(para)
        needPara = false
        out.push(textLine(prose(lines[i++].trim())))
      }
    }
  }

  if (!first && out[0] === para) out.shift()
  return out
}

export function expandTabs(line: string) {
  let out = ''
  for (const ch of line) out += ch === '\t' ? ' '.repeat(8 - (out.length % 8)) : ch
  return out
}

/** A ".TP" list of [tag, text] pairs; `tagStyle` formats the (escaped) tag. */
export function tagged(entries: ReadonlyArray<readonly [string, string]>, tagStyle: (escaped: string) => string = bold) {
  const out = []
  for (const [tag, text] of entries) {
    out.push('.TP', textLine(tagStyle(code(tag))))
    out.push(...textBlocks(text, {para: '.IP', first: false}))
  }

  return out
}

/** Paths listed under FILES: "a, b" lists alternatives. */
export function filesList(entries: ReadonlyArray<readonly [string, string]>) {
  return tagged(entries, (escaped) =>
    escaped
      .split(', ')
      .map((p) => italic(p))
      .join(', '),
  )
}

export function dedupeByFirst(entries: ReadonlyArray<readonly [string, string]>) {
  const seen = new Set()
  return entries.filter(([name]) => (seen.has(name) ? false : seen.add(name)))
}

export function seeAlsoLine(refs: string[]) {
  const rendered = [...new Set(refs)].map((ref) => {
    const m = /^([^\s()]+)\((\w+)\)$/.exec(ref)
    return m ? `${bold(code(m[1]))}(${code(m[2])})` : prose(ref)
  })
  return textLine(rendered.join(', '))
}
