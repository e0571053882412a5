import {constants} from 'node:fs'
import {open, type FileHandle} from 'node:fs/promises'

import {MqctlError, fileError} from '../errors.js'
import {inspectWriteTarget, openFifo, writeAll} from '../files/target.js'
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

/** An audit log opened for appending before anything is sent. */
export interface AuditLog {
  /** Appends the lines in one write, so parallel applies do not interleave lines. */
  append(entries: readonly AuditEntry[]): Promise<void>
  close(): Promise<void>
}

/**
 * Opens the audit log (0600 when new) before the first command goes out: a log that cannot be
 * written (a missing or read-only directory, a FIFO nobody reads) must stop the apply while
 * nothing is applied, not after the broker took changes that then go unrecorded. A FIFO waits
 * for its reader as every writer's does (10 s), instead of hanging.
 */
export async function openAuditLog(path: string): Promise<AuditLog> {
  let handle: FileHandle
  try {
    const where = await inspectWriteTarget(path)
    handle =
      where.kind === 'special' && where.stat.isFIFO()
        ? await openFifo(path)
        : await open(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOCTTY, 0o600)
  } catch (error) {
    const e = error instanceof MqctlError ? error : fileError(path, error, 'open the audit log')
    throw new MqctlError(e.code, e.message, {cause: e.cause, location: e.location, hint: 'nothing was sent'})
  }

  return {
    async append(entries) {
      if (entries.length === 0) return
      try {
        await writeAll(handle, Buffer.from(entries.map((e) => JSON.stringify(e) + '\n').join(''), 'utf8'))
      } catch (error) {
        throw fileError(path, error, 'append to')
      }
    },
    close: () => handle.close().catch(() => {}),
  }
}
