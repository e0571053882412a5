import {examplesSection} from './examples.js'
import {compareIds, createContext, fail, header, readManual, renderTemplate} from './metadata.js'
import {optionsSection} from './options.js'
import {bold, code, dedupeByFirst, filesList, italic, prose, seeAlsoLine, tagged, textBlocks, textLine} from './roff.js'
import {builtSynopsis, usageSynopsis} from './synopsis.js'
import {
  COMMON_ENVIRONMENT,
  EXIT_STATUS,
  MAX_SIBLINGS,
  MENTIONED_PAGES,
  OVERVIEW_ENVIRONMENT,
  OVERVIEW_FILES,
  OVERVIEW_SEE_ALSO,
} from './texts.js'
import {JSON_OUTPUT_TEXT} from '../../src/base/manual.js'
import type {Context, Manifest, ManifestCommand, Manual, PackageJson, Pair} from './types.js'

// Pages

export function summaryAndDescription(cmd: ManifestCommand) {
  let summary = cmd.summary
  let description = cmd.description ?? ''
  if (!summary) {
    const [first, ...rest] = description.split('\n')
    summary = first
    description = rest.join('\n')
  }

  return {summary: (summary ?? '').replaceAll(/\s+/g, ' ').trim(), description}
}

export function nameLine(name: string, summary: string) {
  return textLine(`${code(name)} \\- ${prose(summary.replace(/\.$/, ''))}`)
}

export function commandPage(cmd: ManifestCommand, ctx: Context, all: ManifestCommand[]) {
  const manual = readManual(cmd)
  const flags = Object.values(cmd.flags ?? {}).filter((f) => !f.hidden)
  const args = Object.values(cmd.args ?? {}).filter((a) => !a.hidden)
  const {summary, description} = summaryAndDescription(cmd)
  const page = ctx.pageName(cmd.id)
  const out = [...header(ctx, page)]

  out.push('.SH NAME', nameLine(page, summary))

  out.push('.SH SYNOPSIS')
  out.push(...(cmd.usage && cmd.usage.length > 0 ? usageSynopsis(cmd, ctx) : builtSynopsis(cmd, ctx, flags, args)))

  out.push('.SH DESCRIPTION')
  out.push(...textBlocks(renderTemplate(summary, ctx, cmd.id)))
  out.push(...textBlocks(renderTemplate(description, ctx, cmd.id)))
  const aliases = (cmd.aliases ?? []).filter((a) => !(cmd.hiddenAliases ?? []).includes(a))
  if (aliases.length > 0) {
    out.push('.PP', textLine(`Also available as ${aliases.map((a) => bold(code(ctx.commandWords(a)))).join(', ')}.`))
  }

  if (cmd.state) out.push('.PP', textLine(prose(`This command is ${cmd.state}.`)))

  out.push(...optionsSection(cmd, ctx, flags, args))

  out.push('.SH "EXIT STATUS"')
  if (manual.exitStatus) out.push(...tagged(manual.exitStatus))
  else {
    out.push(
      '.PP',
      textLine(
        prose(
          `The statuses shared by all ${ctx.bin} commands; DESCRIPTION says where this command gives a status its own meaning.`,
        ),
      ),
    )
    out.push(...tagged(EXIT_STATUS))
  }

  const environment = dedupeByFirst([
    ...(manual.environment ?? []),
    ...flags.filter((f) => f.env).map((f): Pair => [f.env!, `Value of --${f.name} when the option is not given.`]),
    ...COMMON_ENVIRONMENT,
  ])
  if (manual.files?.length) out.push('.SH FILES', ...filesList(manual.files))

  out.push('.SH ENVIRONMENT', ...tagged(environment))

  out.push(...examplesSection(cmd, ctx))

  out.push('.SH "SEE ALSO"', seeAlsoLine(seeAlso(cmd, ctx, all, manual)))
  return out
}

export function seeAlso(cmd: ManifestCommand, ctx: Context, all: ManifestCommand[], manual: Manual) {
  const ids = all.map((c) => c.id)
  const parts = cmd.id.split(':')
  const parent = parts.slice(0, -1).join(':')
  const isParent = (p: string, c: string) => c.startsWith(`${p}:`) && c.split(':').length === p.split(':').length + 1
  const related = []
  if (parent && ids.includes(parent)) related.push(parent)
  related.push(...ids.filter((id) => isParent(cmd.id, id)))
  const siblings = ids.filter((id) => id !== cmd.id && (parent ? isParent(parent, id) : false))
  if (siblings.length <= MAX_SIBLINGS) related.push(...siblings)
  const refs = [`${ctx.bin}(1)`, ...[...new Set(related)].sort(compareIds).map((id) => `${ctx.pageName(id)}(1)`)]
  refs.push(...(manual.seeAlso ?? []))
  const texts = [cmd.summary, cmd.description, ...Object.values(cmd.flags ?? {}).map((f) => f.description)].join('\n')
  for (const [re, ref] of MENTIONED_PAGES) if (re.test(texts)) refs.push(ref)
  refs.push('mosquitto(8)')
  return refs
}

