import {ACL_TYPES} from '../catalog.js'
import type {StateAcl} from './model.js'

/** How the plugin reads command fields (cJSON lookups, json_get_* defaults), for the handlers. */
export type Json = Record<string, unknown>

/** cJSON_GetObjectItem: keys match ignoring ASCII case. */
export function get(obj: Json, key: string): unknown {
  let v: unknown
  if (Object.hasOwn(obj, key)) v = obj[key]
  else {
    const lower = key.toLowerCase()
    const k = Object.keys(obj).find((x) => x.toLowerCase() === lower)
    v = k === undefined ? undefined : obj[k]
  }

  // cJSON strings are C strings: a \u0000 ends them.
  return typeof v === 'string' && v.includes('\u0000') ? v.slice(0, v.indexOf('\u0000')) : v
}

/**
 * mosquitto_validate_utf8: no control characters (C0, DEL, C1), no non-characters
 * (U+FDD0-U+FDEF, U+xFFFE/U+xFFFF), no lone surrogates, at most 65536 bytes.
 */
export function validUtf8(s: string): boolean {
  if (Buffer.byteLength(s) > 65536) return false
  for (const ch of s) {
    const c = ch.codePointAt(0)!
    if (c <= 0x1f || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xdfff)) return false
    if ((c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) === 0xfffe) return false
  }

  return true
}

/** A required name, then its UTF-8 check, in the plugin's order. */
export const named = (cmd: Json, key: string, missing: string, invalid: string): string => {
  const v = need(cmd, key, missing)
  return validUtf8(v) ? v : refuse(invalid)
}

/** Code units ordered as UTF-8 bytes (code points): surrogates go above U+E000–U+FFFF. */
const unit = (c: number) => (c < 0xd800 ? c : c <= 0xdfff ? c + 0x2000 : c - 0x800)

/** strcmp on the UTF-8 bytes, without encoding (the handlers compare names a lot). */
export function byteOrder(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x !== y) return unit(x) - unit(y)
  }

  return a.length - b.length
}

/** Thrown inside a handler: becomes the response's `error`. */
export class Refusal {
  constructor(readonly text: string) {}
}

export const refuse = (text: string): never => {
  throw new Refusal(text)
}

/** A required string (json_get_string, optional=false). */
export const need = (cmd: Json, key: string, missing: string): string => {
  const v = get(cmd, key)
  return typeof v === 'string' ? v : refuse(missing)
}

/** An optional string: absent is fine, another type is an error. */
export const optional = (cmd: Json, key: string, invalid: string): string | undefined => {
  const v = get(cmd, key)
  if (v === undefined) return undefined
  return typeof v === 'string' ? v : refuse(invalid)
}

/** json_get_int with a default: a wrong type counts as absent. */
export const int = (obj: Json, key: string, fallback: number): number => {
  const v = get(obj, key)
  return typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : fallback
}

export const bool = (obj: Json, key: string, fallback: boolean): boolean => {
  const v = get(obj, key)
  return typeof v === 'boolean' ? v : fallback
}

export const insertSorted = <T>(list: T[], item: T, name: (t: T) => string) => {
  // Sorted input (plans create in name order) appends: check the end first.
  if (list.length === 0 || byteOrder(name(list[list.length - 1]), name(item)) < 0) return void list.push(item)
  // Binary search for the first name after it: a batch of 40,000 creates out of order was
  // quadratic (26 s) with a linear scan.
  const key = name(item)
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (byteOrder(name(list[mid]), key) > 0) hi = mid
    else lo = mid + 1
  }

  list.splice(lo, 0, item)
}

/** Lists seen in byte order (every reader sorts; insertSorted and filter keep the order). */
const inOrder = new WeakSet<object>()

/**
 * The entry named `key` in a name-sorted list, by binary search: a 1M-line `-f … batch` looked
 * up each name with a linear scan (quadratic: 40,000 creates took 11 s, 1M did not finish). A
 * list is checked to be in order once, then trusted while it is the same array; one that is
 * not (a hand-made state) is scanned.
 */
export function findSorted<T>(list: readonly T[], key: string, name: (t: T) => string): T | undefined {
  if (!inOrder.has(list)) {
    for (let i = 1; i < list.length; i++) {
      if (byteOrder(name(list[i - 1]), name(list[i])) >= 0) return list.find((t) => name(t) === key)
    }

    inOrder.add(list)
  }

  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const order = byteOrder(name(list[mid]), key)
    if (order === 0) return list[mid]
    if (order < 0) lo = mid + 1
    else hi = mid
  }

  return undefined
}

export const link = <K extends string>(key: K, name: string, priority: number) =>
  (priority === -1 ? {[key]: name} : {[key]: name, priority}) as Record<K, string> & {priority?: number}

/** HASH_ADD_INORDER by priority descending: a new ACL goes after the ones of equal priority. */
export function insertAcl(acls: StateAcl[], acl: StateAcl): void {
  const rank = (t: string) => ACL_TYPES.indexOf(t as (typeof ACL_TYPES)[number])
  const i = acls.findIndex(
    (a) => rank(a.acltype) > rank(acl.acltype) || (a.acltype === acl.acltype && a.priority < acl.priority),
  )
  if (i === -1) acls.push(acl)
  else acls.splice(i, 0, acl)
}

/** dynsec_roles__acl_load: entries of each known type with a string topic, in priority order. */
export function loadAcls(list: unknown): StateAcl[] {
  const acls: StateAcl[] = []
  if (!Array.isArray(list)) return acls
  for (const type of ACL_TYPES) {
    for (const entry of list) {
      if (typeof entry !== 'object' || entry === null) continue
      const t = get(entry as Json, 'acltype')
      if (typeof t !== 'string' || t.toLowerCase() !== type.toLowerCase()) continue
      const topic = get(entry as Json, 'topic')
      if (typeof topic !== 'string') continue
      insertAcl(acls, {
        acltype: type,
        topic,
        priority: int(entry as Json, 'priority', 0),
        allow: bool(entry as Json, 'allow', false),
      })
    }
  }

  return acls
}

/** The keys of `o` that are set, in the order given (the plugin's "omitted when unset"). */
export const present = <T extends object>(o: T, keys: Array<keyof T>): Partial<T> =>
  Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]])) as Partial<T>
