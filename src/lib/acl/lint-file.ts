import {readFile} from 'node:fs/promises'

import {MqctlError, fileError} from '../errors.js'
import {readPasswdFile} from '../passwd/store.js'
import {lintParsedAcl} from './lint.js'
import {parseAclFile, type AclFinding} from './parse.js'

export interface AclReport {
  file: string
  errors: number
  warnings: number
  findings: AclFinding[]
}

export async function readAclText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    throw fileError(file, error)
  }
}

export async function lintAclFile(file: string, options: {passwd?: string} = {}): Promise<AclReport> {
  const text = await readAclText(file)
  let knownUsers: Set<string> | undefined
  if (options.passwd) {
    const lines = await readPasswdFile(options.passwd).catch((error: MqctlError) => {
      throw new MqctlError('FILE_PASSWD_OPEN', error.message)
    })
    knownUsers = new Set(lines.filter((l) => l.kind === 'entry').map((l) => l.username!))
  }

  const findings = lintParsedAcl(parseAclFile(text, file), {knownUsers})
  return {
    file,
    errors: findings.filter((f) => f.severity === 'error').length,
    warnings: findings.filter((f) => f.severity === 'warning').length,
    findings,
  }
}
