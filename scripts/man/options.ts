import {renderTemplate} from './metadata.js'
import {bold, code, italic, macroArg, prose, textBlocks, textLine} from './roff.js'
import {capitalise, flagGroups, groupLabel, valuePlaceholder} from './synopsis.js'
import type {Context, ManifestArg, ManifestCommand, ManifestFlag, ManifestItem} from './types.js'

// OPTIONS

export function flagTag(flag: ManifestFlag) {
  const names = [
    ...(flag.char ? [`-${flag.char}`] : []),
    ...(flag.charAliases ?? []).map((c) => `-${c}`),
    `--${flag.allowNo ? '[no-]' : ''}${flag.name}`,
    ...(flag.aliases ?? []).map((a) => `--${a}`),
  ]
  let tag = names.map((n) => bold(code(n))).join(', ')
  if (flag.type === 'option') tag += ` ${italic(code(valuePlaceholder(flag)))}`
  return tag
}

export function formatValue(v: unknown) {
  return bold(code(typeof v === 'string' ? v : JSON.stringify(v)))
}

/** "Allowed values", "Default", "Required" and the like, as one sentence each. */
export function facts(item: ManifestItem, {isFlag}: {isFlag: boolean}) {
  const out: string[] = []
  const describes = `${item.summary ?? ''} ${item.description ?? ''}`
  if (item.options?.length) out.push(`Allowed values: ${item.options.map(formatValue).join(', ')}.`)
  const def = item.default
  const hasDefault =
    def !== undefined && def !== null && def !== false && !(Array.isArray(def) && def.length === 0) && def !== ''
  if (hasDefault) out.push(`Default: ${Array.isArray(def) ? def.map(formatValue).join(', ') : formatValue(def)}.`)
  if (isFlag) {
    if (item.required) out.push('Required.')
    if (item.multiple && !/repeat/i.test(describes)) out.push('May be given more than once.')
    if (item.env) out.push(`Also read from the environment variable ${bold(code(item.env))}.`)
    const list = (names: string[]) => names.map((n) => bold(code(`--${n}`))).join(', ')
    if (item.exclusive?.length) out.push(`Cannot be combined with ${list(item.exclusive)}.`)
    if (item.dependsOn?.length) out.push(`Requires ${list(item.dependsOn)}.`)
    if (item.deprecated) {
      const message = typeof item.deprecated === 'object' && item.deprecated.message
      out.push(`${prose('Deprecated.')}${message ? ` ${prose(message)}` : ''}`)
    }
  }

  return out
}

export function itemEntry(tagLine: string, item: ManifestItem, isFlag: boolean, ctx: Context, id: string) {
  const out = ['.TP', textLine(tagLine)]
  const text = [item.summary, item.description]
    .filter(Boolean)
    .map((t) => renderTemplate(t, ctx, id))
    .join('\n\n')
  out.push(...textBlocks(text, {para: '.IP', first: false}))
  const extra = facts(item, {isFlag}).join(' ')
  if (extra && out.length > 2 && !out.at(-1)!.startsWith('.')) out[out.length - 1] += ` ${extra}`
  else if (extra) out.push(textLine(extra))
  return out
}

export function optionsSection(cmd: ManifestCommand, ctx: Context, flags: ManifestFlag[], args: ManifestArg[]) {
  if (flags.length === 0 && args.length === 0) return []
  const out = ['.SH OPTIONS']
  for (const group of flagGroups(flags)) {
    if (group.name) out.push(`.SS ${macroArg(prose(capitalise(groupLabel(group.name))))}`)
    for (const flag of group.flags) out.push(...itemEntry(flagTag(flag), flag, true, ctx, cmd.id))
  }

  if (args.length > 0) {
    out.push('.SS Arguments')
    for (const arg of args) out.push(...itemEntry(italic(code(arg.name.toUpperCase())), arg, false, ctx, cmd.id))
  }

  return out
}
