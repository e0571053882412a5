import {ACL_TYPES} from './catalog.js'
import type {Policy} from './policy-schema.js'

/**
 * The policy schema (policy-schema.ts) checked by hand, for the common case of a valid policy:
 * zod compiles and runs its checks in ~25 ms on a policy of 1000 clients, this in ~1 ms, and
 * zod is then not even loaded. It gives the policy (a copy, keys in the schema's order, as
 * zod's parse does) or undefined; undefined means only "not sure": the caller then parses with
 * zod, which gives the value or the located error. test/lib/dynsec/policy-check.test.ts holds
 * the two to the same verdict and value on generated input.
 */

const BAD = Symbol('bad')
type Check = (value: unknown) => unknown

const isRecord = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false
  const proto = Object.getPrototypeOf(v)
  return proto === Object.prototype || proto === null
}

const string: Check = (v) => (typeof v === 'string' ? v : BAD)
const name: Check = (v) => (typeof v === 'string' && v.length >= 1 ? v : BAD)
const boolean: Check = (v) => (typeof v === 'boolean' ? v : BAD)
const priority: Check = (v) =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= -2_147_483_648 && v <= 2_147_483_647 ? v : BAD
const one: Check = (v) => (v === 1 ? v : BAD)
const aclType: Check = (v) => ((ACL_TYPES as readonly unknown[]).includes(v) ? v : BAD)

/** A strict object: every key known, required keys present, optional ones only when given. */
function object(required: Record<string, Check>, optional: Record<string, Check> = {}): Check {
  const order = Object.keys({...required, ...optional})
  return (v) => {
    if (!isRecord(v)) return BAD
    let known = 0
    const out: Record<string, unknown> = {}
    for (const key of order) {
      if (!Object.hasOwn(v, key)) {
        if (key in required) return BAD
        continue
      }

      known++
      const value = v[key]
      // As zod: an optional key given as undefined is kept (JSON and YAML never make one).
      if (value === undefined && !(key in required)) {
        out[key] = undefined
        continue
      }

      const checked = (required[key] ?? optional[key])(value)
      if (checked === BAD) return BAD
      out[key] = checked
    }

    return known === Object.keys(v).length ? out : BAD
  }
}

function array(item: Check): Check {
  return (v) => {
    if (!Array.isArray(v)) return BAD
    const out: unknown[] = []
    for (let i = 0; i < v.length; i++) {
      if (!(i in v)) return BAD
      const checked = item(v[i])
      if (checked === BAD) return BAD
      out.push(checked)
    }

    return out
  }
}

const either =
  (...checks: Check[]): Check =>
  (v) => {
    for (const check of checks) {
      const out = check(v)
      if (out !== BAD) return out
    }

    return BAD
  }

const text = {textname: string, textdescription: string}
const roleLink = object({rolename: name}, {priority})
const groupLink = object({groupname: name}, {priority})
const acl = object({acltype: aclType, topic: string, allow: boolean}, {priority})
const role = object({rolename: name}, {...text, acls: array(acl), allowwildcardsubs: boolean})
const group = object({groupname: name}, {...text, roles: array(roleLink)})
const password = either(object({env: name}), object({file: name}), object({hash: name}))
const client = object(
  {username: string},
  {clientid: string, ...text, disabled: boolean, roles: array(roleLink), groups: array(groupLink), password},
)
const access = object(
  {},
  {publishClientSend: boolean, publishClientReceive: boolean, subscribe: boolean, unsubscribe: boolean},
)
const policy = object(
  {version: one},
  {defaultACLAccess: access, anonymousGroup: name, roles: array(role), groups: array(group), clients: array(client)},
)

/** The policy when it certainly matches the schema; undefined when zod must judge it. */
export function checkPolicyShape(value: unknown): Policy | undefined {
  const out = policy(value)
  return out === BAD ? undefined : (out as Policy)
}
