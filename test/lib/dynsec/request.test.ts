import {describe, expect, it} from 'vitest'

import {buildDynsecRequest} from '../../../src/lib/dynsec/catalog.js'

// mosquitto_ctrl 2.0.11 and 2.1.2 (dynsec_role.c, dynsec_group.c, dynsec_client.c) read a
// priority with atoi and leave the key out when it is -1; for addRoleACL the plugin then stores
// priority 0. Found by scripts/ctrl-21-differential.ts against a 2.1.2 broker.
describe('priority words as mosquitto_ctrl sends them', () => {
  it('sends no priority for -1, and any other number as given', () => {
    expect(buildDynsecRequest('addRoleACL', ['r', 'publishClientSend', 'a/b', 'allow', '-1'])).not.toHaveProperty(
      'priority',
    )
    expect(buildDynsecRequest('addGroupRole', ['g', 'r', '-1'])).not.toHaveProperty('priority')
    expect(buildDynsecRequest('addClientRole', ['u', 'r', '-1'])).not.toHaveProperty('priority')
    expect(buildDynsecRequest('addGroupClient', ['g', 'u', '-1'])).not.toHaveProperty('priority')
    expect(buildDynsecRequest('addRoleACL', ['r', 'publishClientSend', 'a/b', 'allow', '-2'])).toMatchObject({
      priority: -2,
    })
    expect(buildDynsecRequest('addGroupRole', ['g', 'r', '0'])).toMatchObject({priority: 0})
  })
})
