/**
 * The dynamic-security plugin as an oracle: seeded random states and queries, each query
 * observed on a real mosquitto 2.0 broker loaded with the state, and compared with
 * evaluateDynsec. Shared by test/integration/dynsec-check-agreement.test.ts (a small sample)
 * and scripts/dynsec-check-differential.ts (the whole corpus).
 *
 * How each access is observed (MQTT 5):
 * - publishClientSend: the PUBACK reason code of a QoS 1 PUBLISH (>= 0x80 is a deny);
 * - subscribe: the SUBACK reason code of that filter; unsubscribe: the UNSUBACK reason code;
 * - publishClientReceive: on a second broker run whose state differs only by a top-priority
 *   role granting subscribePattern `#` (subscribe ACLs never enter the receive walk), the
 *   client subscribes to the topic, a publisher allowed to send everywhere publishes it, and a
 *   round trip on the client's own connection afterwards proves that nothing else will arrive.
 */
import {pbkdf2Sync, randomBytes} from 'node:crypto'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import mqtt, {type MqttClient} from 'mqtt'

import {evaluateDynsec, type CheckAccess} from '../../src/lib/dynsec/evaluate.js'
import {isValidTopicFilter} from '../../src/lib/topic.js'
import {encodeDynsecFile} from '../../src/lib/dynsec/state/file-codec.js'
import type {AclType, DynsecState, StateAcl, StateClient} from '../../src/lib/dynsec/state/model.js'
import {startBroker} from './broker.js'
import {rng} from './rng.js'
import {PLUGIN_ACL_TYPES} from './dynsec-fixtures.js'

export const PASSWORD = 'pw'
const PUBLISHER = 'zz-oracle-pub'
const SUB_ALL_ROLE = 'zz-oracle-suball'

export interface Identity {
  username?: string
  clientId: string
}

export interface OracleQuery extends Identity {
  topic: string
  access: CheckAccess
}

export interface Generated {
  state: DynsecState
  queries: OracleQuery[]
}

/** The stored triple the 2.0 plugin writes for a password (12-byte salt, 101 iterations). */
export function storedPassword(password: string) {
  const salt = randomBytes(12)
  const key = pbkdf2Sync(password, salt, 101, 64, 'sha512')
  return {password: key.toString('base64'), salt: salt.toString('base64'), iterations: 101}
}

const ACL_TYPES: readonly AclType[] = PLUGIN_ACL_TYPES

