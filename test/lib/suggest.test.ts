import {describe, expect, it} from 'vitest'

import {closest, editDistance} from '../../src/lib/suggest.js'

describe('editDistance / closest', () => {
  it('counts insertions, deletions, substitutions and adjacent transpositions', () => {
    expect(editDistance('creatClient', 'createClient')).toBe(1)
    expect(editDistance('lnit', 'lint')).toBe(1)
    expect(editDistance('abc', 'abc')).toBe(0)
    expect(editDistance('', 'abc')).toBe(3)
    expect(editDistance('kitten', 'sitting')).toBe(3)
  })

  it('suggests only close names, in any letter case', () => {
    expect(closest('getclinet', ['getClient', 'getGroup'])).toBe('getClient')
    expect(closest('lnt', ['lint', 'check'])).toBe('lint')
    expect(closest('frobnicate', ['getClient', 'lint'])).toBeUndefined()
  })
})
