import {X509Certificate, createPrivateKey} from 'node:crypto'
import {constants} from 'node:fs'
import {access, open, readFile, readdir, stat} from 'node:fs/promises'
import {isIP} from 'node:net'
import {join, resolve} from 'node:path'

import {lintAclText} from '../acl/lint.js'
import {fileError} from '../errors.js'
import {accountCanRead, lookupAccount} from '../files/account.js'
import type {Finding} from '../output/findings.js'
import {checkPasswdLines} from '../passwd/check.js'
import {parsePasswdFile} from '../passwd/file.js'
import {CONF_OPTIONS, isPluginOption} from './options.js'
import {parseConf, type ConfEntry} from './parse.js'

/**
 * mosquitto.conf findings: what makes the broker refuse to start (errors, in its own words
 * where it has them) and what starts but is risky (warnings). Rule ids are stable.
 */
export interface ConfLintOptions {
  target?: '2.0' | '2.1'
  fileChecks?: boolean
}

interface Listener {
  port: number
  bind?: string
  entry: ConfEntry
  options: Map<string, ConfEntry>
  security: Map<string, ConfEntry[]>
}

const finding = (
  e: Pick<ConfEntry, 'file' | 'line' | 'column'>,
  rule: string,
  severity: Finding['severity'],
  message: string,
): Finding => ({
  rule,
  severity,
  message,
  file: e.file,
  line: e.line,
  column: e.column,
})

/** Reads a config and the files its include_dir lines name, in the broker's order. */
export async function loadConfEntries(file: string, findings: Finding[], depth = 0): Promise<ConfEntry[]> {
  let text: string
  try {
    const st = await stat(file)
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), {code: 'EISDIR'})
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw fileError(file, error)
  }

  const out: ConfEntry[] = []
  for (const entry of parseConf(text, file).entries) {
    if (entry.name !== 'include_dir' || depth > 8) {
      out.push(entry)
      continue
    }

    out.push(entry)
    let names: string[]
    try {
      names = (await readdir(entry.value)).filter((n) => n.endsWith('.conf')).sort()
    } catch {
      findings.push(finding(entry, 'conf/include-dir', 'error', `Unable to open include_dir '${entry.value}'.`))
      continue
    }

    for (const name of names) out.push(...(await loadConfEntries(join(entry.value, name), findings, depth + 1)))
  }

  return out
}

const LOOPBACK = (bind: string | undefined) =>
  bind !== undefined && (bind === 'localhost' || bind.startsWith('127.') || bind === '::1')

