import {describe, expect, it} from 'vitest'

import {evaluateDynsec} from '../../src/lib/dynsec/evaluate.js'
import type {DynsecState} from '../../src/lib/dynsec/state/model.js'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {encodeDynsecFile} from '../../src/lib/dynsec/state/file-codec.js'
import {startBroker} from '../helpers/broker.js'
import {codesOf, connect, observe, runAgreement, storedPassword, type OracleQuery} from '../helpers/dynsec-oracle.js'

describe('dynsec check agrees with the 2.0.11 plugin', () => {
  const seed = Number(process.env.MQCTL_TEST_SEED ?? Math.floor(Math.random() * 1e9))

  it(`on 150+ generated cases (seed ${seed}; the whole corpus: scripts/dynsec-check-differential.ts)`, async () => {
    const result = await runAgreement(seed, 150)
    expect(result.cases).toBeGreaterThanOrEqual(150)
    expect(result.disagreements.slice(0, 3), `seed ${seed}: ${result.disagreements.length} disagreement(s)`).toEqual([])
  }, 120_000)

  it('on hand-picked corners: equal literal topics, invalid ACL topics from the file, $CONTROL, # and $SYS', async () => {
    const acl = (acltype: string, topic: string, allow: boolean, priority = 0) => ({acltype, topic, allow, priority})
    const state = {
      defaultACLAccess: {publishClientSend: true, publishClientReceive: true, subscribe: true, unsubscribe: true},
      clients: [
        {username: 'u1', disabled: false, roles: [{rolename: 'dup'}], groups: [], stored: storedPassword('pw')},
        {username: 'u2', disabled: false, roles: [{rolename: 'bad'}], groups: [], stored: storedPassword('pw')},
        {username: 'u3', disabled: false, roles: [{rolename: 'all'}], groups: [], stored: storedPassword('pw')},
      ],
      groups: [],
      roles: [
        {
          rolename: 'all',
          acls: [acl('subscribePattern', '#', true), acl('unsubscribePattern', '+/#', false)],
        },
        {
          rolename: 'bad',
          acls: [
            acl('publishClientSend', 'a/+/#/x', false),
            acl('publishClientSend', '#/a', false),
            acl('publishClientSend', 'b+', false),
            acl('subscribePattern', 'a/#/b', false),
          ],
        },
        {
          rolename: 'dup',
          acls: [
            acl('subscribeLiteral', 'a/b', true),
            acl('subscribeLiteral', 'a/b', false),
            acl('unsubscribeLiteral', 'c', false),
            acl('unsubscribeLiteral', 'c', true),
          ],
        },
      ],
    } as DynsecState
    const q = (username: string, access: OracleQuery['access'], topic: string): OracleQuery => ({
      username,
      clientId: `${username}-id`,
      access,
      topic,
    })
    const queries = [
      q('u1', 'subscribe', 'a/b'),
      q('u1', 'unsubscribe', 'c'),
      q('u1', 'subscribe', '$CONTROL/dynamic-security/v1'),
      q('u1', 'publishClientSend', '$CONTROL/x'),
      q('u2', 'publishClientSend', 'a/b'),
      q('u2', 'publishClientSend', 'a/b/c'),
      q('u2', 'publishClientSend', 'x/a'),
      q('u2', 'publishClientSend', 'b'),
      q('u2', 'subscribe', 'a/x/b'),
      q('u2', 'subscribe', 'a/b'),
      q('u3', 'subscribe', '$SYS/#'),
      q('u3', 'subscribe', '$CONTROL/#'),
      q('u3', 'unsubscribe', '$SYS/broker/#'),
      q('u3', 'unsubscribe', 'a'),
      q('u3', 'publishClientSend', '$SYS/broker/connection/x/state'),
      q('u3', 'publishClientSend', '$SYS/x'),
      q('u3', 'publishClientReceive', '$SYS/broker/connection/x/state'),
    ]
    const seen = await observe({state, queries})
    expect(seen).toHaveLength(queries.length)
    const wrong = seen
      .map((o) => ({o, v: evaluateDynsec(state, o.query, {layout: '2.0', passwordsKnown: true})}))
      .filter(({o, v}) => o.broker !== v.verdict)
      .map(({o, v}) => `${o.query.access} ${o.query.username} ${o.query.topic}: broker ${o.detail}, mqctl ${v.reason}`)
    expect(wrong).toEqual([])
    // Not vacuous: the corners include both verdicts.
    expect(new Set(seen.map((o) => o.broker))).toEqual(new Set(['allow', 'deny']))
  }, 60_000)

  it('needs one topic per UNSUBSCRIBE: 2.0.11 repeats a 0x87 for an allowed $ topic later in the same packet', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mqctl-unsuback-'))
    const configFile = join(dir, 'dynamic-security.json')
    const state = {
      defaultACLAccess: {publishClientSend: false, publishClientReceive: false, subscribe: false, unsubscribe: true},
      clients: [{username: 'u', disabled: false, roles: [{rolename: 'r'}], groups: [], stored: storedPassword('pw')}],
      groups: [],
      roles: [
        {rolename: 'r', acls: [{acltype: 'unsubscribePattern' as const, topic: 'no/#', priority: 0, allow: false}]},
      ],
    }
    writeFileSync(configFile, encodeDynsecFile(state, '2.0'))
    const broker = await startBroker({dynsec: {configFile}})
    try {
      const c = await connect(broker.port, {username: 'u', clientId: 'u1'})
      const unsub = (topics: string[]) =>
        codesOf((cb) => c!.unsubscribe(topics, {}, (err, packet) => cb(err, packet as {granted?: number[]})))
      // '$foo' is allowed (default), and alone it says so; after a denied topic it does not, because
      // no subscription tree exists under its first level, and the reason code is not reset.
      expect(await unsub(['$foo'])).toEqual([0x00])
      expect(await unsub(['no/x', 'elsewhere', 'no/y', '$foo'])).toEqual([0x87, 0x11, 0x87, 0x87])
      expect(evaluateDynsec(state, {username: 'u', clientId: 'u1', topic: '$foo', access: 'unsubscribe'}).verdict).toBe(
        'allow',
      )
      await c!.endAsync()
    } finally {
      await broker.stop()
    }
  }, 30_000)
})
