import type {DynsecState} from './model.js'

/** What a fresh plugin holds when the config file is absent (spec 3.5: all four false). */
export const emptyState = (): DynsecState => ({
  defaultACLAccess: {publishClientSend: false, publishClientReceive: false, subscribe: false, unsubscribe: false},
  clients: [],
  groups: [],
  roles: [],
})
