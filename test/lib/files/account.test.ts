import {describe, expect, it} from 'vitest'

import {brokerAccount, type Account} from '../../../src/lib/files/account.js'

const accounts: Record<string, Account> = {
  nobody: {name: 'nobody', uid: 65_534, gids: [65_534]},
  app: {name: 'app', uid: 1000, gids: [1000]},
}
const lookup = async (name: string) => accounts[name]

// The broker's drop_privileges (2.0.11): the named user; for "mosquitto", "nobody" when missing.
describe('brokerAccount', () => {
  it('falls back to nobody only for the default user mosquitto', async () => {
    expect(await brokerAccount(undefined, true, lookup)).toEqual({
      kind: 'switches',
      account: accounts.nobody,
      fellBack: true,
    })
    expect(await brokerAccount('mosquitto', true, lookup)).toMatchObject({kind: 'switches', fellBack: true})
    expect(await brokerAccount('ghost', true, lookup)).toEqual({kind: 'missing', name: 'ghost'})
    expect(await brokerAccount('app', true, lookup)).toEqual({kind: 'switches', account: accounts.app, fellBack: false})
  })

  it('keeps the account when not started as root, or with user root', async () => {
    expect(await brokerAccount('ghost', false, lookup)).toEqual({kind: 'unchanged'})
    expect(await brokerAccount('root', true, lookup)).toEqual({kind: 'unchanged'})
  })

  it('is missing when neither mosquitto nor nobody exists', async () => {
    expect(await brokerAccount(undefined, true, async () => undefined)).toEqual({kind: 'missing', name: 'nobody'})
  })
})
