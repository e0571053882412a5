import {describe, expect, it} from 'vitest'

import {connectionFlags} from '../../src/base/connection-flags.js'
import {FAST_CONNECTION_FLAGS, parseFastDynsec} from '../../src/cli/dynsec.js'

describe('the dynsec fast path', () => {
  it("knows oclif's connection flags, with the same kind (value or switch)", () => {
    const oclif = new Map(Object.entries(connectionFlags).map(([name, flag]) => [name, flag.type === 'option']))
    for (const [name, takesValue] of FAST_CONNECTION_FLAGS) expect([name, oclif.get(name)]).toEqual([name, takesValue])
  })

  it('takes the plain forms and leaves everything else to oclif', () => {
    expect(parseFastDynsec(['dynsec', 'getClient', 'alice', '--host=h', '--quiet'])).toMatchObject({
      name: 'getClient',
      words: ['alice'],
    })
    expect(parseFastDynsec(['dynsec', 'createClient', 'bob', '-p', 'pw', '--port=1'])?.extras).toEqual({password: 'pw'})
    for (const args of [
      ['dynsec', 'getClient', 'alice', '--json'],
      ['dynsec', 'getClient', 'alice', '--help'],
      ['dynsec', 'getClient'],
      ['dynsec', 'getClient', 'a', 'b'],
      ['dynsec', 'getClient', 'alice', '--layout', '2.1'],
      ['dynsec', 'createClient', 'bob'],
      ['dynsec', 'createClient', 'bob', '--text-name', 'x', '-p', 'pw'],
      ['dynsec', 'setClientPassword', 'bob'],
      ['dynsec', 'modifyClient', 'bob'],
      ['dynsec', 'getclient', 'alice'],
      ['dynsec', 'getClient', '--host=h', 'alice'],
      ['dynsec', 'getClient', 'alice', '--quiet=yes'],
    ])
      expect([args, parseFastDynsec(args)]).toEqual([args, undefined])
  })
})
