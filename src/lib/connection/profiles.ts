import {homedir} from 'node:os'
import {join} from 'node:path'

import type {z} from 'zod'

import {MqctlError} from '../errors.js'
import {readInputText} from '../files/input.js'
import type {SourcedOptions} from './options-files.js'

import type {Profile} from './profile-schema.js'

export type {Profile} from './profile-schema.js'

/** A profile file is a few lines; anything near this is the wrong file. */
const MAX_CONFIG_BYTES = 1024 * 1024

/** `$MQCTL_CONFIG_DIR/config.yaml`, else `$XDG_CONFIG_HOME/mqctl/config.yaml`, else `~/.config/mqctl/config.yaml`. */
export function configFilePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MQCTL_CONFIG_DIR) return join(env.MQCTL_CONFIG_DIR, 'config.yaml')
  if (env.XDG_CONFIG_HOME) return join(env.XDG_CONFIG_HOME, 'mqctl', 'config.yaml')
  return join(env.HOME ?? homedir(), '.config', 'mqctl', 'config.yaml')
}

/** A parsed config file whose profiles are validated one at a time, on use. */
export interface LoadedConfig {
  path: string
  default?: string
  names: string[]
  /** The named profile, validated; a schema problem is a PARSE_CONFIG error at its line. */
  profile(name: string): Profile | undefined
}

export async function loadConfigFile(path: string): Promise<LoadedConfig | undefined> {
  let text: string
  try {
    text = readInputText(path, {maxBytes: MAX_CONFIG_BYTES, label: 'profile file'}).text
  } catch (error) {
    if ((error as MqctlError).code === 'FILE_ENOENT') return undefined
    throw error
  }

  const {parseDocument, LineCounter} = await import('yaml')
  // The schemas load only when there is a file to check (zod costs start-up time).
  const {configFileSchema, profileSchema} = await import('./profile-schema.js')
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, {lineCounter})
  if (doc.errors.length > 0) {
    const e = doc.errors[0]
    const pos = lineCounter.linePos(e.pos[0])
    throw new MqctlError('PARSE_CONFIG', e.message.split('\n')[0], {
      location: {file: path, line: pos.line, column: pos.col},
    })
  }

  /** The first zod issue as "<where>: <what>" at the line and column of the offending key. */
  const fail = (issue: z.core.$ZodIssue, prefix: PropertyKey[]): never => {
    const keys = [...prefix, ...(issue.code === 'unrecognized_keys' ? [...issue.path, ...issue.keys] : issue.path)]
    const node = doc.getIn(keys.slice(0, issue.code === 'unrecognized_keys' ? -1 : undefined).map(String), true) as
      {range?: number[]; items?: Array<{key?: {value?: unknown; range?: number[]}}>} | undefined
    // An unknown key is pointed at itself, not at the mapping that holds it.
    const unknownKey =
      issue.code === 'unrecognized_keys' ? node?.items?.find((pair) => pair.key?.value === keys.at(-1))?.key : undefined
    const range = unknownKey?.range ?? node?.range
    const pos = range ? lineCounter.linePos(range[0]) : undefined
    const where = keys[0] === 'profiles' && keys.length > 1 ? `profile "${String(keys[1])}"` : 'top level'
    const key = keys.slice(keys[0] === 'profiles' ? 2 : 0).join('.') || String(keys.at(-1) ?? '')
    const what =
      issue.code === 'unrecognized_keys' ? `unknown key "${issue.keys.join('", "')}"` : `key "${key}": ${issue.message}`
    throw new MqctlError('PARSE_CONFIG', `${where}: ${what}`, {
      location: {file: path, line: pos?.line, column: pos?.col},
    })
  }

  let data: unknown
  try {
    data = doc.toJS()
  } catch (error) {
    // yaml refuses an alias bomb here ("Excessive alias count …"): a property of the file.
    throw new MqctlError('PARSE_CONFIG', (error as Error).message, {location: {file: path}})
  }

  const file = configFileSchema.safeParse(data ?? {})
  if (!file.success) return fail(file.error.issues[0], [])
  const {profiles} = file.data
  return {
    path,
    default: file.data.default,
    names: Object.keys(profiles),
    profile(name) {
      if (!Object.hasOwn(profiles, name)) return undefined
      const result = profileSchema.safeParse(profiles[name])
      return result.success ? (result.data as Profile) : fail(result.error.issues[0], ['profiles', name])
    },
  }
}

/** Picks the profile: --profile, then MQCTL_PROFILE, then the file's `default`. */
export function selectProfile(
  config: LoadedConfig | undefined,
  path: string,
  requested?: string,
): {name?: string; options: SourcedOptions} {
  const name = requested ?? config?.default
  const empty = {options: new Map(), sources: new Map()}
  if (name === undefined) return {options: empty}
  const profile = config?.profile(name)
  if (!profile) {
    const known = config?.names ?? []
    throw new MqctlError(
      'USAGE_PROFILE',
      `no profile "${name}" in ${path}${known.length ? ` (profiles: ${known.join(', ')})` : ''}`,
    )
  }

  const options = new Map<string, string | true>()
  const sources = new Map<string, string>()
  for (const [key, value] of Object.entries(profile)) {
    if (value === false || value === undefined) continue
    options.set(key === 'password' ? 'pw' : key, value === true ? true : String(value))
    sources.set(key === 'password' ? 'pw' : key, `${path}: profile "${name}"`)
  }

  return {name, options: {options, sources}}
}
