import {describe, expect, it} from 'vitest'

import {runDynsecRequest, sendGuarded, type Sender} from '../../../src/lib/dynsec/run.js'
import type {DynsecRequest, DynsecResponse} from '../../../src/lib/dynsec/schemas.js'
import {executeCommand} from '../../../src/lib/dynsec/state/execute.js'
import {emptyState} from '../../../src/lib/dynsec/state/model.js'
import type {MqctlError} from '../../../src/lib/errors.js'

/** The file model as a sender that records each request it is given (a request = one send). */
function modelSender() {
  const state = emptyState()
  const ctx = {passwords: new Map<string, string | null>()}
  const sent: DynsecRequest[][] = []
  const sender: Sender = {
    async send(commands: readonly DynsecRequest[]): Promise<DynsecResponse[]> {
      sent.push([...commands])
      return commands.map((c) => executeCommand(state, c, ctx))
    },
  }
  return {sender, sent}
}

describe('sendGuarded', () => {
  it('refuses a deleteGroup of the group that is anonymous at that point, and sends the rest in order', async () => {
    const {sender, sent} = modelSender()
    const requests: DynsecRequest[] = [
      {command: 'createGroup', groupname: 'a'},
      {command: 'createGroup', groupname: 'b'},
      {command: 'setAnonymousGroup', groupname: 'a'},
      {command: 'deleteGroup', groupname: 'a'},
      {command: 'setAnonymousGroup', groupname: 'b'},
      {command: 'deleteGroup', groupname: 'a'},
      {command: 'listGroups'},
    ]
    const replies = await sendGuarded(sender, requests)
    expect(replies.map((r) => [r.command, r.error])).toEqual([
      ['createGroup', undefined],
      ['createGroup', undefined],
      ['setAnonymousGroup', undefined],
      ['deleteGroup', 'Deleting the anonymous group is forbidden'],
      ['setAnonymousGroup', undefined],
      ['deleteGroup', undefined],
      ['listGroups', undefined],
    ])
    expect(replies.at(-1)?.data).toEqual({groups: ['b'], totalCount: 1})
    // The refused one never went out; each deleteGroup waited for the anonymous group after the lines before it.
    expect(sent.flat().filter((r) => r.command === 'deleteGroup')).toHaveLength(1)
    expect(sent.map((s) => s.at(-1)?.command)).toEqual(['getAnonymousGroup', 'getAnonymousGroup', 'listGroups'])
  })

  it('answers 200,000 requests (a large batch) without overflowing the stack', async () => {
    const {sender} = modelSender()
    const requests = Array.from({length: 200_000}, (_, i): DynsecRequest => ({
      command: 'createRole',
      rolename: `r${i}`,
    }))
    const replies = await sendGuarded(sender, requests)
    expect(replies).toHaveLength(200_000)
    expect(replies.every((r) => r.error === undefined)).toBe(true)
  })
})

describe('runDynsecRequest', () => {
  it('refuses a deleteGroup of the anonymous group with the guard of batch, and never sends it', async () => {
    const {sender, sent} = modelSender()
    await sender.send([
      {command: 'createGroup', groupname: 'a'},
      {command: 'setAnonymousGroup', groupname: 'a'},
    ])
    const err = (await runDynsecRequest(sender, {command: 'deleteGroup', groupname: 'a'}).catch((e) => e)) as MqctlError
    expect([err.code, err.verbatim, err.hint]).toEqual([
      'REFUSED_DYNSEC',
      'deleteGroup: Error: Deleting the anonymous group is forbidden',
      'setAnonymousGroup another group first',
    ])
    expect(sent.flat().filter((r) => r.command === 'deleteGroup')).toHaveLength(0)
    // Another group is deleted, after the anonymous group was asked for.
    await sender.send([{command: 'createGroup', groupname: 'b'}])
    await runDynsecRequest(sender, {command: 'deleteGroup', groupname: 'b'})
    expect(sent.slice(-2).map((s) => s.map((r) => r.command))).toEqual([['getAnonymousGroup'], ['deleteGroup']])
  })
})
