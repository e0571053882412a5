import type {X509Certificate} from 'node:crypto'
import {accessSync, closeSync, constants, existsSync, fstatSync, openSync, readSync, statSync} from 'node:fs'
import {resolve} from 'node:path'

import {lintAclText} from '../acl/lint.js'
import {OPENED_AS_BROKER_USER, accountCanRead, brokerAccount} from '../files/account.js'
import {readInputFile} from '../files/input.js'
import type {Finding} from '../output/findings.js'
import {checkPasswdLines} from '../passwd/check.js'
import {parsePasswdFile} from '../passwd/file.js'
import {finding, show, type ListenerModel} from './check.js'
import type {ConfEntry} from './parse.js'

/**
 * The files a config names, checked as the broker opens them at start-up. Every file is read
 * through readInputFile: a FIFO or a device is refused at once (exit 5), never waited on.
 */
const push = (findings: Finding[], e: ConfEntry, rule: string, severity: Finding['severity'], message: string) =>
  findings.push(finding(e, rule, severity, message))

const read = (e: ConfEntry, label: string) => readInputFile(resolve(e.value), {label}).bytes

/*
 * node:tls, node:crypto, node:dns and node:net load only for a config that needs them (a TLS
 * listener, a host name): on every other lint they were most of the start-up over `acl lint`.
 * The file checks are synchronous for the same reason (node:fs/promises loads readline).
 */
const isIP = async (host: string) => (await import('node:net')).isIP(host)
const canRead = (path: string) => {
  try {
    accessSync(path, constants.R_OK)
    return true
  } catch {
    return false
  }
}

export async function checkReadable(e: ConfEntry, findings: Finding[]): Promise<boolean> {
  try {
    accessSync(resolve(e.value), constants.R_OK)
    return true
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error'
    push(
      findings,
      e,
      'conf/missing-file',
      'error',
      `${e.name} "${show(e.value)}" cannot be read (${code}): the broker will not start`,
    )
    return false
  }
}

async function worldReadable(e: ConfEntry, findings: Finding[]): Promise<void> {
  const st = statSync(e.value)
  if (st.mode & 0o004) {
    push(
      findings,
      e,
      'conf/world-readable',
      'warning',
      `${show(e.value)} is readable by every local user (mosquitto 2.0.16+ warns); chmod 0640 and group mosquitto`,
    )
  }
}

/**
 * The checks a file of credentials or rules gets before its lines: not a directory (a finding
 * of its own, with what the broker does then), readable, not world-readable. False: stop there.
 */
async function checkListFile(
  e: ConfEntry,
  findings: Finding[],
  directory: Pick<Finding, 'rule' | 'severity' | 'message'>,
): Promise<boolean> {
  let directoryNamed = false
  try {
    directoryNamed = statSync(e.value).isDirectory()
  } catch {
    // not there or not reachable: checkReadable says which
  }

  if (directoryNamed) {
    push(findings, e, directory.rule, directory.severity, directory.message)
    return false
  }

  if (!(await checkReadable(e, findings))) return false
  await worldReadable(e, findings)
  return true
}

export async function checkPasswordFile(e: ConfEntry, findings: Finding[]): Promise<void> {
  const directory = {
    rule: 'conf/password-file-directory',
    severity: 'error' as const,
    message: `password_file "${show(e.value)}" is a directory (mosquitto 2.0.11 hangs on it; later versions refuse to start)`,
  }
  if (!(await checkListFile(e, findings, directory))) return
  const lines = parsePasswdFile(read(e, 'password file'))
  for (const f of checkPasswdLines(lines, '2.0').filter((x) => x.severity === 'error')) {
    push(findings, e, 'conf/password-entries', 'warning', `${show(e.value)}:${f.line}: ${f.message} [${f.rule}]`)
  }
}

export async function checkAclFile(e: ConfEntry, findings: Finding[]): Promise<void> {
  const directory = {
    rule: 'conf/acl-directory',
    severity: 'warning' as const,
    message: `acl_file "${show(e.value)}" is a directory: mosquitto 2.0 loads it as empty and denies everything`,
  }
  if (!(await checkListFile(e, findings, directory))) return
  for (const f of lintAclText(read(e, 'ACL file').toString('utf8'), e.value)) {
    if (f.severity === 'note') continue
    const rule = f.severity === 'error' ? 'conf/acl-error' : 'conf/acl-warning'
    push(findings, e, rule, f.severity, `${show(e.value)}:${f.line}:${f.column}: ${f.message} [${f.rule}]`)
  }
}

