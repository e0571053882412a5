import type {Finding} from '../output/findings.js'
import {escapeForLine} from '../output/escape.js'
import {checkBridges, checkListeners} from './check-post.js'
import {SPECIAL} from './check-special.js'
import {CONF_OPTIONS, isPluginOption, ruleFor, type Rule, type Version} from './options.js'
import type {LoadedEntry} from './load.js'
import type {ConfEntry} from './parse.js'

/**
 * The broker's config reader, replayed over parsed entries with the option table: which line
 * stops mosquitto of `target` from starting, in its own words, plus the model (listeners,
 * security scopes, bridges) that the rest of config lint judges. Every error here is one the
 * broker would stop at if it got that far; the first one is where it does stop.
 */
export interface ListenerModel {
  port: number
  bind?: string
  entry: ConfEntry
  isDefault: boolean
  options: Map<string, ConfEntry>
  security: Map<string, ConfEntry[]>
  refusesCertAndPsk: boolean
}

export interface BridgeModel {
  name: string
  entry: ConfEntry
  slots: Map<string, ConfEntry>
  addresses: boolean
  topics: number
}

export interface FileState {
  listener?: ListenerModel
  bridge?: BridgeModel
  plugin: boolean
  /** 2.0: a tls_engine_kpass_sha1 was read in this file. */
  kpass?: boolean
}

export interface CheckState {
  target: Version
  findings: Finding[]
  perListener: boolean
  securitySeen: boolean
  /** `listener`, `port` or `bind_address` seen: no localhost-only default (2.0 local_only). */
  listenerSeen: boolean
  listeners: ListenerModel[]
  /** 2.0: the default listener always exists and becomes real once an option sets it. */
  defaultListener?: ListenerModel
  defaultActive: boolean
  globalSecurity: Map<string, ConfEntry[]>
  globals: Map<string, ConfEntry>
  bridges: BridgeModel[]
  pluginNames: Set<string>
  logFile?: string
  files: Map<number, FileState>
  file: FileState
}

export type ConfModel = Pick<
  CheckState,
  'perListener' | 'listeners' | 'globalSecurity' | 'globals' | 'bridges' | 'logFile' | 'target'
> & {
  /** No listener at all: the broker listens on localhost only. */
  implicitDefault: boolean
}

export const finding = (
  e: Pick<ConfEntry, 'file' | 'line' | 'column'>,
  rule: string,
  severity: Finding['severity'],
  message: string,
): Finding => ({rule, severity, message, file: e.file, line: e.line, column: e.column})

export const show = (text: string): string => escapeForLine(text)
export const err = (s: CheckState, e: ConfEntry, rule: string, message: string) =>
  s.findings.push(finding(e, rule, 'error', message))
export const warn = (s: CheckState, e: ConfEntry, rule: string, message: string) =>
  s.findings.push(finding(e, rule, 'warning', message))

/** C's atoi: blanks, a sign, digits; strtol saturates at 64 bits and the int keeps the low 32. */
export function atoi(text: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d*)/.exec(text)!
  if (m[2] === '') return 0
  let n = BigInt(m[2].length > 30 ? '9'.repeat(30) : m[2])
  if (m[1] === '-') n = -n
  const max = (1n << 63n) - 1n
  if (n > max) n = max
  if (n < -max - 1n) n = -max - 1n
  return Number(BigInt.asIntN(32, n))
}

/** C's strtol(text, &end, 0) over the whole word: undefined unless every character is part of the number. */
export function strtolWhole(text: string): bigint | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)$/.exec(text)
  if (!m) return undefined
  const digits = m[2]
  const n = /^0[xX]/.test(digits)
    ? BigInt(digits)
    : digits.length > 1 && digits[0] === '0'
      ? BigInt(`0o${digits.slice(1)}`)
      : BigInt(digits)
  return m[1] === '-' ? -n : n
}

/**
 * An integer option's word as the target reads it: 2.0 through atoi (garbage is 0), 2.1 through
 * a strict strtol (base 0, the whole word, within int). Undefined after recording 2.1's refusal.
 */
export function readInt(s: CheckState, e: ConfEntry, word: string, name = e.name): number | undefined {
  if (s.target === '2.0') return atoi(word)
  const n = strtolWhole(word)
  if (n === undefined) {
    err(s, e, 'conf/invalid-value', `'${name}' value not a number.`)
    return undefined
  }

  if (n > 2_147_483_647n || n < -2_147_483_648n) {
    err(s, e, 'conf/invalid-value', `'${name}' value out of range.`)
    return undefined
  }

  return Number(n)
}

