import {describe, expect, it} from 'vitest'

import {chunkPayloads} from '../../../src/lib/dynsec/chunks.js'
import type {DynsecRequest} from '../../../src/lib/dynsec/schemas.js'

const create = (i: number): DynsecRequest => ({command: 'createRole', rolename: `r${i}`})
const remove: DynsecRequest = {command: 'removeRoleACL', rolename: 'admin', acltype: 'publishClientSend', topic: 't'}
const add: DynsecRequest = {...remove, command: 'addRoleACL', allow: true, priority: 0}
const commandsOf = (chunks: Array<[number, string]>) =>
  chunks.map(([n, payload]) => {
    const list = (JSON.parse(payload) as {commands: DynsecRequest[]}).commands
    expect(list).toHaveLength(n)
    return list
  })

describe('chunkPayloads', () => {
  it('starts a new request at a deleteClient that follows a getGroup or listGroups (the plugin answers those by reference)', () => {
    const del: DynsecRequest = {command: 'deleteClient', username: 'u'}
    const all: DynsecRequest[] = [
      create(0),
      {command: 'getGroup', groupname: 'g'},
      create(1),
      del,
      del,
      {command: 'listGroups', verbose: true},
      del,
      {command: 'getClient', username: 'u'},
      del,
    ]
    const chunks = commandsOf(chunkPayloads(all))
    expect(chunks.map((c) => c.length)).toEqual([3, 3, 3])
    expect(chunks.flat()).toEqual(all)
    // State reads (lists, then clients) stay one request.
    const reads: DynsecRequest[] = [
      {command: 'listGroups', verbose: true},
      {command: 'listClients', verbose: true},
    ]
    expect(chunkPayloads(reads)).toHaveLength(1)
  })

  it('splits at 100 commands and keeps every command once, in order', () => {
    const all = Array.from({length: 250}, (_, i) => create(i))
    const chunks = commandsOf(chunkPayloads(all))
    expect(chunks.map((c) => c.length)).toEqual([100, 100, 50])
    expect(chunks.flat()).toEqual(all)
  })

  it('keeps an ACL re-add in the request of its removal, where a boundary would fall between them', () => {
    const all = [...Array.from({length: 99}, (_, i) => create(i)), remove, add, create(99)]
    const chunks = commandsOf(chunkPayloads(all))
    expect(chunks.map((c) => c.length)).toEqual([99, 3])
    expect(chunks[1].slice(0, 2)).toEqual([remove, add])
    expect(chunks.flat()).toEqual(all)
    // Different ACLs are split as usual.
    const other = {...add, topic: 'u'}
    const split = commandsOf(chunkPayloads([...all.slice(0, 100), other]))
    expect(split.map((c) => c.length)).toEqual([100, 1])
  })
})
