import {appendFile} from 'node:fs/promises'

import {fileError} from '../errors.js'
import type {DynsecRequest} from './schemas.js'

/** One line of `--audit-log`: who changed what where. Never a password. */
export interface AuditEntry {
  time: string
  admin: string | null
  broker: string
  command: string
  object: Record<string, unknown>
}

const OBJECT_KEYS = ['username', 'groupname', 'rolename', 'acltype', 'topic', 'clientid', 'priority', 'allow']

export function auditEntry(request: DynsecRequest, admin: string | undefined, broker: string): AuditEntry {
  const object: Record<string, unknown> = {}
  for (const key of OBJECT_KEYS) if (request[key] !== undefined) object[key] = request[key]
  if (request.command === 'setDefaultACLAccess') object.acls = request.acls
  return {time: new Date().toISOString(), admin: admin ?? null, broker, command: request.command, object}
}

/** Appends the lines in one write (0600 for a new file), so parallel applies do not interleave lines. */
export async function appendAudit(path: string, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return
  try {
    await appendFile(path, entries.map((e) => JSON.stringify(e) + '\n').join(''), {mode: 0o600})
  } catch (error) {
    throw fileError(path, error, 'append to')
  }
}
