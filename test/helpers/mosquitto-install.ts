import {spawnSync} from 'node:child_process'
import {accessSync, constants, readdirSync, statSync} from 'node:fs'
import {delimiter, isAbsolute, join, resolve} from 'node:path'

/** Absolute paths of the mosquitto programs (and the dynamic-security plugin) the tests use. */
export interface MosquittoTools {
  broker: string
  passwd: string
  ctrl: string
  pub: string
  sub: string
  dynsecPlugin: string
}

/** The one line printed when mosquitto is missing and cannot be installed from here. */
export const INSTALL_HINT = 'sudo apt-get install -y mosquitto mosquitto-clients'

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}

/** `command -v name` over PATH, then the extra directories; always an absolute path. */
function which(name: string, extraDirs: string[] = []): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...extraDirs].filter((d) => d !== '')
  for (const dir of dirs) {
    const path = join(isAbsolute(dir) ? dir : resolve(dir), name)
    if (isExecutableFile(path)) return path
  }

  return undefined
}

/** mosquitto_dynamic_security.so: Debian/Ubuntu put it in the multiarch dir (/usr/lib/x86_64-linux-gnu/…). */
function findDynsecPlugin(): string | undefined {
  const name = 'mosquitto_dynamic_security.so'
  for (const root of ['/usr/lib', '/usr/local/lib', '/usr/lib64', '/usr/local/lib64']) {
    let entries: string[]
    try {
      entries = readdirSync(root)
    } catch {
      continue
    }

    // The multiarch dirs first (…-linux-gnu*), then the root itself, then any other sub dir.
    const multiarch = entries.filter((e) => /-linux-gnu|-linux-musl/.test(e)).sort()
    const others = entries.filter((e) => !multiarch.includes(e)).sort()
    for (const sub of [...multiarch, '', ...others]) {
      for (const path of [join(root, sub, name), join(root, sub, 'mosquitto', name)]) {
        if (isFile(path)) return path
      }
    }
  }

  return undefined
}

/** Where each tool is, or undefined for a missing one. Never installs anything. */
export function locateMosquittoTools(): Partial<MosquittoTools> {
  const sbin = ['/usr/sbin', '/usr/local/sbin', '/sbin']
  return {
    broker: which('mosquitto', sbin),
    passwd: which('mosquitto_passwd', ['/usr/bin', '/usr/local/bin']),
    ctrl: which('mosquitto_ctrl', ['/usr/bin', '/usr/local/bin']),
    pub: which('mosquitto_pub', ['/usr/bin', '/usr/local/bin']),
    sub: which('mosquitto_sub', ['/usr/bin', '/usr/local/bin']),
    dynsecPlugin: findDynsecPlugin(),
  }
}

function missingOf(tools: Partial<MosquittoTools>): string[] {
  return Object.entries(tools)
    .filter(([, v]) => v === undefined)
    .map(([k]) => k)
}

function missingMessage(missing: string[]): string {
  return `mosquitto is not installed (missing: ${missing.join(', ')}); install it with "${INSTALL_HINT}" and run the tests again`
}

let cached: MosquittoTools | undefined

/** Absolute paths of every tool; throws a one-line Error saying how to install when one is missing. */
export function findMosquittoTools(): MosquittoTools {
  if (cached) return cached
  const tools = locateMosquittoTools()
  const missing = missingOf(tools)
  if (missing.length > 0) throw new Error(missingMessage(missing))
  cached = tools as MosquittoTools
  return cached
}

function hasAptGet(): boolean {
  return which('apt-get', ['/usr/bin', '/usr/sbin']) !== undefined
}

function apt(args: string[]): void {
  const result = spawnSync('apt-get', args, {
    env: {...process.env, DEBIAN_FRONTEND: 'noninteractive'},
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
  if (result.status !== 0) {
    // The output is shown only when apt-get fails.
    process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`)
    const why = result.error ? result.error.message : `exit ${result.status ?? result.signal}`
    throw new Error(`"apt-get ${args.join(' ')}" failed (${why}, output above); install by hand with "${INSTALL_HINT}"`)
  }
}

/**
 * Makes sure mosquitto and its clients are there: as root with apt-get, installs them
 * (`apt-get update`, `apt-get install -y mosquitto mosquitto-clients`); otherwise throws a
 * one-line Error saying how to install. Never lets the tests be skipped.
 *
 * The Debian package may start a system mosquitto on port 1883; it is left alone, and no test
 * talks to it (every test broker is private, on an ephemeral port).
 */
export function ensureMosquitto(): MosquittoTools {
  const missing = missingOf(locateMosquittoTools())
  if (missing.length === 0) return findMosquittoTools()

  if (process.getuid?.() !== 0 || !hasAptGet()) throw new Error(missingMessage(missing))

  apt(['update'])
  apt(['-o', 'DPkg::Lock::Timeout=300', 'install', '-y', 'mosquitto', 'mosquitto-clients'])

  const still = missingOf(locateMosquittoTools())
  if (still.length > 0) {
    throw new Error(
      `mosquitto was installed with apt-get but ${still.join(', ')} is still missing (mosquitto 2.0 or later is needed); install it with "${INSTALL_HINT}"`,
    )
  }

  return findMosquittoTools()
}