export async function lintConf(file: string, options: ConfLintOptions = {}): Promise<Finding[]> {
  const target = options.target ?? '2.0'
  const findings: Finding[] = []
  const entries = await loadConfEntries(file, findings)
  const err = (e: ConfEntry, rule: string, message: string) => findings.push(finding(e, rule, 'error', message))
  const warn = (e: ConfEntry, rule: string, message: string) => findings.push(finding(e, rule, 'warning', message))

  let perListener = false
  let securitySeen: ConfEntry | undefined
  const listeners: Listener[] = []
  const refusesCertAndPsk = new Set<Listener>()
  const defaultListener: Listener = {port: 1883, entry: entries[0], options: new Map(), security: new Map()}
  let defaultUsed = false
  let current: Listener | undefined
  const globalSecurity = new Map<string, ConfEntry[]>()
  const globals = new Map<string, ConfEntry>()
  let pluginSeen = false

  for (const e of entries) {
    const spec = CONF_OPTIONS[e.name]
    if (!spec && !isPluginOption(e.name)) {
      const why = e.name.startsWith('#')
        ? ' (a comment must start in column 1)'
        : e.name.includes('\t')
          ? ' (a tab is not a separator)'
          : ''
      err(e, 'conf/unknown-option', `Unknown configuration variable "${e.name}".${why}`)
      continue
    }

    if (spec && !spec.versions.includes(target)) {
      err(
        e,
        'conf/unknown-option',
        `Unknown configuration variable "${e.name}". (only in mosquitto ${spec.versions.join(', ')})`,
      )
      continue
    }

    if (spec?.deprecated && (target === spec.deprecated.in || (target === '2.1' && spec.deprecated.in === '2.0'))) {
      warn(
        e,
        'conf/deprecated',
        `${e.name} is deprecated in mosquitto ${spec.deprecated.in}; use ${spec.deprecated.use}`,
      )
    }

    const scope = spec?.scope ?? 'security'
    const securityScope = scope === 'security'
    if (securityScope) securitySeen ??= e

    if (isPluginOption(e.name)) {
      if (!pluginSeen)
        err(
          e,
          'conf/plugin-option-without-plugin',
          `An ${e.name.startsWith('auth_opt_') ? 'auth_opt_' : 'plugin_opt_'} option exists in the config file without an auth_plugin.`,
        )
      if (e.value === '') err(e, 'conf/empty-value', `Empty ${e.name} value in configuration.`)
      continue
    }

    // Value checks by type.
    if (spec!.type === 'bool') {
      if (e.word === '') err(e, 'conf/empty-value', `Empty ${e.name} value in configuration.`)
      else if (!['true', 'false', '1', '0'].includes(e.word))
        err(e, 'conf/invalid-value', `Invalid ${e.name} value (${e.word}).`)
    } else if (spec!.type === 'string' && e.value === '') {
      err(e, 'conf/empty-value', `Empty ${e.name} value in configuration.`)
      continue
    } else if (
      spec!.type === 'enum' &&
      e.name !== 'tls_version' &&
      e.name !== 'log_type' &&
      !spec!.values!.includes(e.word)
    ) {
      err(e, 'conf/invalid-value', `Invalid ${e.name} value (${e.word}).`)
    }

    if (e.name === 'log_dest') {
      const kind = e.word
      if (!spec!.values!.includes(kind)) err(e, 'conf/invalid-value', `Invalid log_dest value (${e.value}).`)
      else if (kind === 'file' && e.value.split(' ').length < 2)
        err(e, 'conf/invalid-value', 'Empty "log_dest file" value in configuration.')
    }

    if (e.name === 'per_listener_settings') {
      if (securitySeen)
        err(e, 'conf/per-listener-order', 'per_listener_settings must be set before any other security settings.')
      perListener = e.word === 'true' || e.word === '1'
      continue
    }

    if (e.name === 'listener' || e.name === 'port') {
      const [portText = '', bind] = e.value.split(' ')
      // The broker reads the port with atoi (observed on 2.0.11): leading digits count, the rest
      // is ignored, and no digits at all is port 0.
      const port = atoi(portText)
      // `listener 0 PATH` is a Unix socket; `port` has no such form and needs 1 or more.
      if (port < (e.name === 'port' ? 1 : 0) || port > 65_535) {
        err(e, 'conf/invalid-value', `Invalid port value (${port}).`)
        continue
      }

      if (!/^\d+$/.test(portText)) {
        const zero = port === 0 && bind ? `, so "${bind}" becomes the path of a Unix socket` : ''
        warn(
          e,
          'conf/port-text',
          `port "${portText}" is read as ${port}${zero} (mosquitto takes the leading digits and ignores the rest)`,
        )
      }

      if (e.name === 'port') {
        defaultListener.port = port
        defaultUsed = true
        continue
      }

      if (port === 0 && !bind) err(e, 'conf/invalid-value', 'A listener with port 0 must provide a Unix socket path.')
      current = {port, bind, entry: e, options: new Map(), security: new Map()}
      listeners.push(current)
      continue
    }

    if (e.name === 'plugin' || e.name === 'auth_plugin' || e.name === 'plugin_load' || e.name === 'global_plugin')
      pluginSeen = true

    const block = current ?? defaultListener
    if (scope === 'listener') {
      if (!current) defaultUsed = true
      if (spec!.unique && block.options.has(e.name))
        err(e, 'conf/duplicate', `Duplicate ${e.name} value in configuration.`)
      // The broker checks this as it reads cafile and certfile only (observed on 2.0.11): after
      // psk_hint they stop it; before it they load, and only the certificate is served.
      if ((e.name === 'cafile' || e.name === 'certfile') && block.options.has('psk_hint')) {
        err(e, 'conf/cert-and-psk', 'Cannot use both certificate and psk encryption in a single listener.')
        refusesCertAndPsk.add(block)
      }

      block.options.set(e.name, e)
    } else if (securityScope) {
      const map = perListener && current ? current.security : globalSecurity
      if (spec!.unique && map.has(e.name)) err(e, 'conf/duplicate', `Duplicate ${e.name} value in configuration.`)
      map.set(e.name, [...(map.get(e.name) ?? []), e])
    } else if (scope === 'global') {
      if (spec!.unique && globals.has(e.name)) err(e, 'conf/duplicate', `Duplicate ${e.name} value in configuration.`)
      globals.set(e.name, e)
    }
  }

  const all = defaultUsed || listeners.length === 0 ? [defaultListener, ...listeners] : listeners
  const implicitDefault = listeners.length === 0 && !defaultUsed

  // Two listeners on one port and overlapping addresses cannot both bind.
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) {
      const a = all[i]
      const b = all[j]
      if (a.port === 0 || a.port !== b.port) continue
      if (a.bind === undefined || b.bind === undefined || a.bind === b.bind) {
        err(
          b.entry,
          'conf/duplicate-port',
          `two listeners on port ${a.port} (also line ${a.entry.line}): the broker cannot bind the second`,
        )
      }
    }
  }

  for (const l of all) {
    const get = (name: string) => l.options.get(name)
    const security = (name: string) =>
      ((perListener ? l.security.get(name) : undefined) ?? globalSecurity.get(name))?.at(-1)
    const tls = get('certfile') && get('keyfile')
    const psk = get('psk_hint')
    if ((get('certfile') || get('cafile')) && psk && !refusesCertAndPsk.has(l))
      warn(
        psk,
        'conf/cert-and-psk',
        'certificate and PSK encryption on one listener: mosquitto serves the certificate and PSK clients cannot connect (this order loads; cafile or certfile after psk_hint stops the broker)',
      )
    if (Boolean(get('certfile')) !== Boolean(get('keyfile'))) {
      const e = get('certfile') ?? get('keyfile')!
      warn(
        e,
        'conf/tls-half',
        `${e.name} without ${e.name === 'certfile' ? 'keyfile' : 'certfile'}: mosquitto 2.0 then serves plain, unencrypted MQTT on this listener`,
      )
    }

    const tlsVersion = get('tls_version')
    if (tlsVersion && !['tlsv1.3', 'tlsv1.2', 'tlsv1.1'].includes(tlsVersion.word)) {
      if (tls) err(tlsVersion, 'conf/invalid-value', `Unsupported tls_version "${tlsVersion.word}".`)
      else
        warn(
          tlsVersion,
          'conf/invalid-value',
          `tls_version "${tlsVersion.word}" is not one of tlsv1.3, tlsv1.2, tlsv1.1 (ignored: the listener has no TLS)`,
        )
    }

    const publicListener = !implicitDefault && l.port !== 0 && !LOOPBACK(l.bind)
    if (publicListener && !tls && !psk) {
      warn(
        l.entry,
        'conf/plaintext-public',
        `listener on port ${l.port} accepts connections from ${l.bind ?? 'every address'} without TLS: passwords and messages cross the network in clear text`,
      )
      const anon = security('allow_anonymous')
      if (anon && (anon.word === 'true' || anon.word === '1')) {
        warn(
          anon,
          'conf/anonymous-public',
          `allow_anonymous true on a listener reachable from ${l.bind ?? 'every address'}: anyone may connect`,
        )
      }
    }

    if (options.fileChecks !== false && tls) await checkTls(l, findings)
  }

  const scopes = perListener ? [globalSecurity, ...listeners.map((l) => l.security)] : [globalSecurity]
  for (const sec of scopes) {
    const plugins = [...(sec.get('plugin') ?? []), ...(sec.get('auth_plugin') ?? [])]
    const pw = sec.get('password_file')?.at(-1)
    if (pw && plugins.some((p) => p.value.includes('dynamic_security'))) {
      warn(
        pw,
        'conf/password-and-dynsec',
        'both a password_file and the dynamic-security plugin: a user in either may log in, and a stale password_file keeps the broker from starting when it goes missing (mosquitto #3550)',
      )
    }

    if (options.fileChecks === false) continue
    if (pw) await checkPasswordFile(pw, findings)
    const acl = sec.get('acl_file')?.at(-1)
    if (acl) await checkAclFile(acl, findings)
    for (const p of plugins) await checkPlugin(p, findings)
    const pskFile = sec.get('psk_file')?.at(-1)
    if (pskFile) await checkReadable(pskFile, findings)
  }

  if (options.fileChecks !== false) await checkBrokerAccount(entries, findings)
  return findings.sort((a, b) => (a.file ?? '').localeCompare(b.file ?? '') || a.line - b.line || a.column - b.column)
}

