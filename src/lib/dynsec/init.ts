import {pbkdf2, randomBytes} from 'node:crypto'
import {promisify} from 'node:util'

import {writeFileAtomic, writeFileExclusive} from '../files/atomic.js'
import {defaultHashParams, hashPassword, type Target} from '../passwd/hash.js'
import {ADMIN_ACLS} from './catalog.js'

const pbkdf2Async = promisify(pbkdf2)

/**
 * The config `mosquitto_ctrl dynsec init` writes (spec 2.7): one admin client with the admin
 * role, which may use the dynsec API and read everything but publish nothing else. 2.0's
 * password triple (12-byte salt, 101 iterations) or 2.1's `encoded_password`.
 */
export async function buildInitialConfig(
  admin: string,
  password: Buffer,
  target: Target = '2.0',
  salt?: Buffer,
): Promise<Record<string, unknown>> {
  let credentials: Record<string, unknown>
  if (target === '2.1') {
    credentials = {encoded_password: await hashPassword(password, defaultHashParams('2.1'), salt)}
  } else {
    const s = salt ?? randomBytes(12)
    const key = await pbkdf2Async(password, s, 101, 64, 'sha512')
    credentials = {password: key.toString('base64'), salt: s.toString('base64'), iterations: 101}
  }

  return {
    clients: [{username: admin, textName: 'Dynsec admin user', ...credentials, roles: [{rolename: 'admin'}]}],
    roles: [{rolename: 'admin', acls: ADMIN_ACLS.map(([acltype, topic]) => ({acltype, topic, allow: true}))}],
    defaultACLAccess: {publishClientSend: false, publishClientReceive: true, subscribe: false, unsubscribe: true},
  }
}

/**
 * Writes the file 0600; an existing file is kept unless `force`. Without `force` the file
 * appears complete or not at all (temp file, fsync, link(2)), so a kill or a full disk never
 * leaves the 0-byte file that would make the rerun say "already exists" and the broker start
 * with no admin. With `force` the replacement is atomic and a FIFO or /dev/stdout is written
 * through (files/atomic.ts).
 */
export async function writeInitialConfig(
  file: string,
  config: Record<string, unknown>,
  options: {force?: boolean; target?: Target} = {},
): Promise<void> {
  // 2.0 pretty-prints with tabs, 2.1 writes compact JSON; the plugin reads either.
  const text = options.target === '2.1' ? JSON.stringify(config) : JSON.stringify(config, null, '\t')
  if (options.force) await writeFileAtomic(file, text, {mode: 0o600})
  else await writeFileExclusive(file, text, 0o600)
}