export function randomState(next: () => number, queriesPerIdentity = 12): Generated {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]
  const chance = (p: number) => next() < p
  const prio = () => pick([-1, 0, 0, 1, 1, 1, 2])
  const first = () => pick(['a', 'a', 'b', 'c', '$SYS', '$foo', '$CONTROL'])
  const level = () => pick(['a', 'b', 'c', 'x'])
  const topicName = () => {
    if (chance(0.08)) return `$SYS/broker/connection/${level()}/state`
    return [first(), ...Array.from({length: Math.floor(next() * 3)}, level)].join('/')
  }

  const filter = () => {
    if (chance(0.06)) return pick(['#', '+', '+/#', '$SYS/#', '$CONTROL/#'])
    if (chance(0.04)) return `$share/g/${level()}/${pick(['#', '+', level()])}`
    const levels = [
      chance(0.15) ? '+' : first(),
      ...Array.from({length: Math.floor(next() * 3)}, () => (chance(0.25) ? '+' : level())),
    ]
    if (chance(0.3)) levels.push('#')
    return levels.join('/')
  }

  // The plugin loads an ACL topic from its file unchecked (addRoleACL would refuse these).
  const aclTopic = () => (chance(0.03) ? pick(['a/#/b', 'a+', '#/a', 'a/+/#/x', '+/#x']) : filter())

  // A small pool of topics per state, so that roles overlap and ties and deny-versus-allow decide.
  const pool = Array.from({length: 3 + Math.floor(next() * 5)}, aclTopic)
  const roleNames = ['r1', 'r2', 'r3', 'r4', 'r5'].slice(0, 2 + Math.floor(next() * 4))
  const roles = roleNames.map((rolename) => {
    const acls: StateAcl[] = []
    for (let i = 0; i < 1 + Math.floor(next() * 6); i++) {
      const acltype = pick(ACL_TYPES)
      const topic = chance(0.8) ? pick(pool) : aclTopic()
      acls.push({acltype, topic, priority: pick([0, 0, 1, 2, 3]), allow: chance(0.6)})
    }

    // The plugin's own order: by type, then priority descending (file order for ties).
    acls.sort((a, b) => ACL_TYPES.indexOf(a.acltype) - ACL_TYPES.indexOf(b.acltype) || b.priority - a.priority)
    return {rolename, acls}
  })

  const roleLinks = () => {
    const names = roleNames.filter(() => chance(0.5))
    return names.map((rolename) => {
      const p = prio()
      return p === -1 ? {rolename} : {rolename, priority: p}
    })
  }

  const groupNames = ['g1', 'g2', 'g3'].slice(0, 1 + Math.floor(next() * 3))
  const groups = groupNames.map((groupname) => ({groupname, roles: roleLinks()}))
  const userNames = ['u1', 'u2', 'u3', 'u4'].slice(0, 2 + Math.floor(next() * 3))
  const clients: StateClient[] = userNames.map((username) => {
    const bound = chance(0.2)
    const groupLinks = groupNames
      .filter(() => chance(0.45))
      .map((groupname) => {
        const p = prio()
        return p === -1 ? {groupname} : {groupname, priority: p}
      })
    return {
      username,
      ...(bound ? {clientid: `${username}-id`} : {}),
      disabled: chance(0.1),
      roles: roleLinks(),
      groups: groupLinks,
      ...(chance(0.08) ? {} : {stored: storedPassword(PASSWORD)}),
    }
  })

  const state: DynsecState = {
    defaultACLAccess: {
      publishClientSend: chance(0.4),
      publishClientReceive: chance(0.5),
      subscribe: chance(0.4),
      unsubscribe: chance(0.5),
    },
    ...(chance(0.6) ? {anonymousGroup: pick(groupNames)} : {}),
    clients,
    groups,
    roles,
  }

  const identities: Identity[] = clients.map((c) => ({
    username: c.username,
    clientId: c.clientid !== undefined && chance(0.8) ? c.clientid : `${c.username}-other`,
  }))
  identities.push({clientId: 'anon-1'})
  if (chance(0.3)) identities.push({username: 'nobody', clientId: 'nobody-id'})
  const queries: OracleQuery[] = []
  for (const who of identities) {
    for (let i = 0; i < queriesPerIdentity; i++) {
      const access = pick(['publishClientSend', 'publishClientReceive', 'subscribe', 'unsubscribe'] as const)
      let topic = access.startsWith('publish') ? topicName() : filter()
      // Most queries come from an ACL of the state, so that ACLs (not the defaults) decide often.
      const kind = access.startsWith('publish') ? access : access === 'subscribe' ? 'subscribe' : 'unsubscribe'
      const valid = roles.flatMap((r) => r.acls).filter((a) => isValidTopicFilter(a.topic))
      const ofKind = valid.filter((a) => a.acltype.startsWith(kind))
      const acls = ofKind.length > 0 && chance(0.8) ? ofKind : valid
      if (acls.length > 0 && chance(0.7)) {
        const from = pick(acls).topic
        topic = access.startsWith('publish') ? instantiate(from, next) : chance(0.5) ? from : narrow(from, next)
      }

      // Receive is seen through a publish, which the broker refuses on $SYS (but for bridge
      // states) and $share, and routes to the plugins on $CONTROL.
      if (access === 'publishClientReceive') {
        if (topic.startsWith('$CONTROL')) topic = topic.replace('$CONTROL', '$foo')
        if (topic.startsWith('$share')) topic = topic.replace('$share', 'a')
        if (topic.startsWith('$SYS') && !/^\$SYS\/broker\/connection\/[^/]+\/state$/.test(topic))
          topic = `$SYS/broker/connection/${level()}/state`
      }

      if (!queries.some((q) => q.access === access && q.topic === topic && q.username === who.username))
        queries.push({...who, topic, access})
    }
  }

  return {state, queries}
}

const LEVELS = ['a', 'b', 'c', 'x']

/** A topic name the filter matches: `+` becomes a level, `#` zero to two levels. */
function instantiate(filter: string, next: () => number): string {
  const out: string[] = []
  for (const level of filter.split('/')) {
    if (level === '+') out.push(LEVELS[Math.floor(next() * LEVELS.length)])
    else if (level === '#') for (let i = Math.floor(next() * 3); i > 0; i--) out.push(LEVELS[Math.floor(next() * 4)])
    else out.push(level)
  }

  if (out.length === 0 || (out[0].startsWith('$') && filter.startsWith('$') === false)) out.unshift('a')
  return out.join('/')
}

