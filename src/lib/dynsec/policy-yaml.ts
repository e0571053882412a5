/**
 * The exported policy as YAML without the yaml library's document model, which takes ~300 ms
 * for 1000 clients: the same text as `stringify(policy, {lineWidth: 0, flowCollectionPadding:
 * false})` for documents whose strings are all "plain" in a narrow, certain sense (ASCII words
 * of name and topic characters, single spaces, never a YAML keyword or number; or a "#…" topic or
 * an empty string, which it double-quotes), else undefined
 * and the caller asks the yaml library. test/lib/dynsec/policy-yaml.test.ts compares the two on
 * generated documents.
 */

type Value = unknown

// Plain: not starting with an indicator, a digit, "-" or a sign before a number ("+1", "+.5");
// single spaces, never before "#" (a comment).
const WORD = /^(?:[A-Za-z_$/]|\+(?![0-9.]))[A-Za-z0-9_$./#+-]*(?: [A-Za-z0-9_$./+-][A-Za-z0-9_$./#+-]*)*$/
const KEYWORDS = new Set(['true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'null', 'Null', 'NULL'])
// Never plain (a comment, or nothing), with nothing to escape: double quotes, as the library writes them.
const QUOTED = /^(?:#[A-Za-z0-9_$./#+\- ]*)?$/

class NotPlain extends Error {}

function scalar(v: Value): string {
  if (typeof v === 'boolean') return String(v)
  if (typeof v === 'number' && Number.isSafeInteger(v) && !Object.is(v, -0)) return String(v)
  if (typeof v === 'string' && WORD.test(v) && !KEYWORDS.has(v)) return v
  if (typeof v === 'string' && QUOTED.test(v)) return `"${v}"`
  throw new NotPlain()
}

const isMap = (v: Value): v is Record<string, Value> => typeof v === 'object' && v !== null && !Array.isArray(v)

function map(v: Record<string, Value>, indent: string, out: string[]): void {
  for (const [key, value] of Object.entries(v)) {
    const head = `${indent}${scalar(key)}:`
    if (Array.isArray(value)) {
      if (value.length === 0) out.push(`${head} []`)
      else {
        out.push(head)
        sequence(value, `${indent}  `, out)
      }
    } else if (isMap(value)) {
      if (Object.keys(value).length === 0) out.push(`${head} {}`)
      else {
        out.push(head)
        map(value, `${indent}  `, out)
      }
    } else out.push(`${head} ${scalar(value)}`)
  }
}

function sequence(items: Value[], indent: string, out: string[]): void {
  for (const item of items) {
    if (Array.isArray(item)) throw new NotPlain()
    if (!isMap(item)) {
      out.push(`${indent}- ${scalar(item)}`)
      continue
    }

    if (Object.keys(item).length === 0) {
      out.push(`${indent}- {}`)
      continue
    }

    const first = out.length
    map(item, `${indent}  `, out)
    out[first] = `${indent}- ${out[first].slice(indent.length + 2)}`
  }
}

/** The document's YAML, or undefined when some value is not certain to be written plain. */
export function policyYaml(policy: Record<string, Value>): string | undefined {
  const out: string[] = []
  try {
    if (Object.keys(policy).length === 0) return undefined
    map(policy, '', out)
  } catch (error) {
    if (error instanceof NotPlain) return undefined
    throw error
  }

  return out.join('\n') + '\n'
}
