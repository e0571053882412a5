import {existsSync, readdirSync} from 'node:fs'
import {join} from 'node:path'

import {readInputFile} from '../files/input.js'
import {certificateSubject, readCertificates, type PemCertificate} from './pem.js'

/**
 * The CA store OpenSSL's SSL_CTX_set_default_verify_paths gives mosquitto's clients for
 * --tls-use-os-certs (and port 8883 or mqtts:// without --cafile/--capath): the file
 * $SSL_CERT_FILE, else OPENSSLDIR/cert.pem, and the hashed directories of $SSL_CERT_DIR (':'
 * between several), else OPENSSLDIR/certs. A variable that is set but empty names nothing, as in
 * OpenSSL. OPENSSLDIR is the system OpenSSL's (the one mosquitto links), not node's: node's
 * bundled OpenSSL has its own (/usr/local/ssl in official builds), which is why node's
 * --use-openssl-ca is not used. Read for TLS connections only.
 */

/** Where distributions put the system OpenSSL's OPENSSLDIR, in the order they are tried. */
export const OPENSSLDIR_CANDIDATES: Partial<Record<NodeJS.Platform, string[]>> & {default: string[]} = {
  // Debian, Ubuntu; Fedora, RHEL, CentOS; Alpine, Arch, openSUSE, Gentoo, FreeBSD; built from source.
  default: ['/usr/lib/ssl', '/etc/pki/tls', '/etc/ssl', '/usr/local/ssl'],
  // Homebrew on Apple silicon, then on Intel; then the system's LibreSSL.
  darwin: ['/opt/homebrew/etc/openssl@3', '/usr/local/etc/openssl@3', '/etc/ssl'],
}

/** The first candidate directory that holds an openssl.cnf: the system OpenSSL's OPENSSLDIR (null: none). */
export function systemOpensslDir(platform: NodeJS.Platform = process.platform): string | null {
  const candidates = OPENSSLDIR_CANDIDATES[platform] ?? OPENSSLDIR_CANDIDATES.default
  return candidates.find((dir) => existsSync(join(dir, 'openssl.cnf'))) ?? null
}

export interface VerifyPaths {
  /** The CA file, or undefined when none applies (SSL_CERT_FILE set but empty, no OPENSSLDIR). */
  file?: string
  /** The hashed directories, in lookup order. */
  dirs: string[]
  /** Where they came from, for messages. */
  from: string
}

/** OpenSSL's default verify paths for this environment (X509_get_default_cert_file/_dir and their variables). */
export function defaultVerifyPaths(
  env: NodeJS.ProcessEnv = process.env,
  opensslDir: string | null = systemOpensslDir(),
): VerifyPaths {
  const fileVar = env.SSL_CERT_FILE
  const dirVar = env.SSL_CERT_DIR
  const file = fileVar !== undefined ? fileVar || undefined : opensslDir ? join(opensslDir, 'cert.pem') : undefined
  const dirText = dirVar !== undefined ? dirVar : opensslDir ? join(opensslDir, 'certs') : ''
  const dirs = [...new Set(dirText.split(':').filter((d) => d !== ''))]
  const from = [
    fileVar !== undefined ? 'SSL_CERT_FILE' : undefined,
    dirVar !== undefined ? 'SSL_CERT_DIR' : undefined,
    fileVar === undefined || dirVar === undefined ? `OPENSSLDIR ${opensslDir ?? '(none found)'}` : undefined,
  ]
    .filter(Boolean)
    .join(', ')
  return {file, dirs, from}
}

/** PEM files in the store are small; a bigger one is not a CA file and is skipped. */
export const MAX_STORE_FILE_BYTES = 4 * 1024 * 1024
/** All files of one store together; past this, the rest of a directory is not read. */
export const MAX_STORE_BYTES = 64 * 1024 * 1024

interface Budget {
  bytes: number
}

/** A file's text, or undefined when it is missing, unreadable, not a regular file (a FIFO) or too big. */
function readQuietly(path: string, budget: Budget): string | undefined {
  if (budget.bytes <= 0) return undefined
  try {
    const {bytes} = readInputFile(path, {maxBytes: Math.min(MAX_STORE_FILE_BYTES, budget.bytes), label: 'CA file'})
    budget.bytes -= bytes.length
    return bytes.toString('utf8')
  } catch {
    return undefined
  }
}

/**
 * A CA file as OpenSSL's default lookup loads it (X509_load_cert_crl_file): every certificate,
 * or none when one of them cannot be read; a missing or unusable file adds nothing, silently.
 */
export function loadDefaultFile(path: string, budget: Budget = {bytes: MAX_STORE_BYTES}): PemCertificate[] {
  const text = readQuietly(path, budget)
  if (text === undefined) return []
  const read = readCertificates(text)
  return read.broken === undefined ? read.certificates : []
}

