import {readFileSync} from 'node:fs'

import {describe, expect, it} from 'vitest'

import {policyJsonSchema} from '../../../src/lib/dynsec/policy-schema.js'

describe('docs/json/dynsec-policy.schema.json', () => {
  it('is what the zod policy schema generates (run `mqctl dynsec schema > docs/json/dynsec-policy.schema.json`)', () => {
    const committed = JSON.parse(
      readFileSync(new URL('../../../docs/json/dynsec-policy.schema.json', import.meta.url), 'utf8'),
    )
    expect(committed).toEqual(policyJsonSchema())
  })
})