/** A filter near this one: a level replaced by `+`, `#` cut or added, or the filter instantiated. */
function narrow(filter: string, next: () => number): string {
  const levels = filter.split('/')
  const r = next()
  if (r < 0.3 && levels.at(-1) === '#') return [...levels.slice(0, -1), 'a'].join('/')
  if (r < 0.5) return [...levels.filter((l) => l !== '#'), '#'].join('/')
  if (r < 0.7) {
    const i = Math.floor(next() * levels.length)
    if (levels[i] !== '#') levels[i] = '+'
    return levels.join('/')
  }

  return instantiate(filter, next)
}

/** The state the receive run uses: subscribing to anything is allowed, nothing else changes. */
function receiveState(state: DynsecState): DynsecState {
  const roles = [
    ...state.roles,
    {rolename: SUB_ALL_ROLE, acls: [{acltype: 'subscribePattern' as const, topic: '#', priority: 0, allow: true}]},
    {
      rolename: 'zz-oracle-pubrole',
      acls: ['#', '$SYS/#', '$foo/#'].map((topic) => ({
        acltype: 'publishClientSend' as const,
        topic,
        priority: 0,
        allow: true,
      })),
    },
  ]
  const top = {rolename: SUB_ALL_ROLE, priority: 1_000_000}
  const clients = state.clients.map((c) => ({...c, roles: [...c.roles, top]}))
  clients.push({
    username: PUBLISHER,
    disabled: false,
    roles: [{rolename: 'zz-oracle-pubrole'}],
    groups: [],
    stored: storedPassword(PASSWORD),
  })
  let groups = state.groups
  let anonymousGroup = state.anonymousGroup
  if (anonymousGroup === undefined) {
    anonymousGroup = 'zz-oracle-anon'
    groups = [...groups, {groupname: anonymousGroup, roles: []}]
  }

  groups = groups.map((g) => (g.groupname === anonymousGroup ? {...g, roles: [...g.roles, top]} : g))
  return {...state, anonymousGroup, roles, clients, groups}
}

export async function connect(port: number, who: Identity, password = PASSWORD): Promise<MqttClient | undefined> {
  try {
    return await mqtt.connectAsync({
      host: '127.0.0.1',
      port,
      protocolVersion: 5,
      clientId: who.clientId,
      ...(who.username === undefined ? {} : {username: who.username, password}),
      reconnectPeriod: 0,
      resubscribe: false,
      connectTimeout: 5000,
    })
  } catch {
    return undefined
  }
}

export const codesOf = (fn: (cb: (err: unknown, packet?: {granted?: number[]}) => void) => void) =>
  new Promise<number[]>((resolve) => {
    fn((err, packet) => resolve(packet?.granted ?? (err ? [] : [])))
  })

const verdictOf = (code: number | undefined) => (code === undefined ? 'unobservable' : code < 0x80 ? 'allow' : 'deny')

/** What the broker decided: 'allow' | 'deny' per query, or a note when it could not be seen. */
export interface Observation {
  query: OracleQuery
  broker: 'allow' | 'deny' | 'unobservable'
  detail: string
}

