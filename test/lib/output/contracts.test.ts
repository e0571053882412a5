/*
 * docs/json/ must be what `npm run schemas` generates from the zod contracts, and every command
 * in the manifest must have a contract (a command without one has an undocumented --json).
 */
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {describe, expect, it} from 'vitest'

import {errorEnvelopeSchema, jsonContracts, jsonSchemaFiles} from '../../../src/lib/output/contracts.js'
import {verdictOf, withVerdict} from '../../../src/lib/output/verdict.js'
import {MqctlError} from '../../../src/lib/errors.js'

const root = fileURLToPath(new URL('../../..', import.meta.url))
const dir = join(root, 'docs', 'json')

describe('JSON contracts', () => {
  it('docs/json holds exactly the generated schemas (run `npm run build && npm run schemas`)', () => {
    const generated = jsonSchemaFiles()
    const committed = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : []
    const stale = [
      ...[...generated.keys()].filter((f) => !committed.includes(f)).map((f) => `${f}: missing`),
      ...committed.filter((f) => !generated.has(f)).map((f) => `${f}: no such contract`),
      ...[...generated]
        .filter(([f, text]) => committed.includes(f) && readFileSync(join(dir, f), 'utf8') !== text)
        .map(([f]) => `${f}: differs`),
    ]
    expect(stale).toEqual([])
  })

  it('every command of the manifest has a contract, and no contract names a missing command', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8')) as {
      commands: Record<string, unknown>
    }
    expect([...jsonContracts().keys()].sort()).toEqual(Object.keys(manifest.commands).sort())
  })

  it('the error envelope schema accepts what MqctlError renders', () => {
    const error = new MqctlError('FILE_ENOENT', 'cannot read x', {hint: 'h', location: {file: 'x', line: 3}})
    expect(errorEnvelopeSchema.safeParse({error: error.toEnvelope(5)}).success).toBe(true)
    expect(errorEnvelopeSchema.safeParse({error: {code: 'X', message: 'm'}}).success).toBe(false)
  })

  it('the shared verdict is "allow" or "deny" beside the data', () => {
    const schema = withVerdict({})
    expect(schema.parse({verdict: verdictOf(true), reason: 'r'})).toEqual({verdict: 'allow', reason: 'r'})
    expect(verdictOf(false)).toBe('deny')
    expect(schema.safeParse({verdict: 'maybe'}).success).toBe(false)
    expect(schema.safeParse({allowed: true}).success).toBe(false)
  })
})