/** Files the broker opens after it has switched from root to its own user. */
const OPENED_AS_BROKER_USER = new Set([
  'password_file',
  'acl_file',
  'psk_file',
  'plugin_opt_config_file',
  'cafile',
  'capath',
  'certfile',
  'keyfile',
  'crlfile',
  'dhparamfile',
])

/**
 * Run as root, "readable" is always true; but mosquitto started as root switches to `user`
 * (default mosquitto) before opening these files (observed on 2.0.11: a 0600 root key stops it).
 * This assumes the broker is started by the same account that runs the lint.
 */
async function checkBrokerAccount(entries: ConfEntry[], findings: Finding[]): Promise<void> {
  if (process.getuid?.() !== 0) return
  const userEntry = entries.findLast((e) => e.name === 'user')
  let name = userEntry?.value ?? 'mosquitto'
  if (name === 'root') return
  let account = await lookupAccount(name)
  if (!account && name === 'mosquitto') {
    // The broker's own fallback (2.0.11: a warning, then "Trying 'nobody' instead.").
    name = 'nobody'
    account = await lookupAccount(name)
  }

  if (!account) {
    if (userEntry)
      findings.push(
        finding(
          userEntry,
          'conf/broker-user',
          'error',
          `Unable to drop privileges to '${name}' because this user does not exist.`,
        ),
      )
    return
  }

  for (const e of entries) {
    if (!OPENED_AS_BROKER_USER.has(e.name)) continue
    const path = resolve(e.value)
    const readable = await access(path, constants.R_OK).then(
      () => true,
      () => false,
    )
    if (!readable) continue // reported as conf/missing-file
    const problem = await accountCanRead(path, account).catch(() => undefined)
    if (problem) {
      findings.push(
        finding(
          e,
          'conf/broker-user',
          'error',
          `${e.name} "${e.value}": mosquitto started as root switches to user "${name}" before opening it, and ${problem} (chown/chmod it, or set "user")`,
        ),
      )
    }
  }
}

