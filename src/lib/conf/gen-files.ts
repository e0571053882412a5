/** config gen's filesystem side: where the plugins are, and the files the broker will open. */
import {constants} from 'node:fs'
import {access, readdir, stat} from 'node:fs/promises'
import {dirname, join} from 'node:path'

import {MqctlError, strerror} from '../errors.js'
import {accountCanRead, brokerAccount, type Account} from '../files/account.js'
import type {GenOptions} from './gen-schema.js'
import {PLUGIN_FILES, type FoundPlugins} from './gen-request.js'

const PLUGIN_DIRS = ['/usr/lib/mosquitto', '/usr/lib', '/usr/local/lib', '/usr/local/lib/mosquitto', '/usr/lib64']

const isFile = (path: string) =>
  stat(path).then(
    (s) => s.isFile(),
    () => false,
  )

/** Where mosquitto's plugins are on this machine: /usr/lib/<multiarch>/, /usr/lib/mosquitto, … */
export async function findPlugins(dirs?: readonly string[]): Promise<FoundPlugins> {
  let search = dirs ? [...dirs] : []
  if (!dirs) {
    const multiarch = await readdir('/usr/lib', {withFileTypes: true}).then(
      (entries) =>
        entries
          .filter((e) => e.isDirectory() && /-linux-gnu|-linux-musl/.test(e.name))
          .map((e) => join('/usr/lib', e.name))
          .sort(),
      () => [],
    )
    search = [...multiarch, ...PLUGIN_DIRS]
  }

  const found: FoundPlugins = {}
  for (const key of Object.keys(PLUGIN_FILES) as Array<keyof FoundPlugins>) {
    for (const dir of search) {
      const path = join(dir, PLUGIN_FILES[key])
      if (await isFile(path)) {
        found[key] = path
        break
      }
    }
  }

  return found
}

interface PathCheck {
  path: string
  what: string
  dir?: boolean
  /** Checked for the directory it would be created in. */
  parent?: boolean
  /** The broker's account must also be able to write the directory. */
  writable?: boolean
  hint?: string
}

function pathsOf(o: GenOptions): PathCheck[] {
  const checks: PathCheck[] = []
  if (o.tls) {
    const hint = 'make one with "mqctl cert server --ca CA_DIR --host NAME --out DIR"'
    if (o.tls.cafile) checks.push({path: o.tls.cafile, what: 'CA certificate (cafile)', hint})
    checks.push(
      {path: o.tls.certfile, what: 'server certificate (certfile)', hint},
      {path: o.tls.keyfile, what: 'server key (keyfile)', hint},
    )
  }

  if (o.auth.method === 'password-file') {
    checks.push({
      path: o.auth.file,
      what: 'password file',
      hint: `create it with "mqctl passwd -c ${o.auth.file} USER"`,
    })
    if (o.auth.plugin) checks.push({path: o.auth.plugin, what: 'password-file plugin (mosquitto 2.1)'})
  }

  if (o.auth.method === 'dynsec') {
    checks.push({
      path: o.auth.file,
      what: 'dynamic-security file',
      hint: `create it with "mqctl dynsec init ${o.auth.file} admin"`,
    })
    checks.push({
      path: dirname(o.auth.file),
      what: 'directory of the dynamic-security file (the plugin rewrites the file there)',
      dir: true,
      writable: true,
    })
    checks.push({path: o.auth.plugin, what: 'dynamic-security plugin'})
  }

  if (o.acl) {
    checks.push({path: o.acl.file, what: 'ACL file'})
    if (o.acl.plugin) checks.push({path: o.acl.plugin, what: 'acl-file plugin (mosquitto 2.1)'})
  }

  if (o.persistence)
    checks.push({path: o.persistence.location, what: 'persistence directory', dir: true, writable: true})
  for (const d of o.log.dest)
    if (typeof d === 'object')
      checks.push({path: dirname(d.file), what: `directory of the log file ${d.file}`, dir: true, writable: true})
  for (const l of o.listeners)
    if (l.kind === 'unix')
      checks.push({path: dirname(l.path), what: `directory of the Unix socket ${l.path}`, dir: true, writable: true})
  return checks
}

export interface PathCheckOptions {
  /** Whether the broker will drop from root to `options.user ?? "mosquitto"`; default: this process runs as root. */
  asRoot?: boolean
  /** The account database (tests); /etc/passwd and /etc/group by default. */
  lookup?: (name: string) => Promise<Account | undefined>
}

/**
 * Checks that the files the config names exist and can be read, by this user and, when the
 * broker will be started as root, by the account it drops to. Returns warnings; never throws.
 */
export async function checkGenPaths(o: GenOptions, options: PathCheckOptions = {}): Promise<string[]> {
  const warnings: string[] = []
  const asRoot = options.asRoot ?? process.getuid?.() === 0
  // The one policy config lint uses too: the default user "mosquitto" falls back to "nobody".
  const who = await brokerAccount(o.user, asRoot, options.lookup)
  if (who.kind === 'missing') {
    warnings.push(
      `there is no user "${who.name}" on this machine, and mosquitto started as root refuses to run without it: create it or give --user`,
    )
  }

  const account = who.kind === 'switches' ? who.account : undefined
  const brokerUser = account?.name ?? o.user ?? 'mosquitto'

  const hints = new Set<string>()
  for (const check of pathsOf(o)) {
    try {
      const st = await stat(check.path)
      if (check.dir && !st.isDirectory()) throw Object.assign(new Error('not a directory'), {code: 'ENOTDIR'})
      if (!check.dir && st.isDirectory()) throw Object.assign(new Error('is a directory'), {code: 'EISDIR'})
      await access(check.path, constants.R_OK | (check.dir ? constants.X_OK : 0))
    } catch (error) {
      const hint = check.hint && !hints.has(check.hint) ? `; ${check.hint}` : ''
      if (check.hint) hints.add(check.hint)
      warnings.push(`${check.path} (${check.what}): ${strerror(error)}${hint}`)
      continue
    }

    if (!account) continue
    const problem = await accountCanRead(check.path, account, check.writable).catch(() => undefined)
    if (problem) {
      warnings.push(
        `${check.path} (${check.what}): mosquitto started as root switches to user "${brokerUser}" before opening it, and ${problem}; ` +
          `chown ${brokerUser} it, or give --user`,
      )
    }
  }

  return warnings
}

/** Writes the generated file for -o FILE: atomically, 0644 when new, an existing file only with --force. */
export async function writeGenOutput(
  file: string,
  config: string,
  options: {force?: boolean; onWarning?: (message: string) => void} = {},
): Promise<void> {
  const {writeFileAtomic} = await import('../files/atomic.js')
  const exists = await stat(file).then(
    () => true,
    () => false,
  )
  if (exists && !options.force)
    throw new MqctlError('FILE_EXISTS', `${file} already exists; give --force to replace it`)
  await writeFileAtomic(file, config, {mode: 0o644, onWarning: options.onWarning})
}