export function newListener(e: ConfEntry, port: number, bind: string | undefined, isDefault = false): ListenerModel {
  return {port, bind, entry: e, isDefault, options: new Map(), security: new Map(), refusesCertAndPsk: false}
}

/** 2.0 turns the default listener into a real one when one of these differs from its default. */
function activatesDefault(e: ConfEntry, rule: Rule): boolean {
  if (!rule.activatesDefault) return false
  const yes = e.word === 'true' || e.word === '1'
  switch (e.name) {
    case 'require_certificate':
    case 'use_identity_as_username':
    case 'use_subject_as_username':
    case 'use_username_as_clientid':
      return yes
    case 'allow_zero_length_clientid':
      return !yes
    case 'max_connections':
      return e.word !== '' && atoi(e.word) >= 0
    case 'max_qos':
    case 'maximum_qos':
      return atoi(e.word) !== 2
    case 'protocol':
      return e.word !== '' && e.word !== 'mqtt'
    case 'tls_keyform':
      return e.value === 'engine'
    default:
      return true
  }
}

/** Where an option of this scope is stored now: the map its duplicates are judged in. */
function slotMap(s: CheckState, e: ConfEntry, rule: Rule): Map<string, ConfEntry> | undefined {
  if (rule.scope === 'global') return s.globals
  if (rule.scope === 'bridge') return s.file.bridge?.slots
  if (rule.scope === 'listener') return s.file.listener?.options
  if (rule.scope === 'security') {
    const l = s.file.listener
    const map = s.perListener && l ? l.security : s.globalSecurity
    return {
      has: (k: string) => (map.get(k)?.length ?? 0) > 0,
      set: (k: string, v: ConfEntry) => map.set(k, [...(map.get(k) ?? []), v]),
    } as unknown as Map<string, ConfEntry>
  }

  return undefined
}

const REQUIRES = 'option requires a listener to be defined first.'

/** 2.1's placement rules: false when the option cannot stand here (the error is recorded). */
function placed(s: CheckState, e: ConfEntry, rule: Rule): boolean {
  if (s.target !== '2.1' || !rule.needs) return true
  const l = s.file.listener
  switch (rule.needs) {
    case 'listener':
      if (l) return true
      break
    case 'own-listener':
      if (l && !l.isDefault) return true
      break
    case 'listener-if-per-listener':
      if (!s.perListener || l) return true
      break
    case 'listener-or-default':
      s.file.listener = l ?? defaultListener(s, e)
      return true
  }

  err(s, e, 'conf/needs-listener', `The '${e.name}' ${REQUIRES}`)
  return false
}

/** 2.1 creates the default listener (port 1883) for options given before any listener. */
export function defaultListener(s: CheckState, e: ConfEntry): ListenerModel {
  if (!s.defaultListener) {
    s.defaultListener = newListener(e, 1883, undefined, true)
    s.listeners.push(s.defaultListener)
  }

  s.defaultActive = true
  return s.defaultListener
}

/** The generic value checks of bool, int, string and enum options. */
function checkValue(s: CheckState, e: ConfEntry, rule: Rule): boolean {
  const fail = (message: string, rule = 'conf/invalid-value') => (err(s, e, rule, message), false)
  const empty = () => (rule.emptyOk ? false : fail(`Empty ${e.name} value in configuration.`, 'conf/empty-value'))
  switch (rule.kind) {
    case 'bool':
      if (e.word === '') return empty()
      if (!['true', 'false', '1', '0'].includes(e.word)) return fail(`Invalid ${e.name} value (${show(e.word)}).`)
      return true
    case 'int': {
      if (e.word === '') return empty()
      const n = readInt(s, e, e.word)
      if (n === undefined) return false
      if ((rule.min !== undefined && n < rule.min) || (rule.max !== undefined && n > rule.max))
        return fail(`Invalid ${e.name} value (${n}).`)
      return true
    }

    case 'enum':
      if (e.word === '') return empty()
      if (rule.refused?.[e.word]) return fail(rule.refused[e.word])
      if (!rule.values!.includes(e.word)) return fail(`Invalid ${e.name} value (${show(e.word)}).`)
      return true
    case 'string': {
      if (e.rest === '') return empty()
      const map = rule.dup ? slotMap(s, e, rule) : undefined
      if (map?.has(rule.slot ?? e.name)) return fail(`Duplicate ${e.name} value in configuration.`, 'conf/duplicate')
      if (e.value === '') return empty()
      if (e.bytes > 65_535) return fail(`${e.name} value is longer than 65535 bytes.`)
      if (!e.utf8) return fail('Malformed UTF-8 in configuration.')
      if (rule.maxLength !== undefined && e.bytes > rule.maxLength)
        return fail(`${e.name} length must be <= ${rule.maxLength}.`)
      return true
    }

    default:
      return true
  }
}

