import {describe, expect, it} from 'vitest'

import {fleetRows} from '../../src/base/dynsec-code.js'

describe('fleetRows', () => {
  it('aligns the columns and escapes control bytes in names and error texts', () => {
    const rows = fleetRows([
      ['test', 'ok', 'no changes'],
      ['prod\u001b[2J', 'failed', 'connection refused\nforged line'],
    ])
    expect(rows).toEqual(['test         ok      no changes', 'prod\\x1b[2J  failed  connection refused\\nforged line'])
  })
})