export async function checkPlugin(e: ConfEntry, findings: Finding[]): Promise<void> {
  if (!(await checkReadable(e, findings))) return
  // Non-blocking: a FIFO named as plugin is judged at once (2.0.11 waits on it at "Loading plugin").
  const fd = openSync(e.value, constants.O_RDONLY | constants.O_NONBLOCK)
  try {
    const st = fstatSync(fd)
    if (!st.isFile()) {
      const why = st.isDirectory()
        ? 'is a directory: Unable to load auth plugin'
        : 'is not a regular file: the broker cannot load it (2.0.11 waits on a FIFO for ever)'
      push(findings, e, 'conf/not-a-library', 'error', `plugin "${show(e.value)}" ${why}`)
      return
    }

    const head = Buffer.alloc(4)
    readSync(fd, head, 0, 4, 0)
    if (!head.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))) {
      push(
        findings,
        e,
        'conf/not-a-library',
        'error',
        `plugin "${show(e.value)}" is not a loadable library (no ELF header): Unable to load auth plugin`,
      )
    }
  } finally {
    closeSync(fd)
  }
}

export async function checkTls(l: ListenerModel, findings: Finding[]): Promise<void> {
  const certEntry = l.options.get('certfile')!
  const keyEntry = l.options.get('keyfile')!
  const caEntry = l.options.get('cafile')
  const ok = [
    await checkReadable(certEntry, findings),
    await checkReadable(keyEntry, findings),
    caEntry ? await checkReadable(caEntry, findings) : true,
  ]
  if (ok.includes(false)) return
  const {X509Certificate, createPrivateKey} = await import('node:crypto')
  const pemError = (e: ConfEntry, what: string) =>
    push(findings, e, 'conf/not-pem', 'error', `${e.name} "${show(e.value)}" is not a PEM ${what}`)
  let cert: X509Certificate
  try {
    cert = new X509Certificate(read(certEntry, 'certificate'))
  } catch (error) {
    if ((error as {code?: string}).code?.startsWith('FILE_')) throw error
    pemError(certEntry, 'certificate')
    return
  }

  if (caEntry) {
    try {
      new X509Certificate(read(caEntry, 'CA file'))
    } catch (error) {
      if ((error as {code?: string}).code?.startsWith('FILE_')) throw error
      pemError(caEntry, 'certificate')
    }
  }

  try {
    const key = createPrivateKey(read(keyEntry, 'key file'))
    if (!cert.checkPrivateKey(key))
      push(
        findings,
        keyEntry,
        'conf/key-mismatch',
        'error',
        `keyfile "${show(keyEntry.value)}" does not match certfile "${show(certEntry.value)}"`,
      )
  } catch (error) {
    if ((error as {code?: string}).code?.startsWith('FILE_')) throw error
    pemError(keyEntry, 'private key')
  }

  if (new Date(cert.validTo).getTime() < Date.now()) {
    push(
      findings,
      certEntry,
      'conf/cert-expired',
      'warning',
      `certificate ${show(certEntry.value)} expired on ${cert.validTo}`,
    )
  }

  const host = l.bind
  if (host && host !== '0.0.0.0' && host !== '::') {
    const covered = (await isIP(host)) ? cert.checkIP(host) : cert.checkHost(host)
    if (!covered)
      push(
        findings,
        certEntry,
        'conf/cert-host',
        'warning',
        `certificate ${show(certEntry.value)} does not cover ${show(host)}, the listener's address: clients that verify host names will refuse it`,
      )
  }
}

/**
 * Run as root, "readable" is always true; but mosquitto started as root switches to `user`
 * (default mosquitto, else nobody) before opening these files (observed on 2.0.11: a 0600
 * root key stops it). This assumes the broker is started by the same account that runs the lint.
 */
export async function checkBrokerAccount(entries: readonly ConfEntry[], findings: Finding[]): Promise<void> {
  const userEntry = entries.findLast((e) => e.name === 'user')
  const who = await brokerAccount(userEntry?.value, process.getuid?.() === 0)
  if (who.kind === 'unchanged') return
  if (who.kind === 'missing') {
    const at = userEntry ?? entries[0]
    if (at)
      push(
        findings,
        at,
        'conf/broker-user',
        'error',
        `Unable to drop privileges to '${show(who.name)}' because this user does not exist.`,
      )
    return
  }

  const {account} = who
  for (const e of entries) {
    if (!OPENED_AS_BROKER_USER.has(e.name)) continue
    const path = resolve(e.value)
    if (!canRead(path)) continue // reported as conf/missing-file
    const problem = await accountCanRead(path, account).catch(() => undefined)
    if (problem) {
      push(
        findings,
        e,
        'conf/broker-user',
        'error',
        `${e.name} "${show(e.value)}": mosquitto started as root switches to user "${account.name}" before opening it, and ${problem} (chown/chmod it, or set "user")`,
      )
    }
  }
}

