import {renderTemplate} from './metadata.js'
import {bold, code, italic, macroArg, prose, textLine} from './roff.js'
import type {ManifestFlag, ManifestArg, ManifestCommand, Context} from './types.js'

// Synopsis

/** Formats a usage string: options bold, CAPITAL placeholders italic, brackets kept together. */
export function formatUsage(rest: string) {
  let depth = 0
  let out = ''
  for (const m of rest.matchAll(/(\s+)|([[\]{}()|])|(\.\.\.)|([^\s[\]{}()|]+)/g)) {
    const [, space, punct, dots, word] = m
    if (space) out += depth > 0 ? '\\ ' : ' '
    else if (punct) {
      if ('[{('.includes(punct)) depth++
      if (')}]'.includes(punct)) depth = Math.max(0, depth - 1)
      out += punct === '|' ? '|' : punct
    } else if (dots) out += '\\&.\\|.\\|.'
    else if (/^--?[A-Za-z0-9?]/.test(word)) {
      const eq = word.indexOf('=')
      out += eq > 0 ? bold(code(word.slice(0, eq))) + '=' + formatPlaceholder(word.slice(eq + 1)) : bold(code(word))
    } else out += formatPlaceholder(word)
  }

  return out.trim()
}

export function formatPlaceholder(word: string) {
  if (/^<[^<>]+>$/.test(word) || /^[A-Z][A-Z0-9_-]*(\.\.\.)?$/.test(word)) return italic(code(word))
  return code(word)
}

export function valuePlaceholder(flag: ManifestFlag) {
  if (flag.helpValue) return String(flag.helpValue)
  return flag.name.toUpperCase().replaceAll('-', '_')
}

/** "PERSISTENCE AND LOGGING" → "persistence and logging options", "TLS" → "TLS options". */
export function groupLabel(name: string) {
  const words = String(name).split(/\s+/).filter(Boolean)
  const stop = new Set(['AND', 'OR', 'OF', 'THE', 'FOR', 'TO', 'IN', 'ON', 'WITH'])
  const kept = words.map((w) =>
    w === w.toUpperCase() && /[A-Z]/.test(w) && w.length <= 4 && !stop.has(w) ? w : w.toLowerCase(),
  )
  return [...kept, 'options'].join(' ')
}

export const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)

export function isGlobalGroup(flag: {helpGroup?: string}) {
  return String(flag.helpGroup ?? '').toUpperCase() === 'GLOBAL'
}

/** oclif's usage lines are relative to the command: "passwd [-c] FILE" or "[-c] FILE". */
export function usageSynopsis(cmd: ManifestCommand, ctx: Context) {
  const lines = Array.isArray(cmd.usage) ? cmd.usage : [cmd.usage]
  const ids = [cmd.id, ctx.displayId(cmd.id)]
  const out = []
  for (const line of lines) {
    let rest = renderTemplate(line, ctx, cmd.id).trim()
    if (rest.startsWith(`${ctx.bin} `)) rest = rest.slice(ctx.bin.length + 1).trim()
    for (const id of ids) {
      if (rest === id || rest.startsWith(`${id} `)) {
        rest = rest.slice(id.length).trim()
        break
      }
    }

    out.push(`.SY ${macroArg(code(ctx.commandWords(cmd.id)))}`)
    if (rest) out.push(textLine(formatUsage(rest)))
    out.push('.YS')
  }

  return out
}

export function builtSynopsis(cmd: ManifestCommand, ctx: Context, flags: ManifestFlag[], args: ManifestArg[]) {
  const parts = []
  for (const arg of args) {
    const name = italic(code(arg.name.toUpperCase()))
    const one = arg.multiple ? `${name}\\&.\\|.\\|.` : name
    parts.push(arg.required ? one : `[${one}]`)
  }

  const flagPart = (flag: ManifestFlag) => {
    const name = flag.char ? `-${flag.char}` : `--${flag.allowNo ? '[no-]' : ''}${flag.name}`
    let s = bold(code(name))
    if (flag.type === 'option') {
      // A long list of values may break after a bar (\\: is a break point that prints nothing).
      const bar = (flag.options?.join('|').length ?? 0) > 40 ? '|\\:' : '|'
      const value = flag.options ? flag.options.map((o: string) => code(o)).join(bar) : italic(code(valuePlaceholder(flag)))
      s += `\\ ${value}`
      if (flag.multiple) s += '\\&.\\|.\\|.'
    }

    return flag.required ? s : `[${s}]`
  }

  const own = flags.filter((f) => !f.helpGroup)
  parts.push(...own.filter((f) => f.required).map(flagPart), ...own.filter((f) => !f.required).map(flagPart))
  for (const group of flagGroups(flags).filter((g) => g.name)) {
    if (group.global) parts.push(...group.flags.map(flagPart))
    else parts.push(`[${italic(prose(groupLabel(group.name)).replaceAll(' ', '\\ '))}]`)
  }

  return [
    `.SY ${macroArg(code(ctx.commandWords(cmd.id)))}`,
    ...(parts.length > 0 ? [textLine(parts.join(' '))] : []),
    '.YS',
  ]
}

/** Flags without a help group first, then each group in order of appearance, GLOBAL last. */
export function flagGroups(flags: ManifestFlag[]) {
  const groups = new Map<string, ManifestFlag[]>([['', []]])
  for (const flag of flags) {
    const name = flag.helpGroup ?? ''
    if (!groups.has(name)) groups.set(name, [])
    groups.get(name)!.push(flag)
  }

  const list = [...groups].map(([name, fl]) => ({
    name,
    flags: fl,
    global: name !== '' && isGlobalGroup({helpGroup: name}),
  }))
  return [...list.filter((g) => !g.global), ...list.filter((g) => g.global)].filter((g) => g.flags.length > 0)
}