export async function observe(generated: Generated): Promise<Observation[]> {
  const dir = mkdtempSync(join(tmpdir(), 'mqctl-dynsec-oracle-'))
  const out: Observation[] = []
  try {
    const byIdentity = new Map<string, OracleQuery[]>()
    for (const q of generated.queries) {
      const key = `${q.username ?? ''}\u0000${q.clientId}`
      byIdentity.set(key, [...(byIdentity.get(key) ?? []), q])
    }

    await withBroker(dir, 'a', generated.state, async (port) => {
      for (const qs of byIdentity.values()) {
        const direct = qs.filter((q) => q.access !== 'publishClientReceive')
        if (direct.length === 0) continue
        const client = await connect(port, qs[0])
        if (!client) {
          for (const q of direct) out.push({query: q, broker: 'deny', detail: 'CONNACK refused'})
          continue
        }

        for (const q of direct.filter((x) => x.access === 'publishClientSend')) {
          const code = await client.publishAsync(q.topic, 'x', {qos: 1}).then(
            (p) => (p as {reasonCode?: number} | undefined)?.reasonCode ?? 0,
            (e: {code?: number}) => e.code ?? -1,
          )
          out.push({query: q, broker: code >= 0 && code < 0x80 ? 'allow' : 'deny', detail: `PUBACK ${code}`})
        }

        const subs = direct.filter((x) => x.access === 'subscribe')
        if (subs.length > 0) {
          const codes = await codesOf((cb) =>
            client.subscribe(
              subs.map((q) => q.topic),
              {qos: 0},
              (err, _granted, packet) => cb(err, packet as {granted?: number[]}),
            ),
          )
          subs.forEach((q, i) => out.push({query: q, broker: verdictOf(codes[i]), detail: `SUBACK ${codes[i]}`}))
        }

        // One topic per UNSUBSCRIBE: 2.0.11 does not reset the reason code between the topics of one
        // packet, so an allowed $ topic with no subscription under its first level repeats a previous 0x87.
        for (const q of direct.filter((x) => x.access === 'unsubscribe')) {
          const [c] = await codesOf((cb) =>
            client.unsubscribe(q.topic, {}, (err, packet) => cb(err, packet as {granted?: number[]})),
          )
          out.push({query: q, broker: verdictOf(c), detail: `UNSUBACK ${c}`})
        }

        await client.endAsync()
      }
    })

    const receiving = [...byIdentity.values()].map((qs) => qs.filter((q) => q.access === 'publishClientReceive'))
    if (receiving.some((qs) => qs.length > 0)) {
      await withBroker(dir, 'b', receiveState(generated.state), async (port) => {
        const publisher = await connect(port, {username: PUBLISHER, clientId: 'zz-oracle-pub'})
        if (!publisher) throw new Error('the oracle publisher cannot connect')
        for (const qs of receiving.filter((x) => x.length > 0)) {
          const client = await connect(port, qs[0])
          if (!client) {
            for (const q of qs) out.push({query: q, broker: 'deny', detail: 'CONNACK refused'})
            continue
          }

          const received = new Set<string>()
          client.on('message', (topic) => received.add(topic))
          const codes = await codesOf((cb) =>
            client.subscribe(
              qs.map((q) => q.topic),
              {qos: 0},
              (err, _g, packet) => cb(err, packet as {granted?: number[]}),
            ),
          )
          for (const q of qs) {
            await publisher.publishAsync(q.topic, 'y', {qos: 1}).catch((e: {code?: number}) => {
              throw new Error(`the oracle publisher was refused ${q.topic}: ${e.code}`)
            })
          }

          // Whatever the broker queued for this client before now arrives before this reply.
          await client.unsubscribeAsync('zz/oracle/sentinel')
          qs.forEach((q, i) => {
            const granted = codes[i] !== undefined && codes[i] < 0x80
            out.push({
              query: q,
              broker: !granted ? 'unobservable' : received.has(q.topic) ? 'allow' : 'deny',
              detail: granted ? (received.has(q.topic) ? 'delivered' : 'not delivered') : `SUBACK ${codes[i]}`,
            })
          })
          await client.endAsync()
        }

        await publisher.endAsync()
      })
    }
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }

  return out
}

async function withBroker(dir: string, tag: string, state: DynsecState, body: (port: number) => Promise<void>) {
  const configFile = join(dir, `dynamic-security-${tag}.json`)
  writeFileSync(configFile, encodeDynsecFile(state, '2.0'))
  const broker = await startBroker({allowAnonymous: true, dynsec: {configFile}})
  try {
    await body(broker.port)
  } finally {
    await broker.stop()
  }
}

export interface CaseResult {
  cases: number
  unobservable: number
  disagreements: string[]
  /** How many cases each `access verdict/stage` had: proof that the corpus is not one-sided. */
  coverage: Record<string, number>
}

/** Generates states until `cases` queries were observed; every disagreement is described. */
export async function runAgreement(
  seed: number,
  cases: number,
  options: {queriesPerIdentity?: number; log?: (line: string) => void} = {},
): Promise<CaseResult> {
  const next = rng(seed)
  const result: CaseResult = {cases: 0, unobservable: 0, disagreements: [], coverage: {}}
  for (let n = 0; result.cases < cases; n++) {
    const generated = randomState(next, options.queriesPerIdentity)
    for (const o of await observe(generated)) {
      if (o.broker === 'unobservable') {
        result.unobservable++
        continue
      }

      result.cases++
      const v = evaluateDynsec(generated.state, o.query, {layout: '2.0', passwordsKnown: true})
      const key = `${o.query.access} ${o.broker}/${v.stage}`
      result.coverage[key] = (result.coverage[key] ?? 0) + 1
      if (v.verdict !== o.broker) {
        const q = o.query
        result.disagreements.push(
          `state #${n} ${q.access} ${q.username ?? '(anonymous)'}/${q.clientId} ${q.topic}: broker ${o.broker} (${o.detail}), mqctl ${v.verdict} (${v.reason})\n${encodeDynsecFile(generated.state, '2.0')}`,
        )
      }
    }

    options.log?.(`state #${n}: ${result.cases} cases, ${result.disagreements.length} disagreement(s)`)
  }

  return result
}