function unknown(s: CheckState, e: ConfEntry): void {
  const other = s.target === '2.0' ? '2.1' : '2.0'
  const why = e.name.startsWith('#')
    ? ' (a comment must start in column 1)'
    : /[\t\v\f\r]/.test(e.name)
      ? ' (a tab is not a separator)'
      : Object.hasOwn(CONF_OPTIONS, e.name)
        ? ` (only in mosquitto ${other})`
        : ''
  err(s, e, 'conf/unknown-option', `Unknown configuration variable "${show(e.name)}".${why}`)
}

function pluginOption(s: CheckState, e: ConfEntry): void {
  const prefix = e.name.startsWith('auth_opt_') ? 'auth_opt_' : 'plugin_opt_'
  if (!s.file.plugin) {
    err(
      s,
      e,
      'conf/plugin-option-without-plugin',
      `An ${prefix} option exists in the config file without an auth_plugin.`,
    )
    return
  }

  if (e.name.length < prefix.length + 3) {
    err(s, e, 'conf/invalid-value', `Invalid ${prefix} config option (the key needs at least 3 characters).`)
    return
  }

  const value = s.target === '2.0' ? e.rest.replace(/^[ \t]*/, '') : e.rest
  if (value === '') err(s, e, 'conf/empty-value', `Empty ${show(e.name.slice(prefix.length))} value in configuration.`)
}

export function checkEntries(
  entries: readonly LoadedEntry[],
  target: Version,
  findings: Finding[],
  onProgress?: (done: number, total: number) => void,
): ConfModel {
  const s: CheckState = {
    target,
    findings,
    perListener: false,
    securitySeen: false,
    listenerSeen: false,
    listeners: [],
    defaultActive: false,
    globalSecurity: new Map(),
    globals: new Map(),
    bridges: [],
    pluginNames: new Set(),
    files: new Map(),
    file: {plugin: false},
  }
  if (target === '2.0' && entries.length > 0) s.defaultListener = newListener(entries[0], 1883, undefined, true)

  let done = 0
  for (const e of entries) {
    if (onProgress && (++done & 4095) === 0) onProgress(done, entries.length)
    let file = s.files.get(e.unit)
    if (!file) {
      // Each file read starts afresh: no current bridge or plugin; 2.0 starts on the default listener.
      file = {plugin: false, listener: target === '2.0' ? s.defaultListener : undefined}
      s.files.set(e.unit, file)
    }

    s.file = file
    if (isPluginOption(e.name)) {
      pluginOption(s, e)
      continue
    }

    const rule = ruleFor(e.name, target)
    if (!rule) {
      unknown(s, e)
      continue
    }

    if (rule.notice) warn(s, e, 'conf/notice', rule.notice)
    if (rule.deprecated) warn(s, e, 'conf/deprecated', `${e.name} is deprecated; use ${rule.deprecated}`)
    if (!placed(s, e, rule)) continue
    if (rule.scope === 'bridge' && e.name !== 'connection' && !s.file.bridge) {
      err(s, e, 'conf/bridge', `Invalid bridge configuration: ${e.name} before any "connection" in this file.`)
      continue
    }

    if (rule.scope === 'plugin' && !s.file.plugin) {
      err(s, e, 'conf/plugin-option-without-plugin', `An ${e.name} option exists in the config file without a plugin.`)
      continue
    }

    if (rule.scope === 'security' || (target === '2.0' && e.name === 'check_retain_source')) s.securitySeen = true
    const special = SPECIAL[e.name]
    const ok = special ? special(s, e, rule) : checkValue(s, e, rule)
    if (!ok) continue
    if (target === '2.0' && s.file.listener?.isDefault && activatesDefault(e, rule)) {
      if (rule.scope !== 'security' || s.perListener) s.defaultActive = true
    }

    slotMap(s, e, rule)?.set(rule.slot ?? e.name, e)
  }

  checkBridges(s)
  const model = checkListeners(s)
  return model
}

export {checkValue}
