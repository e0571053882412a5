#!/usr/bin/env node
/*
 * Generates the roff man pages in man/man1/ from oclif.manifest.json and package.json.
 *
 *   npm run build && npm run man        regenerate man/man1/ (pages of removed commands are deleted)
 *   node scripts/man.js --check         exit 1 and name the stale pages, 0 when they are current
 *   node scripts/man.js --out DIR       write into DIR instead of man/man1/ (with --check: compare DIR)
 *   node scripts/man.js --manifest F    read the manifest F instead of oclif.manifest.json
 *
 * Pages: mqctl.1 (overview: every command with its summary, exit statuses, environment, files)
 * and one page per visible command, mqctl-<id, every ':' replaced by '-'>.1 (mqctl-passwd-verify.1),
 * with NAME, SYNOPSIS, DESCRIPTION, OPTIONS, EXIT STATUS, FILES, ENVIRONMENT, EXAMPLES, SEE ALSO.
 * Everything on a command page comes from the command class through the manifest: summary,
 * description, usage (else a synopsis built from args and flags), flags (grouped by helpGroup)
 * and args, examples (`<%= config.bin %>` becomes mqctl; long commands are broken in shell
 * syntax). In descriptions, blank lines separate paragraphs, lines starting with "- " are
 * bullets, and indented lines are a preformatted block (a tagged list when its rows are
 * "term  text" and too wide for 80 columns).
 *
 * Per-command manual metadata
 * ---------------------------
 * oclif copies every static property of a command class it does not know into the manifest
 * (see @oclif/core lib/util/cache-command.js, "additionalProperties"), including properties
 * inherited from a base class. A command, or a base class for a whole family, may therefore
 * declare
 *
 *   static manual = {
 *     exitStatus?: Array<[string, string]>,   // [status, meaning]: replaces the shared table
 *     files?: Array<[string, string]>,        // [path, what it is]
 *     environment?: Array<[string, string]>,  // [VARIABLE, meaning]: added to NO_COLOR, MQCTL_DEBUG
 *     seeAlso?: string[],                     // ['mosquitto_passwd(1)', ...]: added to the automatic ones
 *   }
 *
 * It must be plain JSON (it is serialised into the manifest). A subclass's `manual` replaces
 * its base class's as a whole: spread the base's to extend it
 * (`static manual = {...DynsecCommand.manual, seeAlso: [...]}`). Texts are plain text (no roff);
 * blank lines separate paragraphs. Without `exitStatus` a page shows the shared table of
 * DESIGN.md section 4; SEE ALSO always names mqctl(1), the related mqctl pages (the parent
 * command, sub-commands, and siblings when the topic is small), the mosquitto tools the
 * description mentions, and mosquitto(8). Flags declaring `env` are listed under ENVIRONMENT.
 *
 * Output is deterministic: no date (the footer carries the package version), stable ordering.
 * Only node: modules are used.
 */
