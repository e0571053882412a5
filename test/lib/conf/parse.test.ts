import {describe, expect, it} from 'vitest'

import {parseConf} from '../../../src/lib/conf/parse.js'

describe('parseConf decoding', () => {
  it('decodes UTF-8 names, words and values; ASCII as it is; invalid bytes marked, not lost', () => {
    const bytes = Buffer.concat([
      Buffer.from('clientid_prefixes caf\u00e9 b\u00fcro\nlistener 1883\nx\u00e9 1\nacl_file a'),
      Buffer.from([0xff, 0x0a]),
    ])
    const [prefix, listener, odd, acl] = parseConf(bytes).entries
    expect(prefix).toMatchObject({name: 'clientid_prefixes', value: 'caf\u00e9 b\u00fcro', utf8: true, bytes: 11})
    expect(prefix.words).toEqual(['caf\u00e9', 'b\u00fcro'])
    expect(listener).toMatchObject({name: 'listener', value: '1883', word: '1883', words: ['1883'], utf8: true})
    expect(odd.name).toBe('x\u00e9')
    expect(acl).toMatchObject({value: 'a\ufffd', utf8: false, bytes: 2})
  })
})