async function checkReadable(e: ConfEntry, findings: Finding[]): Promise<boolean> {
  try {
    await access(resolve(e.value), constants.R_OK)
    return true
  } catch (error) {
    findings.push(
      finding(
        e,
        'conf/missing-file',
        'error',
        `${e.name} "${e.value}" cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}): the broker will not start`,
      ),
    )
    return false
  }
}

async function worldReadable(e: ConfEntry, findings: Finding[]): Promise<void> {
  const st = await stat(e.value)
  if (st.mode & 0o004) {
    findings.push(
      finding(
        e,
        'conf/world-readable',
        'warning',
        `${e.value} is readable by every local user (mosquitto 2.0.16+ warns); chmod 0640 and group mosquitto`,
      ),
    )
  }
}

async function checkPasswordFile(e: ConfEntry, findings: Finding[]): Promise<void> {
  const st = await stat(e.value).catch(() => undefined)
  if (st?.isDirectory()) {
    findings.push(
      finding(
        e,
        'conf/password-file-directory',
        'error',
        `password_file "${e.value}" is a directory (mosquitto 2.0.11 hangs on it; later versions refuse to start)`,
      ),
    )
    return
  }

  if (!(await checkReadable(e, findings))) return
  await worldReadable(e, findings)
  const lines = parsePasswdFile(await readFile(e.value))
  const bad = checkPasswdLines(lines, '2.0').filter((f) => f.severity === 'error')
  for (const f of bad) {
    findings.push(finding(e, 'conf/password-entries', 'warning', `${e.value}:${f.line}: ${f.message} [${f.rule}]`))
  }
}

async function checkAclFile(e: ConfEntry, findings: Finding[]): Promise<void> {
  const st = await stat(e.value).catch(() => undefined)
  if (st?.isDirectory()) {
    findings.push(
      finding(
        e,
        'conf/acl-directory',
        'warning',
        `acl_file "${e.value}" is a directory: mosquitto 2.0 loads it as empty and denies everything`,
      ),
    )
    return
  }

  if (!(await checkReadable(e, findings))) return
  await worldReadable(e, findings)
  for (const f of lintAclText(await readFile(e.value, 'utf8'), e.value)) {
    if (f.severity === 'note') continue
    const rule = f.severity === 'error' ? 'conf/acl-error' : 'conf/acl-warning'
    findings.push(finding(e, rule, f.severity, `${e.value}:${f.line}:${f.column}: ${f.message} [${f.rule}]`))
  }
}

async function checkPlugin(e: ConfEntry, findings: Finding[]): Promise<void> {
  if (!(await checkReadable(e, findings))) return
  const handle = await open(e.value, 'r')
  try {
    const head = Buffer.alloc(4)
    await handle.read(head, 0, 4, 0)
    if (!head.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))) {
      findings.push(
        finding(
          e,
          'conf/not-a-library',
          'error',
          `plugin "${e.value}" is not a loadable library (no ELF header): Unable to load auth plugin`,
        ),
      )
    }
  } finally {
    await handle.close()
  }
}