import {existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

// ---------------------------------------------------------------------------------------------
// Project-wide texts (not tied to any command)

/** DESIGN.md section 4. */
const EXIT_STATUS = [
  ['0', 'Success.'],
  [
    '1',
    'The operation was refused: the broker answered with an error, lint found errors, a check says "deny", a user was not found.',
  ],
  ['2', "Usage: bad flags or arguments (oclif's parse errors)."],
  ['3', 'Connection failed: refused, DNS, TLS handshake, CONNACK not authorized.'],
  ['4', 'Timeout: no answer from the broker or the plugin in time.'],
  ['5', 'File problem: unreadable, unparsable, locked, or not writable.'],
  ['6', 'A plan has changes (for commands with an --exit-code option that report differences).'],
]

/** What every command honours (src/base/render-error.ts). */
const COMMON_ENVIRONMENT = [
  ['NO_COLOR', 'When set to a non-empty value, nothing is coloured, even on a terminal.'],
  ['MQCTL_DEBUG', 'When set, an error that has an underlying cause is followed by the stack trace of that cause.'],
]

/** Listed on mqctl(1) only, after COMMON_ENVIRONMENT; commands add theirs through `manual`. */
const OVERVIEW_ENVIRONMENT = [
  [
    'MQCTL_HOST',
    'Broker host for the commands that connect. Connection settings are taken, highest first, from flags, these MQCTL_* variables, the selected profile, the mosquitto_ctrl options file, and defaults.',
  ],
  ['MQCTL_PORT', 'Broker port for the commands that connect.'],
  ['MQCTL_USERNAME', 'Username to connect as.'],
  ['MQCTL_PASSWORD', 'Password to connect with; unlike -P it stays out of the process list.'],
  ['MQCTL_PROFILE', 'Profile of the mqctl config file to use when --profile is not given.'],
  ['MQCTL_CONFIG_DIR', 'Directory holding the mqctl config file, config.yaml.'],
  [
    'XDG_CONFIG_HOME',
    'Base directory of the mqctl config file (when MQCTL_CONFIG_DIR is unset) and of the mosquitto_ctrl options file; ~/.config when unset.',
  ],
]

const OVERVIEW_FILES = [
  [
    '$MQCTL_CONFIG_DIR/config.yaml, $XDG_CONFIG_HOME/mqctl/config.yaml, ~/.config/mqctl/config.yaml',
    'Connection profiles: the first of these paths whose variable is set (the last one otherwise).',
  ],
  [
    '$XDG_CONFIG_HOME/mosquitto_ctrl, ~/.config/mosquitto_ctrl',
    "mosquitto_ctrl's options file, one option per line, read by the commands that connect (-o FILE names another).",
  ],
]

/** SEE ALSO of mqctl(1), after the command pages. */
const OVERVIEW_SEE_ALSO = ['mosquitto(8)', 'mosquitto_passwd(1)', 'mosquitto_ctrl(1)', 'mosquitto.conf(5)']

/** Tools whose page a command page links to when its texts mention them. */
const MENTIONED_PAGES = [
  [/\bmosquitto_passwd\b/, 'mosquitto_passwd(1)'],
  [/\bmosquitto_ctrl\b/, 'mosquitto_ctrl(1)'],
  [/\bmosquitto\.conf\b/, 'mosquitto.conf(5)'],
]

/** Siblings of a command are linked when its topic has at most this many commands. */
const MAX_SIBLINGS = 8

/** Example commands longer than this are broken (in shell syntax) to fit 80 columns. */
const EXAMPLE_WIDTH = 66

const MANUAL_KEYS = new Set(['exitStatus', 'files', 'environment', 'seeAlso'])

// ---------------------------------------------------------------------------------------------
// roff escaping

/** Escapes what roff would interpret; non-ASCII becomes \[uXXXX]. Hyphens are left alone. */
function escapeBase(s) {
  let out = ''
  for (const ch of String(s)) {
    const cp = ch.codePointAt(0)
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
function code(s) {
  return escapeBase(s).replaceAll('-', '\\-').replaceAll("'", '\\(aq')
}

/**
 * Prose: words that look like options, paths or identifiers ("-b", "--password-stdin",
 * "acl/tab", "mosquitto_dynamic_security.so", "tls-use-os-certs", "sha512-pbkdf2") get ASCII
 * minus signs, where no line break can happen; hyphens in ordinary words ("plain-text") stay
 * hyphens.
 */
function prose(s) {
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
function macroArg(escaped) {
  const s = escaped.replaceAll('"', '\\(dq')
  return s === '' || /\s/.test(s) ? `"${s}"` : s
}

const bold = (escaped) => `\\fB${escaped}\\fR`
const italic = (escaped) => `\\fI${escaped}\\fR`

/** Makes an escaped string safe as a text line: no leading control character or space. */
function textLine(escaped) {
  return /^[.' ]/.test(escaped) ? `\\&${escaped}` : escaped
}

// ---------------------------------------------------------------------------------------------
// Reading the metadata

function fail(message) {
  process.stderr.write(`man: ${message}\n`)
  process.exit(1)
}

function readJson(file, what) {
  if (!existsSync(file)) {
    fail(
      `${relative(process.cwd(), file) || file} not found: run \`npm run build\` first (it writes the oclif manifest).`,
    )
  }

  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    fail(`cannot read ${what} ${file}: ${error.message}`)
  }
}

function readManual(cmd) {
  const manual = cmd.manual
  if (manual === undefined || manual === null) return {}
  const where = `command "${cmd.id}": static manual`
  if (typeof manual !== 'object' || Array.isArray(manual)) fail(`${where} must be an object`)
  for (const key of Object.keys(manual)) {
    if (!MANUAL_KEYS.has(key)) fail(`${where} has an unknown key "${key}" (known: ${[...MANUAL_KEYS].join(', ')})`)
  }

  for (const key of ['exitStatus', 'files', 'environment']) {
    const value = manual[key]
    if (value === undefined) continue
    const ok =
      Array.isArray(value) &&
      value.every(
        (e) =>
          Array.isArray(e) && e.length === 2 && ['string', 'number'].includes(typeof e[0]) && typeof e[1] === 'string',
      )
    if (!ok) fail(`${where}.${key} must be an array of [string, string] pairs`)
  }

  if (
    manual.seeAlso !== undefined &&
    !(Array.isArray(manual.seeAlso) && manual.seeAlso.every((e) => typeof e === 'string'))
  ) {
    fail(`${where}.seeAlso must be an array of strings`)
  }

  const pairs = (v) => v?.map(([a, b]) => [String(a), b])
  return {
    exitStatus: pairs(manual.exitStatus),
    files: pairs(manual.files),
    environment: pairs(manual.environment),
    seeAlso: manual.seeAlso,
  }
}

/** Orders command ids topic by topic, a topic's own command first, case-insensitively. */
function compareIds(a, b) {
  const x = a.split(':')
  const y = b.split(':')
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] === undefined) return -1
    if (y[i] === undefined) return 1
    const lx = x[i].toLowerCase()
    const ly = y[i].toLowerCase()
    if (lx !== ly) return lx < ly ? -1 : 1
    if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1
  }

  return 0
}

// ---------------------------------------------------------------------------------------------
// Building blocks

function createContext(pkg) {
  const bin = pkg.oclif?.bin ?? Object.keys(pkg.bin ?? {})[0] ?? pkg.name
  const separator = pkg.oclif?.topicSeparator ?? ':'
  return {
    bin,
    separator,
    version: pkg.version,
    description: pkg.description ?? '',
    topics: pkg.oclif?.topics ?? {},
    hasHelpPlugin: (pkg.oclif?.plugins ?? []).includes('@oclif/plugin-help'),
    commandWords: (id) => [bin, ...id.split(':')].join(' ').replaceAll(':', separator),
    displayId: (id) => id.split(':').join(separator),
    pageName: (id) => (id === '' ? bin : `${bin}-${id.replaceAll(':', '-')}`),
  }
}

/** oclif renders its texts as ejs templates; these are the variables commands use. */
function renderTemplate(text, ctx, id) {
  return String(text ?? '')
    .replaceAll(/<%=\s*config\.bin\s*%>/g, ctx.bin)
    .replaceAll(/<%=\s*command\.id\s*%>/g, id === undefined ? '' : ctx.displayId(id))
}

function header(ctx, name) {
  return [
    `.\\" Generated by scripts/man.js from oclif.manifest.json: do not edit, run "npm run man".`,
    `.TH ${macroArg(code(name.toUpperCase()))} 1 "" ${macroArg(code(`${ctx.bin} ${ctx.version}`))} ${macroArg(prose(`${ctx.bin} manual`))}`,
    // No hyphenation (HY is what groff's .YS restores), ragged right.
    '.nr HY 0',
    '.nh',
    '.ad l',
  ]
}

/**
 * Renders plain text as roff: blank lines separate paragraphs; within a paragraph, lines that
 * start with white space are a preformatted block and lines starting with "- " or "* " are
 * bullets. `para` is the macro that starts a paragraph: ".PP" at the top level, ".IP" inside
 * a tagged paragraph (so the text keeps its indentation).
 */
function textBlocks(text, {para = '.PP', first = true} = {}) {
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
          for (const [, term, text] of definitions) out.push('.TP', textLine(bold(code(term))), textLine(prose(text)))
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

function expandTabs(line) {
  let out = ''
  for (const ch of line) out += ch === '\t' ? ' '.repeat(8 - (out.length % 8)) : ch
  return out
}

/** A ".TP" list of [tag, text] pairs; `tagStyle` formats the (escaped) tag. */
function tagged(entries, tagStyle = bold) {
  const out = []
  for (const [tag, text] of entries) {
    out.push('.TP', textLine(tagStyle(code(tag))))
    out.push(...textBlocks(text, {para: '.IP', first: false}))
  }

  return out
}

/** Paths listed under FILES: "a, b" lists alternatives. */
function filesList(entries) {
  return tagged(entries, (escaped) =>
    escaped
      .split(', ')
      .map((p) => italic(p))
      .join(', '),
  )
}

function dedupeByFirst(entries) {
  const seen = new Set()
  return entries.filter(([name]) => (seen.has(name) ? false : seen.add(name)))
}

function seeAlsoLine(refs) {
  const rendered = [...new Set(refs)].map((ref) => {
    const m = /^([^\s()]+)\((\w+)\)$/.exec(ref)
    return m ? `${bold(code(m[1]))}(${code(m[2])})` : prose(ref)
  })
  return textLine(rendered.join(', '))
}

// ---------------------------------------------------------------------------------------------
// Synopsis

/** Formats a usage string: options bold, CAPITAL placeholders italic, brackets kept together. */
function formatUsage(rest) {
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

function formatPlaceholder(word) {
  if (/^<[^<>]+>$/.test(word) || /^[A-Z][A-Z0-9_-]*(\.\.\.)?$/.test(word)) return italic(code(word))
  return code(word)
}

function valuePlaceholder(flag) {
  if (flag.helpValue) return String(flag.helpValue)
  return flag.name.toUpperCase().replaceAll('-', '_')
}

/** "PERSISTENCE AND LOGGING" → "persistence and logging options", "TLS" → "TLS options". */
function groupLabel(name) {
  const words = String(name).split(/\s+/).filter(Boolean)
  const stop = new Set(['AND', 'OR', 'OF', 'THE', 'FOR', 'TO', 'IN', 'ON', 'WITH'])
  const kept = words.map((w) =>
    w === w.toUpperCase() && /[A-Z]/.test(w) && w.length <= 4 && !stop.has(w) ? w : w.toLowerCase(),
  )
  return [...kept, 'options'].join(' ')
}

const capitalise = (s) => s.charAt(0).toUpperCase() + s.slice(1)

function isGlobalGroup(flag) {
  return String(flag.helpGroup ?? '').toUpperCase() === 'GLOBAL'
}

/** oclif's usage lines are relative to the command: "passwd [-c] FILE" or "[-c] FILE". */
function usageSynopsis(cmd, ctx) {
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

function builtSynopsis(cmd, ctx, flags, args) {
  const parts = []
  for (const arg of args) {
    const name = italic(code(arg.name.toUpperCase()))
    const one = arg.multiple ? `${name}\\&.\\|.\\|.` : name
    parts.push(arg.required ? one : `[${one}]`)
  }

  const flagPart = (flag) => {
    const name = flag.char ? `-${flag.char}` : `--${flag.allowNo ? '[no-]' : ''}${flag.name}`
    let s = bold(code(name))
    if (flag.type === 'option') {
      // `\:` after each `|` lets troff break a long list of values (dynsec check --access).
      const value = flag.options ? flag.options.map((o) => code(o)).join('|\\:') : italic(code(valuePlaceholder(flag)))
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
function flagGroups(flags) {
  const groups = new Map([['', []]])
  for (const flag of flags) {
    const name = flag.helpGroup ?? ''
    if (!groups.has(name)) groups.set(name, [])
    groups.get(name).push(flag)
  }

  const list = [...groups].map(([name, fl]) => ({
    name,
    flags: fl,
    global: name !== '' && isGlobalGroup({helpGroup: name}),
  }))
  return [...list.filter((g) => !g.global), ...list.filter((g) => g.global)].filter((g) => g.flags.length > 0)
}

// ---------------------------------------------------------------------------------------------
// OPTIONS

function flagTag(flag) {
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

function formatValue(v) {
  return bold(code(typeof v === 'string' ? v : JSON.stringify(v)))
}

/** "Allowed values", "Default", "Required" and the like, as one sentence each. */
function facts(item, {isFlag}) {
  const out = []
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
    const list = (names) => names.map((n) => bold(code(`--${n}`))).join(', ')
    if (item.exclusive?.length) out.push(`Cannot be combined with ${list(item.exclusive)}.`)
    if (item.dependsOn?.length) out.push(`Requires ${list(item.dependsOn)}.`)
    if (item.deprecated) {
      const message = typeof item.deprecated === 'object' && item.deprecated.message
      out.push(`${prose('Deprecated.')}${message ? ` ${prose(message)}` : ''}`)
    }
  }

  return out
}

function itemEntry(tagLine, item, isFlag, ctx, id) {
  const out = ['.TP', textLine(tagLine)]
  const text = [item.summary, item.description]
    .filter(Boolean)
    .map((t) => renderTemplate(t, ctx, id))
    .join('\n\n')
  out.push(...textBlocks(text, {para: '.IP', first: false}))
  const extra = facts(item, {isFlag}).join(' ')
  if (extra && out.length > 2 && !out.at(-1).startsWith('.')) out[out.length - 1] += ` ${extra}`
  else if (extra) out.push(textLine(extra))
  return out
}

function optionsSection(cmd, ctx, flags, args) {
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

// ---------------------------------------------------------------------------------------------
// EXAMPLES

/** Splits a shell command line into words, keeping quoted strings whole. */
function shellWords(line) {
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
function wrapCommand(line, width = EXAMPLE_WIDTH) {
  if (line.length <= width) return [line]
  const words = shellWords(line)
  if (!words) return [line]
  const segments = [[]]
  for (const w of words) {
    segments.at(-1).push(w)
    if (['|', '||', '&&', ';'].includes(w) || (w.endsWith(';') && !w.endsWith('\\;'))) segments.push([])
  }

  if (segments.at(-1).length === 0) segments.pop()
  const lines = []
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
    const units = []
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

function examplesSection(cmd, ctx) {
  const examples = cmd.examples === undefined ? [] : Array.isArray(cmd.examples) ? cmd.examples : [cmd.examples]
  if (examples.length === 0) return []
  const isCommand = (l) => l.startsWith(`${ctx.bin} `) || l === ctx.bin || l.startsWith(`$ ${ctx.bin}`)
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

// ---------------------------------------------------------------------------------------------
// Pages

function summaryAndDescription(cmd) {
  let summary = cmd.summary
  let description = cmd.description ?? ''
  if (!summary) {
    const [first, ...rest] = description.split('\n')
    summary = first
    description = rest.join('\n')
  }

  return {summary: (summary ?? '').replaceAll(/\s+/g, ' ').trim(), description}
}

function nameLine(name, summary) {
  return textLine(`${code(name)} \\- ${prose(summary.replace(/\.$/, ''))}`)
}

function commandPage(cmd, ctx, all) {
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
    ...flags.filter((f) => f.env).map((f) => [f.env, `Value of --${f.name} when the option is not given.`]),
    ...COMMON_ENVIRONMENT,
  ])
  if (manual.files?.length) out.push('.SH FILES', ...filesList(manual.files))

  out.push('.SH ENVIRONMENT', ...tagged(environment))

  out.push(...examplesSection(cmd, ctx))

  out.push('.SH "SEE ALSO"', seeAlsoLine(seeAlso(cmd, ctx, all, manual)))
  return out
}

function seeAlso(cmd, ctx, all, manual) {
  const ids = all.map((c) => c.id)
  const parts = cmd.id.split(':')
  const parent = parts.slice(0, -1).join(':')
  const isParent = (p, c) => c.startsWith(`${p}:`) && c.split(':').length === p.split(':').length + 1
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

function overviewPage(commands, ctx) {
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
  const words = (...w) => w.join(ctx.separator)
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
        .map((f) => [f.env, `Value of --${f.name} when the option is not given.`]),
    ),
  ]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  out.push('.SH ENVIRONMENT', ...tagged(environment))

  const files = dedupeByFirst([...OVERVIEW_FILES, ...manuals.flatMap((m) => m.files ?? [])])
  out.push('.SH FILES', ...filesList(files))

  out.push('.SH "SEE ALSO"', seeAlsoLine([...commands.map((c) => `${ctx.pageName(c.id)}(1)`), ...OVERVIEW_SEE_ALSO]))
  return out
}

/** Every page, as file name → content. */
function generate(manifest, pkg) {
  const ctx = createContext(pkg)
  const commands = Object.values(manifest.commands ?? {})
    .filter((c) => !c.hidden)
    .sort((a, b) => compareIds(a.id, b.id))
  const pages = new Map()
  const add = (name, lines, id) => {
    const file = `${name}.1`
    if (pages.has(file)) fail(`two commands would share the page ${file} (the second is "${id}")`)
    pages.set(file, lines.join('\n') + '\n')
  }

  add(ctx.pageName(''), overviewPage(commands, ctx), '')
  for (const cmd of commands) add(ctx.pageName(cmd.id), commandPage(cmd, ctx, commands), cmd.id)
  return {pages, ctx}
}

// ---------------------------------------------------------------------------------------------
// Main

function main() {
  let options
  try {
    options = parseArgs({
      options: {
        check: {type: 'boolean', default: false},
        out: {type: 'string'},
        manifest: {type: 'string'},
        help: {type: 'boolean', short: 'h', default: false},
      },
      strict: true,
    }).values
  } catch (error) {
    fail(`${error.message}\nusage: node scripts/man.js [--check] [--out DIR] [--manifest FILE]`)
  }

  if (options.help) {
    process.stdout.write('usage: node scripts/man.js [--check] [--out DIR] [--manifest FILE]\n')
    return
  }

  const manifest = readJson(
    options.manifest ? resolve(options.manifest) : join(root, 'oclif.manifest.json'),
    'the manifest',
  )
  const pkg = readJson(join(root, 'package.json'), 'package.json')
  const {pages, ctx} = generate(manifest, pkg)
  const outDir = options.out ? resolve(options.out) : join(root, 'man', 'man1')
  const shown = (file) => relative(process.cwd(), join(outDir, file)) || file
  const ours = (file) => file === `${ctx.bin}.1` || (file.startsWith(`${ctx.bin}-`) && file.endsWith('.1'))
  const existing = existsSync(outDir) ? readdirSync(outDir).sort() : []

  if (options.check) {
    const problems = []
    for (const [file, content] of pages) {
      const path = join(outDir, file)
      if (!existsSync(path)) problems.push(`${shown(file)}: missing`)
      else if (readFileSync(path, 'utf8') !== content)
        problems.push(`${shown(file)}: differs from the command metadata`)
    }

    for (const file of existing) {
      if (!pages.has(file))
        problems.push(`${shown(file)}: ${ours(file) ? 'no such command any more' : 'not a generated page'}`)
    }

    if (problems.length > 0) {
      process.stderr.write(
        `man pages are stale:\n${problems.map((p) => `  ${p}\n`).join('')}run \`npm run build && npm run man\` to regenerate them.\n`,
      )
      process.exit(1)
    }

    process.stdout.write(
      `man pages are up to date (${pages.size} pages in ${relative(process.cwd(), outDir) || '.'}).\n`,
    )
    return
  }

  mkdirSync(outDir, {recursive: true})
  for (const file of existing) {
    if (pages.has(file)) continue
    if (ours(file)) {
      rmSync(join(outDir, file))
      process.stdout.write(`removed ${shown(file)}\n`)
    } else process.stderr.write(`man: warning: ${shown(file)} is not a generated page\n`)
  }

  let written = 0
  for (const [file, content] of pages) {
    const path = join(outDir, file)
    if (existsSync(path) && readFileSync(path, 'utf8') === content) continue
    writeFileSync(path, content)
    written++
  }

  process.stdout.write(`${pages.size} man pages in ${relative(process.cwd(), outDir) || '.'} (${written} written).\n`)
}

main()
