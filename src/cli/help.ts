import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

/**
 * `mqctl --help` and `mqctl <topic> --help` (topics that are not also a command) straight from
 * oclif.manifest.json, in oclif's own layout, without loading oclif (which costs most of what
 * these take). test/cli/help.test.ts compares the two outputs byte for byte at several widths;
 * whatever this does not handle (a command's help, a missing manifest, templates other than
 * config.bin) returns undefined and oclif answers.
 */

interface ManifestCommand {
  id: string
  summary?: string
  description?: string
  hidden?: boolean
  aliases?: string[]
}

interface Pjson {
  name: string
  version: string
  description?: string
  oclif: {bin: string; plugins?: string[]; topics?: Record<string, {description?: string; hidden?: boolean}>}
}

function readCommands(root: string, pjson: Pjson): ManifestCommand[] | undefined {
  const read = (file: string) =>
    Object.values((JSON.parse(readFileSync(file, 'utf8')) as {commands: Record<string, ManifestCommand>}).commands)
  const commands = read(join(root, 'oclif.manifest.json'))
  const require = createRequire(join(root, 'package.json'))
  for (const plugin of pjson.oclif.plugins ?? []) {
    // A plugin's manifest sits in its package root, above its main file.
    let dir = dirname(require.resolve(plugin))
    while (dir !== dirname(dir) && !safeExists(join(dir, 'oclif.manifest.json'))) dir = dirname(dir)
    commands.push(...read(join(dir, 'oclif.manifest.json')))
  }

  return commands
}

function safeExists(file: string): boolean {
  try {
    readFileSync(file)
    return true
  } catch {
    return false
  }
}

/** wrap-ansi's greedy word wrap with hard breaks, as oclif's help uses it (no colours here). */
export function wrap(text: string, width: number): string[] {
  const out: string[] = []
  for (const paragraph of text.split('\n')) {
    let line = ''
    for (let word of paragraph.split(' ')) {
      while (word.length > width) {
        const room = line === '' ? width : width - line.length - 1
        if (room <= 0) {
          out.push(line)
          line = ''
          continue
        }

        line = line === '' ? word.slice(0, room) : `${line} ${word.slice(0, room)}`
        word = word.slice(room)
        out.push(line)
        line = ''
      }

      if (line === '') line = word
      else if (line.length + 1 + word.length <= width) line += ` ${word}`
      else {
        out.push(line)
        line = word
      }
    }

    out.push(line.trimEnd())
  }

  return out
}

/** oclif's two-column list (HelpFormatter.renderList with indentation 2), inside a section. */
function section(header: string, rows: Array<[string, string | undefined]>, width: number): string[] {
  const left = Math.max(...rows.map(([l]) => l.length))
  const wrapped = rows.map(
    ([name, text]) => [name, text ? wrap(text.trim(), width - (2 + left + 2)).map((s) => s.trim()) : []] as const,
  )
  // oclif switches to one entry per block when a description would take more than five lines.
  if (wrapped.some(([, lines]) => lines.length > 5)) {
    const blocks = rows.map(([name, text]) => [
      `  ${name}`,
      ...(text ? wrap(text.trim(), width - 4).map((s) => (s.trim() ? `      ${s.trim()}` : '')) : []),
    ])
    return [header, ...blocks.flatMap((b, i) => (i === 0 ? b : ['', ...b]))]
  }

  const lines: string[] = [header]
  for (const [name, text] of wrapped) {
    if (text.length === 0) {
      lines.push(`  ${name}`)
      continue
    }

    const [first, ...rest] = text
    lines.push(`  ${name}${' '.repeat(left - name.length + 2)}${first}`)
    for (const more of rest) lines.push(`  ${' '.repeat(left + 2)}${more}`.trimEnd())
  }

  return lines
}

function termWidth(): number {
  const fixed = Number.parseInt(process.env.OCLIF_COLUMNS ?? '', 10)
  if (fixed) return fixed
  const out = process.stdout
  if (!out.isTTY) return 80
  const width = out.getWindowSize()[0]
  return width < 1 ? 80 : Math.max(width, 40)
}

/** The help text, or undefined when oclif must answer. */
export function fastHelp(args: readonly string[], binUrl: string): string | undefined {
  const subject =
    args.length === 1 && (args[0] === '--help' || args[0] === 'help')
      ? ''
      : args.length === 2 && args[1] === '--help'
        ? args[0]
        : args.length === 2 && args[0] === 'help'
          ? args[1]
          : undefined
  if (subject === undefined || subject.startsWith('-')) return undefined
  try {
    const root = join(dirname(fileURLToPath(binUrl)), '..')
    const pjson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Pjson
    const commands = readCommands(root, pjson)
    if (!commands) return undefined
    const bin = pjson.oclif.bin
    const render = (text: string) => text.replaceAll('<%= config.bin %>', bin)
    if (commands.some((c) => /<%/.test(render(c.summary ?? c.description ?? '')))) return undefined
    const visible = [...new Map(commands.filter((c) => !c.hidden).map((c) => [c.id, c])).values()].sort((a, b) =>
      a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
    )
    if (visible.some((c) => c.id === subject)) return undefined // a command's own help: oclif's
    const summary = (c: ManifestCommand) =>
      c.summary ? render(c.summary.split('\n')[0]) : c.description && render(c.description).split('\n')[0]
    const topics = pjson.oclif.topics ?? {}
    const width = termWidth()
    const commandRows = (list: ManifestCommand[]) =>
      list.map((c) => [c.id.replaceAll(':', ' '), summary(c)] as [string, string | undefined])

    if (subject === '') {
      const topicNames = [...new Set([...Object.keys(topics), ...visible.flatMap((c) => c.id.split(':').slice(0, -1))])]
        .filter((t) => !t.includes(':') && !topics[t]?.hidden && visible.some((c) => c.id.startsWith(`${t}:`)))
        .sort()
      const description = render(pjson.description ?? '').split('\n')[0]
      const lines = [
        ...(description ? [description, ''] : []),
        'VERSION',
        `  ${bin}/${pjson.version} ${process.platform}-${process.arch} node-${process.version}`,
        '',
        'USAGE',
        `  $ ${bin} [COMMAND]`,
        '',
      ]
      if (topicNames.length > 0) {
        lines.push(
          ...section(
            'TOPICS',
            topicNames.map((t) => [t, topics[t]?.description?.split('\n')[0]]),
            width,
          ),
          '',
        )
      }

      const rootCommands = visible.filter((c) => !c.id.includes(':') && c.id)
      if (rootCommands.length > 0) lines.push(...section('COMMANDS', commandRows(rootCommands), width), '')
      return lines.join('\n') + '\n'
    }

    const topic = subject.replaceAll(' ', ':')
    const children = visible.filter((c) => c.id.startsWith(`${topic}:`) && !c.id.slice(topic.length + 1).includes(':'))
    const hasSubtopics = visible.some((c) => c.id.startsWith(`${topic}:`) && c.id.slice(topic.length + 1).includes(':'))
    const info = topics[topic]
    if (!info || children.length === 0 || hasSubtopics || (info.description ?? '').includes('\n')) return undefined
    return (
      [
        render(info.description ?? ''),
        '',
        'USAGE',
        `  $ ${bin} ${topic.replaceAll(':', ' ')} COMMAND`,
        '',
        ...section('COMMANDS', commandRows(children), width),
        '',
      ].join('\n') + '\n'
    )
  } catch {
    return undefined
  }
}
