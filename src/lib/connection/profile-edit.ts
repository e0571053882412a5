import {chmod} from 'node:fs/promises'
import {mkdirSync} from 'node:fs'
import {dirname} from 'node:path'

import {MqctlError, fileError} from '../errors.js'
import {writeFileAtomic} from '../files/atomic.js'
import {readInputText} from '../files/input.js'
import {withFileLock} from '../files/lock.js'

/**
 * Edits the profile file (`profile add|set|use|remove`, kubectl contexts as the model) through
 * the yaml document, so comments and key order survive; each edit is validated with the same
 * schema as reading, written atomically under the file lock, and left 0600 (profiles can hold
 * passwords).
 */

export type ProfileValues = Record<string, string | number | boolean>

/** Profile keys whose values are numbers in the file. */
const NUMERIC = new Set(['port', 'qos', 'timeout'])

/** Turns flag text into the value the profile schema expects (numbers, true for switches). */
export function profileValue(key: string, value: string | true): string | number | boolean {
  if (value === true) return true
  if (NUMERIC.has(key) && /^\d+(\.\d+)?$/.test(value)) return Number(value)
  if (key === 'protocol-version' && /^(5|311|31)$/.test(value)) return Number(value)
  return value
}

export type ProfileEdit =
  | {action: 'add'; name: string; values: ProfileValues; use?: boolean}
  | {action: 'set'; name: string; values: ProfileValues; unset: string[]}
  | {action: 'use'; name: string}
  | {action: 'remove'; name: string}

export interface EditResult {
  file: string
  action: ProfileEdit['action']
  profile: string
  default?: string
}

/** The profile file's bound, as when it is read for a connection (profiles.ts). */
const MAX_PROFILE_FILE_BYTES = 1024 * 1024

const usage = (message: string) => new MqctlError('USAGE_PROFILE', message)

export async function editProfiles(path: string, edit: ProfileEdit): Promise<EditResult> {
  mkdirSync(dirname(path), {recursive: true, mode: 0o700})
  return withFileLock(path, async () => {
    let text = ''
    try {
      // As every input: a regular file of sane size, so a FIFO there is refused, not waited on.
      text = readInputText(path, {maxBytes: MAX_PROFILE_FILE_BYTES, label: 'profile file'}).text
    } catch (error) {
      const cause = (error as {cause?: NodeJS.ErrnoException}).cause
      if (cause?.code !== 'ENOENT') throw error instanceof MqctlError ? error : fileError(path, error)
    }

    const {parseDocument, isMap} = await import('yaml')
    const doc = parseDocument(text)
    if (doc.errors.length > 0) {
      throw new MqctlError('PARSE_CONFIG', `${path}: ${doc.errors[0].message.split('\n')[0]} (fix it by hand first)`)
    }

    if (!isMap(doc.contents)) doc.contents = doc.createNode({}) as unknown as typeof doc.contents
    const profiles = doc.get('profiles')
    if (profiles !== undefined && !isMap(profiles)) throw usage(`${path}: "profiles" is not a mapping`)
    const exists = isMap(profiles) && profiles.has(edit.name)
    const known = isMap(profiles) ? profiles.items.map((p) => String((p.key as {value?: unknown})?.value ?? p.key)) : []
    const missing = () =>
      usage(`no profile "${edit.name}" in ${path}${known.length ? ` (profiles: ${known.join(', ')})` : ''}`)

    switch (edit.action) {
      case 'add':
        if (exists)
          throw usage(
            `profile "${edit.name}" already exists in ${path}: change it with "mqctl profile set ${edit.name}"`,
          )
        doc.setIn(['profiles', edit.name], doc.createNode(edit.values))
        if (edit.use) doc.set('default', edit.name)
        break
      case 'set':
        if (!exists) throw missing()
        for (const key of edit.unset) {
          if (!doc.hasIn(['profiles', edit.name, key])) throw usage(`profile "${edit.name}" has no key "${key}"`)
          doc.deleteIn(['profiles', edit.name, key])
        }

        for (const [key, value] of Object.entries(edit.values)) doc.setIn(['profiles', edit.name, key], value)
        break
      case 'use':
        if (!exists) throw missing()
        doc.set('default', edit.name)
        break
      case 'remove':
        if (!exists) throw missing()
        doc.deleteIn(['profiles', edit.name])
        if (doc.get('default') === edit.name) doc.delete('default')
        break
    }

    // Checked as reading checks it, before anything is written: a bad value leaves the file as it was.
    const {configFileSchema, profileSchema} = await import('./profile-schema.js')
    let data: {profiles?: Record<string, unknown>}
    try {
      data = (doc.toJS() ?? {}) as typeof data
    } catch (error) {
      // yaml refuses an alias bomb here ("Excessive alias count …"): a property of the file.
      throw new MqctlError('PARSE_CONFIG', (error as Error).message, {location: {file: path}})
    }

    const file = configFileSchema.safeParse(data)
    if (!file.success) throw usage(`${path}: ${file.error.issues[0].message}`)
    if (edit.action === 'add' || edit.action === 'set') {
      const checked = profileSchema.safeParse(data.profiles?.[edit.name])
      if (!checked.success) {
        const issue = checked.error.issues[0]
        const key = issue.code === 'unrecognized_keys' ? issue.keys.join('", "') : issue.path.join('.')
        throw usage(
          `profile "${edit.name}": ${issue.code === 'unrecognized_keys' ? `unknown key "${key}"` : `key "${key}": ${issue.message}`}`,
        )
      }
    }

    await writeFileAtomic(path, doc.toString(), {mode: 0o600})
    await chmod(path, 0o600).catch(() => {})
    return {file: path, action: edit.action, profile: edit.name, default: file.data.default}
  })
}