async function checkTls(l: Listener, findings: Finding[]): Promise<void> {
  const certEntry = l.options.get('certfile')!
  const keyEntry = l.options.get('keyfile')!
  const caEntry = l.options.get('cafile')
  const ok = [
    await checkReadable(certEntry, findings),
    await checkReadable(keyEntry, findings),
    caEntry ? await checkReadable(caEntry, findings) : true,
  ]
  if (ok.includes(false)) return
  const pemError = (e: ConfEntry, what: string) =>
    findings.push(finding(e, 'conf/not-pem', 'error', `${e.name} "${e.value}" is not a PEM ${what}`))
  let cert: X509Certificate
  try {
    cert = new X509Certificate(await readFile(certEntry.value))
  } catch {
    pemError(certEntry, 'certificate')
    return
  }

  if (caEntry) {
    try {
      new X509Certificate(await readFile(caEntry.value))
    } catch {
      pemError(caEntry, 'certificate')
    }
  }

  try {
    const key = createPrivateKey(await readFile(keyEntry.value))
    if (!cert.checkPrivateKey(key))
      findings.push(
        finding(
          keyEntry,
          'conf/key-mismatch',
          'error',
          `keyfile "${keyEntry.value}" does not match certfile "${certEntry.value}"`,
        ),
      )
  } catch {
    pemError(keyEntry, 'private key')
  }

  if (new Date(cert.validTo).getTime() < Date.now()) {
    findings.push(
      finding(certEntry, 'conf/cert-expired', 'warning', `certificate ${certEntry.value} expired on ${cert.validTo}`),
    )
  }

  const host = l.bind
  if (host && host !== '0.0.0.0' && host !== '::') {
    const covered = isIP(host) ? cert.checkIP(host) : cert.checkHost(host)
    if (!covered)
      findings.push(
        finding(
          certEntry,
          'conf/cert-host',
          'warning',
          `certificate ${certEntry.value} does not cover ${host}, the listener's address: clients that verify host names will refuse it`,
        ),
      )
  }
}

export const CONF_RULES: Record<string, string> = {
  'conf/unknown-option': 'an option the broker does not know: it refuses to start',
  'conf/empty-value': 'an option without a value',
  'conf/invalid-value': 'a value the broker refuses',
  'conf/duplicate': 'a single-value option given twice in one scope',
  'conf/per-listener-order': 'per_listener_settings after a security option',
  'conf/duplicate-port': 'two listeners that cannot both bind',
  'conf/broker-user':
    'a file the broker cannot open once it has switched from root to its user, or a user that does not exist',
  'conf/port-text': 'a port with characters the broker ignores (it reads the leading digits)',
  'conf/cert-and-psk':
    'certificate and PSK encryption on one listener (an error when cafile/certfile follow psk_hint: the broker refuses to start)',
  'conf/plugin-option-without-plugin': 'plugin_opt_/auth_opt_ before any plugin',
  'conf/include-dir': 'an include_dir that cannot be read',
  'conf/missing-file': 'a file the broker opens at start-up is missing or unreadable',
  'conf/password-file-directory': 'password_file names a directory',
  'conf/acl-error': 'the ACL file has a line the broker refuses',
  'conf/not-pem': 'a certificate or key that is not PEM',
  'conf/key-mismatch': 'keyfile does not belong to certfile',
  'conf/not-a-library': 'plugin is not a shared library',
  'conf/plaintext-public': 'a listener on a non-loopback address without TLS',
  'conf/anonymous-public': 'allow_anonymous true on a non-loopback listener without TLS',
  'conf/tls-half': 'certfile without keyfile or the reverse',
  'conf/world-readable': 'a password or ACL file every local user can read',
  'conf/password-entries': 'password file entries the broker drops',
  'conf/acl-directory': 'acl_file names a directory',
  'conf/acl-warning': 'the ACL file has lint warnings',
  'conf/password-and-dynsec': 'password_file together with the dynamic-security plugin',
  'conf/cert-expired': 'an expired server certificate',
  'conf/cert-host': "a certificate that does not cover the listener's address",
  'conf/deprecated': 'an option deprecated in the target version',
}

/** C's atoi: optional blanks and sign, then digits up to the first non-digit; none is 0. */
function atoi(text: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d*)/.exec(text)!
  const value = m[2] === '' ? 0 : Number.parseInt(m[2], 10)
  return m[1] === '-' ? -value : value
}