export function overviewPage(commands: ManifestCommand[], ctx: Context) {
  const name = ctx.pageName('')
  const out = [...header(ctx, name)]
  out.push('.SH NAME', nameLine(name, ctx.description || `${ctx.bin} command-line tool`))

  out.push('.SH SYNOPSIS')
  out.push(
    `.SY ${code(ctx.bin)}`,
    textLine(`${italic('command')} [${italic('argument')}\\&.\\|.\\|.] [${italic('option')}\\&.\\|.\\|.]`),
    '.YS',
  )
  out.push(`.SY ${code(ctx.bin)}`, textLine(`${italic('command')} ${bold(code('--help'))}`), '.YS')
  if (ctx.hasHelpPlugin) out.push(`.SY ${code(ctx.bin)}`, textLine(`${bold('help')} [${italic('command')}]`), '.YS')
  out.push(`.SY ${code(ctx.bin)}`, textLine(bold(code('--version'))), '.YS')

  out.push('.SH DESCRIPTION')
  if (ctx.description) out.push('.PP', textLine(prose(`${ctx.description.replace(/\.$/, '')}.`)))
  const sep = ctx.separator === ' ' ? 'a space' : `"${ctx.separator}"`
  const words = (...w: string[]) => w.join(ctx.separator)
  out.push(
    '.PP',
    textLine(
      `${prose(`A command is named by its topic and its own name, separated by ${sep}; the page of`)} ${bold(code(`${ctx.bin} `))}${italic(code(words('topic', 'command')))} ${prose('is')} ${bold(code(`${ctx.bin}-`))}${italic('topic')}${bold(code('-'))}${italic('command')}(1). ${prose('Every command prints its usage with --help; its page, listed under SEE ALSO, describes every option.')}`,
    ),
  )

  // One subsection per topic (first word of the id), in id order.
  const groups = new Map()
  for (const cmd of commands) {
    const topic = cmd.id.split(':')[0]
    if (!groups.has(topic)) groups.set(topic, [])
    groups.get(topic).push(cmd)
  }

  out.push('.SS Commands')
  for (const [topic, cmds] of groups) {
    const topicDescription = ctx.topics[topic]?.description
    if (topicDescription || cmds.length > 1) {
      out.push(
        '.PP',
        textLine(
          `${bold(code(`${ctx.bin} ${topic}`))}: ${prose(renderTemplate(topicDescription ?? '', ctx))}`.replace(
            /: $/,
            '',
          ),
        ),
      )
    }

    for (const cmd of cmds) {
      out.push('.TP', textLine(bold(code(ctx.commandWords(cmd.id)))))
      out.push(textLine(prose(renderTemplate(summaryAndDescription(cmd).summary, ctx, cmd.id))))
    }
  }

  out.push('.SS "JSON output"', ...textBlocks(JSON_OUTPUT_TEXT))

  out.push('.SH "EXIT STATUS"')
  out.push(
    '.PP',
    textLine(
      prose(
        `Every ${ctx.bin} command exits with one of these statuses; a command's page says where it gives a status its own meaning.`,
      ),
    ),
  )
  out.push(...tagged(EXIT_STATUS))

  const manuals = commands.map(readManual)
  const environment = dedupeByFirst([
    ...COMMON_ENVIRONMENT,
    ...OVERVIEW_ENVIRONMENT,
    ...manuals.flatMap((m) => m.environment ?? []),
    ...commands.flatMap((c) =>
      Object.values(c.flags ?? {})
        .filter((f) => f.env && !f.hidden)
        .map((f): Pair => [f.env!, `Value of --${f.name} when the option is not given.`]),
    ),
  ]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  out.push('.SH ENVIRONMENT', ...tagged(environment))

  const files = dedupeByFirst([...OVERVIEW_FILES, ...manuals.flatMap((m) => m.files ?? [])])
  out.push('.SH FILES', ...filesList(files))

  out.push('.SH "SEE ALSO"', seeAlsoLine([...commands.map((c) => `${ctx.pageName(c.id)}(1)`), ...OVERVIEW_SEE_ALSO]))
  return out
}

/** Every page, as file name → content. */
export function generate(manifest: Manifest, pkg: PackageJson) {
  const ctx = createContext(pkg)
  const commands = Object.values(manifest.commands ?? {})
    .filter((c) => !c.hidden)
    .sort((a, b) => compareIds(a.id, b.id))
  const pages = new Map()
  const add = (name: string, lines: string[], id: string) => {
    const file = `${name}.1`
    if (pages.has(file)) fail(`two commands would share the page ${file} (the second is "${id}")`)
    pages.set(file, lines.join('\n') + '\n')
  }

  add(ctx.pageName(''), overviewPage(commands, ctx), '')
  for (const cmd of commands) add(ctx.pageName(cmd.id), commandPage(cmd, ctx, commands), cmd.id)
  return {pages, ctx}
}
