import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {readEnvelope} from '../../../src/lib/dynsec/client.js'
import {dynsecResponseEnvelopeSchema} from '../../../src/lib/dynsec/schemas.js'

// Replies are read by hand (no zod on a command's path); the zod schema is the reference.
describe('readEnvelope', () => {
  it('accepts exactly the envelopes the zod schema accepts, on generated payloads', () => {
    const leaf = fc.oneof(fc.string({maxLength: 3}), fc.integer(), fc.boolean(), fc.constant(null))
    const response = fc.oneof(
      fc.record(
        {
          command: fc.oneof(fc.string({maxLength: 5}), leaf),
          error: fc.oneof(fc.string(), leaf),
          data: fc.jsonValue({maxDepth: 2}),
          correlationData: leaf,
        },
        {requiredKeys: []},
      ),
      leaf,
      fc.array(leaf, {maxLength: 2}),
    )
    const payload = fc.oneof(
      fc.record({responses: fc.oneof(fc.array(response, {maxLength: 3}), leaf)}, {requiredKeys: []}),
      fc.array(response, {maxLength: 2}),
      leaf,
    )
    fc.assert(
      fc.property(payload, (value) => {
        const parsed = dynsecResponseEnvelopeSchema.safeParse(value)
        const got = readEnvelope(Buffer.from(JSON.stringify(value)))
        expect(got).toEqual(parsed.success ? parsed.data.responses : [])
      }),
      {numRuns: 3000, seed: 21},
    )
    expect(readEnvelope(Buffer.from('not json'))).toEqual([])
  })
})
