import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {DATA_CHECKS, formatResponse} from '../../../src/lib/dynsec/format.js'
import {
  anonymousGroupDataSchema,
  defaultAclDataSchema,
  getClientDataSchema,
  getGroupDataSchema,
  getRoleDataSchema,
  listDataSchema,
} from '../../../src/lib/dynsec/schemas.js'

// The formatter checks replies by hand (no zod on the command's path); these keep the hand
// checks and the zod schemas of schemas.ts in agreement on generated replies.
const SCHEMAS = {
  defaultAcl: defaultAclDataSchema,
  anonymousGroup: anonymousGroupDataSchema,
  client: getClientDataSchema,
  group: getGroupDataSchema,
  role: getRoleDataSchema,
  list: listDataSchema,
} as const

const value = fc.oneof(fc.string({maxLength: 3}), fc.integer(), fc.double(), fc.boolean(), fc.constant(null))
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(fc.oneof(a, value as fc.Arbitrary<unknown>), {nil: undefined})
const ref = (key: string) => fc.record({[key]: fc.oneof(fc.string(), value), priority: maybe(fc.integer())})
const arr = (a: fc.Arbitrary<unknown>) => maybe(fc.array(fc.oneof(a, value), {maxLength: 3}))
const client = fc.record({
  username: fc.oneof(fc.string(), value),
  clientid: maybe(fc.string()),
  textname: maybe(fc.string()),
  disabled: maybe(fc.boolean()),
  roles: arr(ref('rolename')),
  groups: arr(ref('groupname')),
  connections: arr(fc.record({address: maybe(fc.string())})),
})
const group = fc.record({
  groupname: fc.oneof(fc.string(), value),
  roles: arr(ref('rolename')),
  clients: arr(ref('username')),
})
const acl = fc.record({
  acltype: fc.string(),
  topic: fc.oneof(fc.string(), value),
  allow: maybe(fc.boolean()),
  priority: maybe(fc.integer()),
})
const role = fc.record({rolename: fc.oneof(fc.string(), value), acls: arr(acl), allowwildcardsubs: maybe(fc.boolean())})
const data = fc.oneof(
  fc.record({client: fc.oneof(client, value)}),
  fc.record({group: fc.oneof(group, fc.record({groupname: fc.oneof(fc.string(), value)}), value)}),
  fc.record({role: fc.oneof(role, value)}),
  fc.record({acls: arr(fc.record({acltype: fc.oneof(fc.string(), value), allow: fc.oneof(fc.boolean(), value)}))}),
  fc.record({clients: arr(client), groups: arr(group), roles: arr(role), totalCount: maybe(fc.integer())}),
  value,
)

describe('hand checks of replies', () => {
  it('accept exactly what the zod schemas accept', () => {
    fc.assert(
      fc.property(data, (d) => {
        for (const [kind, schema] of Object.entries(SCHEMAS)) {
          expect([kind, DATA_CHECKS[kind as keyof typeof SCHEMAS](d)]).toEqual([kind, schema.safeParse(d).success])
        }
      }),
      {numRuns: 3000, seed: 13},
    )
  })
})

// Expected text from mosquitto 2.1.2's own test (test/apps/ctrl/ctrl-dynsec.py) and apps/mosquitto_ctrl/dynsec.c.
describe("mosquitto_ctrl 2.1's getClient layout", () => {
  const base = {
    username: 'username1',
    roles: [{rolename: 'role1', priority: 20}],
    groups: [{groupname: 'group1', priority: 10}],
  }
  const text = (client: object) => formatResponse('client', 'getClient', {client}, '2.1').join('\n') + '\n'
  it('pads labels to "Connections:" and lists connections', () => {
    expect(text({...base, connections: []})).toBe(
      'Username:    username1\nClientid:\nRoles:       role1 (priority: 20)\nGroups:      group1 (priority: 10)\n',
    )
    expect(text({...base, clientid: 'fixed-id', disabled: true, connections: []})).toBe(
      'Username:    username1\nClientid:    fixed-id\nDisabled:    true\nRoles:       role1 (priority: 20)\nGroups:      group1 (priority: 10)\n',
    )
    expect(
      text({username: 'u', roles: [], groups: [], connections: [{address: '10.0.0.1'}, {}, {address: '::1'}]}),
    ).toBe('Username:    u\nClientid:\nConnections: 10.0.0.1\n             ::1\n')
    // A missing key prints the bare label, as for roles and groups.
    expect(text({username: 'u', roles: [], groups: []})).toBe('Username:    u\nClientid:\nConnections:\n')
  })

  it("prints a real 2.1.2 broker's reply as mosquitto_ctrl 2.1.2 did", () => {
    // Captured on 2026-12-01 from a hand-built 2.1.2 broker (mosquitto_rr) while the admin was
    // connected; the text is what mosquitto_ctrl 2.1.2 printed for the same getClient.
    const reply = JSON.parse(
      '{"responses":[{"command":"getClient","data":{"client":{"username":"admin","textname":"Dynsec admin user","roles":[{"rolename":"admin"}],"groups":[],"connections":[{"address":"127.0.0.1"}]}}}]}',
    ) as {responses: Array<{data: unknown}>}
    expect(formatResponse('client', 'getClient', reply.responses[0].data, '2.1').join('\n') + '\n').toBe(
      'Username:    admin\nClientid:\nRoles:       admin (priority: -1)\nConnections: 127.0.0.1\n',
    )
  })

  it('leaves 2.0 the default', () => {
    expect(formatResponse('client', 'getClient', {client: {...base, connections: [{address: 'x'}]}})).toEqual([
      'Username: username1',
      'Clientid:',
      'Roles:    role1 (priority: 20)',
      'Groups:   group1 (priority: 10)',
    ])
  })
})
