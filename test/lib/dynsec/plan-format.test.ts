import {describe, expect, it} from 'vitest'

import {formatPlan} from '../../../src/lib/dynsec/plan-format.js'
import type {PlanStep} from '../../../src/lib/dynsec/plan.js'

describe('formatPlan', () => {
  it('escapes control bytes and newlines from the policy or the broker before colouring', () => {
    const step: PlanStep = {
      symbol: '+',
      object: 'role r',
      text: 'createRole r\u001b]0;owned\u0007',
      details: ['acl subscribeLiteral a\nb allow'],
      request: {command: 'createRole', rolename: 'r\u001b]0;owned\u0007'},
    }
    const brackets = {'+': (s: string) => `[${s}]`, '~': (s: string) => s, '-': (s: string) => s}
    expect(formatPlan([step], brackets)).toEqual([
      '[+ createRole r\\x1b]0;owned\\x07]',
      '[    acl subscribeLiteral a\\nb allow]',
    ])
  })
})