const HASHED = /^([0-9a-f]{8})\.(0|[1-9][0-9]*)$/

export interface HashedDir {
  certificates: PemCertificate[]
  /** Files not named `<hash>.N`, which OpenSSL never opens (for a hint: `openssl rehash DIR`). */
  unhashed: number
}

/**
 * A hashed CA directory as OpenSSL's lookup (by_dir.c) reads it, loaded at once instead of per
 * lookup: for each subject hash H, the files H.0, H.1, … up to the first one that is missing,
 * unreadable or holds no readable certificate (a FIFO or device counts as unreadable: never
 * opened for reading); in each file the certificates up to the first broken one, which also ends
 * H's run. A certificate counts only in a file named after its own subject hash, the one name
 * OpenSSL looks it up by. Throws the readdir error (--capath reports it; the default store
 * ignores it). `loaded`: the keys of the certificates already in the store, skipped without
 * computing their names (Debian's directory holds the very certificates of its bundle).
 */
export function loadHashedDir(
  dir: string,
  budget: Budget = {bytes: MAX_STORE_BYTES},
  loaded: ReadonlySet<string> = new Set(),
): HashedDir {
  const names = readdirSync(dir)
  const present = new Set<string>()
  const hashes = new Set<string>()
  let unhashed = 0
  for (const name of names) {
    const m = HASHED.exec(name)
    if (m) {
      present.add(name)
      hashes.add(m[1])
    } else unhashed++
  }

  const certificates: PemCertificate[] = []
  for (const hash of [...hashes].sort()) {
    for (let k = 0; present.has(`${hash}.${k}`); k++) {
      const text = readQuietly(join(dir, `${hash}.${k}`), budget)
      if (text === undefined) break
      const read = readCertificates(text)
      certificates.push(...read.certificates.filter((c) => !loaded.has(c.key) && certificateSubject(c)?.hash === hash))
      if (read.broken !== undefined || read.certificates.length === 0) break
    }
  }

  return {certificates, unhashed}
}

export interface OsStore {
  /** The CA file's certificates: in the store from the start. */
  file: PemCertificate[]
  /** Each hashed directory's certificates, in lookup order. */
  dirs: PemCertificate[][]
  paths: VerifyPaths
}

/** The keys of certificates, for loadHashedDir's `loaded`. */
export const keysOf = (certs: PemCertificate[]): Set<string> => new Set(certs.map((c) => c.key))

/**
 * The default store as read from disk; assembleTrust decides which of its certificates count.
 * `eager`: the other certificates loaded at the start (--cafile), whose names no directory is
 * asked for.
 */
export function loadOsStore(
  env: NodeJS.ProcessEnv = process.env,
  opensslDir: string | null = systemOpensslDir(),
  eager: PemCertificate[] = [],
): OsStore {
  const paths = defaultVerifyPaths(env, opensslDir)
  const budget = {bytes: MAX_STORE_BYTES}
  const file = paths.file ? loadDefaultFile(paths.file, budget) : []
  const loaded = keysOf([...file, ...eager])
  const dirs: PemCertificate[][] = []
  for (const dir of paths.dirs) {
    try {
      dirs.push(loadHashedDir(dir, budget, loaded).certificates)
    } catch {
      // a missing or unreadable directory adds nothing, as in OpenSSL
    }
  }

  return {file, dirs, paths}
}

/**
 * The certificates OpenSSL's verification can reach, each once. CA files are loaded into the
 * store at the start (the default file, --cafile; here also NODE_EXTRA_CA_CERTS, as node adds
 * it); a hashed directory is asked for an issuer's name only when the store holds no certificate
 * of that name yet (X509_STORE_CTX_get_by_subject), and the directories are asked in order until
 * one has it. So a CA in a directory is shadowed by any certificate of the same name in a CA
 * file, and by one in an earlier directory: OpenSSL never sees it, and neither does mqctl.
 */
export function assembleTrust(eager: PemCertificate[], dirs: PemCertificate[][]): PemCertificate[] {
  const reached = [...eager]
  if (dirs.every((d) => d.length === 0)) return uniqueCertificates(reached)
  const nameOf = (c: PemCertificate) => certificateSubject(c)?.canon
  const known = new Set(eager.map(nameOf))
  for (const dir of dirs) {
    const found = dir.filter((c) => !known.has(nameOf(c)))
    reached.push(...found)
    for (const c of found) known.add(nameOf(c))
  }

  return uniqueCertificates(reached)
}

export function uniqueCertificates(certs: PemCertificate[]): PemCertificate[] {
  const seen = new Set<string>()
  return certs.filter((c) => !seen.has(c.key) && (seen.add(c.key), true))
}