/**
 * What this machine decides when the listener opens: the interface of bind_interface exists,
 * the cipher lists are ones OpenSSL knows (on a TLS listener), and host names resolve.
 */
export async function checkListenerMachine(l: ListenerModel, findings: Finding[], target = '2.0'): Promise<void> {
  // 2.1 resolves http_dir with realpath while it reads the config, and stops when it cannot.
  const httpDir = l.options.get('http_dir')
  if (target === '2.1' && httpDir && !existsSync(httpDir.value))
    push(
      findings,
      httpDir,
      'conf/http-dir',
      'error',
      `http_dir "${show(httpDir.value)}" does not exist (2.1 resolves it at start-up)`,
    )

  const iface = l.options.get('bind_interface')
  if (iface && !existsSync(`/sys/class/net/${iface.value}`)) {
    push(
      findings,
      iface,
      'conf/listener',
      'error',
      `bind_interface "${show(iface.value)}": no such network interface here`,
    )
  }

  // An MQTT listener gets a TLS context with certfile and keyfile, or with psk_hint.
  const mqtt = l.options.get('protocol')?.word !== 'websockets'
  const cert = Boolean(l.options.get('certfile') && l.options.get('keyfile'))
  const tls = mqtt && (cert || Boolean(l.options.get('psk_hint')))
  const pem = async (name: string, marker: RegExp, what: string) => {
    const e = l.options.get(name)
    if (!e) return
    const bytes = (await checkReadable(e, findings)) ? read(e, what) : undefined
    if (bytes && !marker.test(bytes.toString('latin1')))
      push(
        findings,
        e,
        'conf/not-pem',
        'error',
        `${name} "${show(e.value)}" is not a PEM ${what}: the broker cannot load it`,
      )
  }

  // 2.1 no longer reads dhparamfile.
  if (tls && target === '2.0') await pem('dhparamfile', /-----BEGIN (X9\.42 )?DH PARAMETERS-----/, 'DH parameters file')
  if (mqtt && cert) await pem('crlfile', /-----BEGIN X509 CRL-----/, 'certificate revocation list')
  for (const name of ['ciphers', 'ciphers_tls1.3']) {
    const e = l.options.get(name)
    if (!e || !tls) continue
    const list = name === 'ciphers' ? e.value : e.value.split(':').every((c) => c.startsWith('TLS_')) && e.value
    let ok = Boolean(list)
    try {
      if (ok) (await import('node:tls')).createSecureContext({ciphers: list as string})
    } catch {
      ok = false
    }

    if (!ok) push(findings, e, 'conf/tls', 'error', `Unable to set TLS ciphers. Check cipher list "${show(e.value)}".`)
  }

  const host = l.port === 0 ? undefined : (l.options.get('bind_address')?.value ?? l.bind)
  if (host && (await isIP(host)) === 0) {
    const {lookup} = await import('node:dns/promises')
    const resolved = await lookup(host).then(
      () => true,
      () => false,
    )
    if (!resolved) push(findings, l.entry, 'conf/listener', 'error', `Error resolving bind address "${show(host)}".`)
  }
}

/** psk_file lines are identity:hexkey; the broker refuses an empty or non-hex key. */
export async function checkPskFile(e: ConfEntry, findings: Finding[]): Promise<void> {
  if (!(await checkReadable(e, findings))) return
  const lines = read(e, 'PSK file').toString('utf8').split('\n')
  for (const [i, line] of lines.entries()) {
    if (line.startsWith('#') || !line.includes(':')) continue
    const key = (line.split(':')[1] ?? '').trim()
    const what = key === '' ? 'an empty psk' : /^[0-9a-fA-F]*$/.test(key) ? '' : 'non-hexadecimal characters in its psk'
    if (what)
      push(findings, e, 'conf/psk-file', 'error', `${show(e.value)}:${i + 1}: ${what}: the broker refuses the file`)
  }
}
