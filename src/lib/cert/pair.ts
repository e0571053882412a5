import {X509Certificate, createPrivateKey} from 'node:crypto'
import {readFile, rename, stat, unlink} from 'node:fs/promises'
import {join} from 'node:path'

import {MqctlError, fileError} from '../errors.js'
import {syncDirectory, writeTempBeside} from '../files/atomic.js'
import {withFileLock} from '../files/lock.js'

/**
 * A key and its certificate are replaced so that a crash never leaves a mismatched pair in use:
 *
 * 1. the new certificate is written complete as `.<cert>.mqctl-new`, then the new key as
 *    `.<key>.mqctl-new` (each a synced temp file renamed into that name);
 * 2. the key is renamed over `<key>` (the commit point), then the certificate over `<cert>`.
 *
 * A crash before the commit leaves the old pair (the pending files are dropped by the next
 * run); a crash between the two renames leaves the new key and a pending certificate that
 * matches it, which repairPair renames into place. Every mqctl cert command repairs the pairs
 * it reads or writes before anything else, under the key's lock. New keys are 0600, and a
 * replaced key gets 0600 too, whatever mode the old one had.
 */
const pending = (name: string) => `.${name}.mqctl-new`

export interface PairNames {
  dir: string
  key: string
  cert: string
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  )
}

async function pairMatches(keyPath: string, certPath: string): Promise<boolean> {
  try {
    const [key, cert] = await Promise.all([readFile(keyPath, 'latin1'), readFile(certPath, 'latin1')])
    return new X509Certificate(cert).checkPrivateKey(createPrivateKey(key))
  } catch {
    return false
  }
}

/** Finishes or drops an interrupted replacement of the pair (see above); true when it renamed. */
export async function repairPair({dir, key, cert}: PairNames): Promise<boolean> {
  const keyPath = join(dir, key)
  const certPath = join(dir, cert)
  const pendingKey = join(dir, pending(key))
  const pendingCert = join(dir, pending(cert))
  try {
    // A pending key means the commit never happened: the old pair stands.
    if (await exists(pendingKey)) {
      await unlink(pendingKey)
      await unlink(pendingCert).catch(() => {})
      return false
    }

    if (!(await exists(pendingCert))) return false
    if (await pairMatches(keyPath, pendingCert)) {
      await rename(pendingCert, certPath)
      await syncDirectory(dir)
      return true
    }

    await unlink(pendingCert)
    return false
  } catch (error) {
    throw fileError(dir, error, 'repair the key and certificate in')
  }
}

export interface PairContent {
  keyPem: string
  certPem: string
  /** Replace an existing pair (otherwise either file existing is FILE_EXISTS, exit 5). */
  force: boolean
}

/** Writes a key and certificate as one unit (see above); returns [keyPath, certPath]. */
export async function writePair(names: PairNames, content: PairContent): Promise<[string, string]> {
  const keyPath = join(names.dir, names.key)
  const certPath = join(names.dir, names.cert)
  return withFileLock(keyPath, async () => {
    await repairPair(names)
    if (!content.force) {
      for (const path of [keyPath, certPath]) {
        if (await exists(path))
          throw new MqctlError('FILE_EXISTS', `${path} already exists; give --force to replace it`)
      }
    }

    const owner = await stat(keyPath).catch(() => undefined)
    const ids = owner ? {uid: owner.uid, gid: owner.gid} : undefined
    try {
      const certTemp = await writeTempBeside(certPath, Buffer.from(content.certPem), 0o644, ids)
      await rename(certTemp, join(names.dir, pending(names.cert)))
      const keyTemp = await writeTempBeside(keyPath, Buffer.from(content.keyPem), 0o600, ids)
      await rename(keyTemp, join(names.dir, pending(names.key)))
      await syncDirectory(names.dir)
      await rename(join(names.dir, pending(names.key)), keyPath)
      await rename(join(names.dir, pending(names.cert)), certPath)
      await syncDirectory(names.dir)
    } catch (error) {
      await repairPair(names).catch(() => {})
      throw fileError(keyPath, error, 'write')
    }

    return [keyPath, certPath]
  })
}
