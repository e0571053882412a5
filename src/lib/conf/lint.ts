import {fileError, isMqctlError} from '../errors.js'
import type {Finding} from '../output/findings.js'
import {checkEntries, finding, show, type ConfModel} from './check.js'
import {
  checkAclFile,
  checkBrokerAccount,
  checkListenerMachine,
  checkPasswordFile,
  checkPlugin,
  checkPskFile,
  checkTls,
} from './lint-files.js'
import {loadConf} from './load.js'
import type {Version} from './options.js'

/**
 * mosquitto.conf findings: what makes the broker refuse to start (errors, in its own words
 * where it has them) and what starts but is risky (warnings). Rule ids are stable. The
 * parser's rules come from the option table (options.ts) through the checker (check.ts);
 * this module adds the judgement of listeners and the files the config names.
 */
export interface ConfLintOptions {
  target?: Version
  fileChecks?: boolean
  /** Entries checked of all entries read (the main file's and its include_dir files'). */
  onProgress?: (done: number, total: number) => void
}

const LOOPBACK = (bind: string | undefined) =>
  bind !== undefined && (bind === 'localhost' || bind.startsWith('127.') || bind === '::1')

function listenerWarnings(model: ConfModel, findings: Finding[]): void {
  const warn = (e: Parameters<typeof finding>[0], rule: string, message: string) =>
    findings.push(finding(e, rule, 'warning', message))
  for (const l of model.listeners) {
    const get = (name: string) => l.options.get(name)
    const security = (name: string) =>
      ((model.perListener ? l.security.get(name) : undefined) ?? model.globalSecurity.get(name))?.at(-1)
    const tls = get('certfile') && get('keyfile')
    const psk = get('psk_hint')
    if ((get('certfile') || get('cafile')) && psk && !l.refusesCertAndPsk)
      warn(
        psk,
        'conf/cert-and-psk',
        'certificate and PSK encryption on one listener: mosquitto serves the certificate and PSK clients cannot connect (this order loads; cafile or certfile after psk_hint stops the broker)',
      )
    if (model.target === '2.0' && Boolean(get('certfile')) !== Boolean(get('keyfile'))) {
      const e = get('certfile') ?? get('keyfile')!
      warn(
        e,
        'conf/tls-half',
        `${e.name} without ${e.name === 'certfile' ? 'keyfile' : 'certfile'}: mosquitto 2.0 then serves plain, unencrypted MQTT on this listener`,
      )
    }

    const tlsVersion = get('tls_version')
    const tlsContext = get('protocol')?.word !== 'websockets' && (tls || psk)
    if (tlsVersion && !['tlsv1.3', 'tlsv1.2', 'tlsv1.1'].includes(tlsVersion.value)) {
      if (tlsContext)
        findings.push(finding(tlsVersion, 'conf/tls', 'error', `Unsupported tls_version "${show(tlsVersion.value)}".`))
      else
        warn(
          tlsVersion,
          'conf/invalid-value',
          `tls_version "${show(tlsVersion.value)}" is not one of tlsv1.3, tlsv1.2, tlsv1.1 (ignored: the listener has no TLS)`,
        )
    }

    const publicListener = !model.implicitDefault && l.port !== 0 && !LOOPBACK(l.bind)
    if (publicListener && !tls && !psk) {
      warn(
        l.entry,
        'conf/plaintext-public',
        `listener on port ${l.port} accepts connections from ${l.bind ? show(l.bind) : 'every address'} without TLS: passwords and messages cross the network in clear text`,
      )
      const anon = security('allow_anonymous')
      if (anon && (anon.word === 'true' || anon.word === '1')) {
        warn(
          anon,
          'conf/anonymous-public',
          `allow_anonymous true on a listener reachable from ${l.bind ? show(l.bind) : 'every address'}: anyone may connect`,
        )
      }
    }
  }
}

/**
 * An errno from a file the config names (ELOOP, EACCES, EIO, EROFS …) is a file error with the
 * documented exit 5, never an unexplained crash.
 */
export async function lintConf(file: string, options: ConfLintOptions = {}): Promise<Finding[]> {
  try {
    return await lintConfUnchecked(file, options)
  } catch (error) {
    const errno = error as NodeJS.ErrnoException
    if (!isMqctlError(error) && typeof errno?.code === 'string' && /^E[A-Z]+$/.test(errno.code))
      throw fileError(errno.path ?? file, error)
    throw error
  }
}

async function lintConfUnchecked(file: string, options: ConfLintOptions): Promise<Finding[]> {
  const target = options.target ?? '2.0'
  const findings: Finding[] = []
  const {entries} = loadConf(file, findings, {target})
  const model = checkEntries(entries, target, findings, options.onProgress)
  listenerWarnings(model, findings)
  const fileChecks = options.fileChecks !== false
  if (fileChecks && !model.implicitDefault) {
    for (const l of model.listeners) {
      await checkListenerMachine(l, findings, target)
      if (l.options.get('certfile') && l.options.get('keyfile')) await checkTls(l, findings)
    }
  }

  const scopes = model.perListener
    ? [model.globalSecurity, ...model.listeners.map((l) => l.security)]
    : [model.globalSecurity]
  for (const sec of scopes) {
    const plugins = [...(sec.get('plugin') ?? []), ...(sec.get('auth_plugin') ?? [])]
    const pw = sec.get('password_file')?.at(-1)
    if (pw && plugins.some((p) => p.value.includes('dynamic_security'))) {
      findings.push(
        finding(
          pw,
          'conf/password-and-dynsec',
          'warning',
          'both a password_file and the dynamic-security plugin: a user in either may log in, and a stale password_file keeps the broker from starting when it goes missing (mosquitto #3550)',
        ),
      )
    }

    if (!fileChecks) continue
    if (pw) await checkPasswordFile(pw, findings)
    const acl = sec.get('acl_file')?.at(-1)
    if (acl) await checkAclFile(acl, findings)
    for (const p of plugins) await checkPlugin(p, findings)
    const pskFile = sec.get('psk_file')?.at(-1)
    if (pskFile) await checkPskFile(pskFile, findings)
  }

  if (fileChecks) await checkBrokerAccount(entries, findings)
  // One collator, made only when findings come from two files: the first localeCompare builds
  // ICU's collator (~10 ms of start-up), and a comparison per pair is slow on 300,000 findings.
  let collator: Intl.Collator | undefined
  const byFile = (a: Finding, b: Finding) =>
    a.file === b.file ? 0 : (collator ??= new Intl.Collator()).compare(a.file ?? '', b.file ?? '')
  return findings.sort((a, b) => byFile(a, b) || a.line - b.line || a.column - b.column)
}

export {CONF_RULES} from './rules.js'
