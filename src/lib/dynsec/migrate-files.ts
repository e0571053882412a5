import {pbkdf2Sync} from 'node:crypto'
import {stat} from 'node:fs/promises'
import {resolve} from 'node:path'

import {parseAclFile} from '../acl/parse.js'
import {MqctlError} from '../errors.js'
import {writeFileAtomic} from '../files/atomic.js'
import {readInputFile} from '../files/input.js'
import {parsePasswdFile} from '../passwd/file.js'
import {defaultHashParams, freshSalt, hashPassword} from '../passwd/hash.js'
import {encodeDynsecFile} from './state/file-codec.js'
import type {StoredPassword} from './state/model.js'
import {configLines, migrate, type MigrationItem, type MigrationTarget} from './migrate.js'

/** `dynsec migrate` from files to a file: read, check, convert, and write only when exact (or accepted). */
export interface MigrateFilesOptions {
  passwd: string
  acl: string
  output: string
  target: MigrationTarget
  admin?: {username: string; password: Buffer}
  acceptLossy?: boolean
  force?: boolean
}

export interface MigrateFilesReport {
  /** False when something could not be carried exactly and --accept-lossy was not given (exit 1). */
  written: boolean
  output: string
  target: MigrationTarget
  lossy: number
  items: MigrationItem[]
  users: {carried: number; notCarried: number}
  roles: number
  config: string[]
}

async function storedFor(password: Buffer, target: MigrationTarget): Promise<StoredPassword> {
  if (target === '2.1') return {encoded_password: await hashPassword(password, defaultHashParams('2.1'))}
  const salt = freshSalt(12)
  const key = pbkdf2Sync(password, salt, 101, 64, 'sha512')
  return {password: key.toString('base64'), salt: salt.toString('base64'), iterations: 101}
}

export async function migrateFiles(o: MigrateFilesOptions): Promise<MigrateFilesReport> {
  const passwd = readInputFile(o.passwd, {label: 'password file'})
  const aclFile = readInputFile(o.acl, {label: 'ACL file'})
  const parsed = parseAclFile(aclFile.bytes.toString('utf8'), aclFile.name)
  if (parsed.errors.length > 0) {
    const e = parsed.errors[0]
    throw new MqctlError('PARSE_ACL', `the broker refuses this ACL file: ${e.message}`, {
      location: {file: aclFile.name, line: e.line, column: e.column},
    })
  }

  const lines = parsePasswdFile(passwd.bytes)
  if (o.admin && lines.some((l) => l.kind === 'entry' && l.username === o.admin!.username)) {
    throw new MqctlError('USAGE_ADMIN_EXISTS', `--admin ${o.admin.username}: the password file has this user already`)
  }

  const result = migrate({
    passwd: {name: passwd.name, lines},
    acl: {name: aclFile.name, parsed},
    target: o.target,
    ...(o.admin ? {admin: {username: o.admin.username, stored: await storedFor(o.admin.password, o.target)}} : {}),
  })
  const lossy = result.items.filter((i) => i.severity === 'lossy').length
  const report: MigrateFilesReport = {
    written: lossy === 0 || o.acceptLossy === true,
    output: o.output,
    target: o.target,
    lossy,
    items: result.items,
    users: result.users,
    roles: result.state.roles.length,
    config: configLines(resolve(o.output)),
  }
  if (!report.written) return report

  const existing = await stat(o.output).catch(() => undefined)
  if (existing && !o.force) {
    throw new MqctlError('FILE_EXISTS', `'${o.output}' already exists; remove it or give --force to replace it`)
  }

  await writeFileAtomic(o.output, encodeDynsecFile(result.state, o.target), {mode: 0o600})
  return report
}
