import {isUtf8} from 'node:buffer'
import {createHash} from 'node:crypto'

/**
 * PEM certificate blocks as OpenSSL reads them, without building an X509 object per certificate:
 * a system bundle holds ~150, and parsing each with node:crypto before node's TLS layer parses
 * them again cost ~30 ms a connection. A block passes when its base64 is clean and its DER is a
 * whole Certificate (SEQUENCE of the signed part, the algorithm and the signature, every nested
 * element well framed); the subject is kept for OpenSSL's subject-name hash (hashed CA
 * directories). What OpenSSL refuses beyond framing (an unknown key type) node then skips too.
 */
export const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g

export interface PemBlock {
  label: string
  text: string
  body: string
}

export const pemBlocks = (pem: string): PemBlock[] =>
  [...pem.matchAll(PEM_BLOCK)].map((m) => ({label: m[1], text: m[0], body: m[2]}))

/** The labels OpenSSL's certificate readers take (PEM_read_bio_X509_AUX). */
export const CERT_LABELS = new Set(['CERTIFICATE', 'TRUSTED CERTIFICATE', 'X509 CERTIFICATE'])

export interface PemCertificate {
  label: string
  /** The block as it was, for node's `ca` option. */
  text: string
  /** The DER, base64 without line breaks: one key per certificate, whatever the line layout. */
  key: string
  /** The encoded subject Name. */
  subject: Buffer
}

interface Tlv {
  tag: number
  constructed: boolean
  start: number
  contentStart: number
  end: number
}

/** One DER element at `at`, or undefined when its framing does not fit within `limit`. */
function tlvAt(der: Buffer, at: number, limit: number): Tlv | undefined {
  if (at + 2 > limit) return undefined
  const first = der[at]
  if ((first & 0x1f) === 0x1f) return undefined // high tag numbers: not in certificates
  let len = der[at + 1]
  let p = at + 2
  if (len & 0x80) {
    const n = len & 0x7f
    if (n === 0 || n > 4 || p + n > limit) return undefined // indefinite (BER) or absurd
    len = 0
    for (let i = 0; i < n; i++) len = len * 256 + der[p + i]
    p += n
  }

  if (p + len > limit) return undefined
  return {tag: first & 0x1f, constructed: (first & 0x20) !== 0, start: at, contentStart: p, end: p + len}
}

/** The children of a constructed element, each of them well framed down to the leaves. */
function children(der: Buffer, parent: Tlv, depth = 0): Tlv[] | undefined {
  const out: Tlv[] = []
  for (let at = parent.contentStart; at < parent.end;) {
    const child = tlvAt(der, at, parent.end)
    if (!child) return undefined
    if (child.constructed && (depth > 32 || !children(der, child, depth + 1))) return undefined
    out.push(child)
    at = child.end
  }

  return out
}

const SEQUENCE = 0x10
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

const HEADER = /^[^\n]*:[^\n]*\r?\n(?:[^\n]*:[^\n]*\r?\n)*\r?\n/

/** The DER of a block's body, or undefined when OpenSSL's strict base64 decoder would refuse it. */
function decodeBody(body: string): Buffer | undefined {
  // RFC 1421 headers (Proc-Type, DEK-Info) end at a blank line; certificates have none, but
  // OpenSSL reads past them.
  const joined = (body.includes(':') ? body.replace(HEADER, '') : body).replace(/[ \t\r\n]+/g, '')
  if (joined.length === 0 || joined.length % 4 !== 0 || !BASE64.test(joined)) return undefined
  return Buffer.from(joined, 'base64')
}

// The system store holds each certificate twice (Debian's bundle and its hashed directory are the
// same files): each block text is decoded once.
const parsed = new Map<string, PemCertificate | undefined>()

/** A certificate block's DER and subject, or undefined when OpenSSL could not read it. */
export function parseCertificate(block: PemBlock): PemCertificate | undefined {
  if (parsed.has(block.text)) return parsed.get(block.text)
  const cert = decodeCertificate(block)
  parsed.set(block.text, cert)
  return cert
}

function decodeCertificate(block: PemBlock): PemCertificate | undefined {
  const der = decodeBody(block.body)
  if (!der) return undefined
  const outer = tlvAt(der, 0, der.length)
  if (!outer || outer.tag !== SEQUENCE || !outer.constructed) return undefined
  const parts = children(der, outer)
  if (!parts || parts.length !== 3 || parts[0].tag !== SEQUENCE || parts[2].tag !== 0x03) return undefined
  const tbs = children(der, parts[0])
  if (!tbs) return undefined
  // version [0] (optional), serial, signature algorithm, issuer, validity, subject, …
  const fields = tbs[0]?.tag === 0 && tbs[0].constructed ? tbs.slice(1) : tbs
  const subject = fields[4]
  if (!subject || subject.tag !== SEQUENCE || fields[3]?.tag !== SEQUENCE) return undefined
  return {
    label: block.label,
    text: block.text,
    key: der.subarray(0, outer.end).toString('base64'),
    subject: der.subarray(subject.start, subject.end),
  }
}

export interface CertificateRead {
  /** The certificates in file order, up to the first one that cannot be read. */
  certificates: PemCertificate[]
  /** The 1-based position of the first certificate that cannot be read, if any. */
  broken?: number
  /** How many certificate blocks the text holds. */
  blocks: number
}

/** Every certificate block of a PEM text (other blocks skipped, as OpenSSL skips them). */
export function readCertificates(pem: string): CertificateRead {
  const blocks = pemBlocks(pem).filter((b) => CERT_LABELS.has(b.label))
  const certificates: PemCertificate[] = []
  for (const [i, block] of blocks.entries()) {
    const cert = parseCertificate(block)
    if (!cert) return {certificates, broken: i + 1, blocks: blocks.length}
    certificates.push(cert)
  }

  return {certificates, blocks: blocks.length}
}

// Canonical names (OpenSSL's x509_name_canon, crypto/x509/x_name.c): each string value as UTF-8,
// leading and trailing white space dropped, inner runs folded to one space, ASCII lower-cased,
// re-encoded as UTF8String; other values as they are; each RDN's SET re-encoded in DER order; the
// RDNs concatenated without the outer SEQUENCE. The hash is the first 4 bytes of its SHA-1, read
// little-endian: the `<hash>.N` name `openssl rehash` gives a CA in a hashed directory.

/** Bytes per character of the string types OpenSSL canonicalises (ASN1_STRING_to_UTF8). */
const STRING_WIDTH = new Map([
  [12, 0], // UTF8String
  [19, 1], // PrintableString
  [20, 1], // T61String, read as Latin-1 by OpenSSL
  [22, 1], // IA5String
  [26, 1], // VisibleString
  [28, 4], // UniversalString
  [30, 2], // BMPString
])

const isSpace = (b: number) => b === 0x20 || (b >= 0x09 && b <= 0x0d)

const isAscii = (bytes: Buffer) => {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] >= 0x80) return false
  return true
}

function utf8Of(tag: number, bytes: Buffer): Buffer | undefined {
  const width = STRING_WIDTH.get(tag)!
  // invalid UTF-8 is refused by OpenSSL
  if (width === 0) return isUtf8(bytes) ? bytes : undefined
  if (width === 1 && isAscii(bytes)) return bytes
  if (bytes.length % width !== 0) return undefined
  let text = ''
  for (let i = 0; i < bytes.length; i += width) {
    const cp = width === 1 ? bytes[i] : width === 2 ? bytes.readUInt16BE(i) : bytes.readUInt32BE(i)
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return undefined
    text += String.fromCodePoint(cp)
  }

  return Buffer.from(text, 'utf8')
}

function canonical(bytes: Buffer): Buffer {
  let from = 0
  let to = bytes.length
  while (from < to && isSpace(bytes[from])) from++
  while (to > from && isSpace(bytes[to - 1])) to--
  const out = Buffer.allocUnsafe(to - from)
  let n = 0
  for (let i = from; i < to;) {
    const b = bytes[i]
    if (b >= 0x80) {
      out[n++] = b
      i++
    } else if (isSpace(b)) {
      out[n++] = 0x20
      while (i < to && isSpace(bytes[i])) i++
    } else {
      out[n++] = b >= 0x41 && b <= 0x5a ? b + 0x20 : b
      i++
    }
  }

  return out.subarray(0, n)
}

/** A DER header (tag and length) for content of n bytes. */
function header(tag: number, n: number): Buffer {
  if (n < 0x80) return Buffer.from([tag, n])
  const bytes: number[] = []
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff)
  return Buffer.from([tag, 0x80 | bytes.length, ...bytes])
}

/** One element of that tag around the parts, concatenated once. */
function tlv(tag: number, ...parts: Buffer[]): Buffer {
  let n = 0
  for (const p of parts) n += p.length
  return Buffer.concat([header(tag, n), ...parts])
}

export interface CanonicalSubject {
  /** The canonical encoding (base64): two names are the same name for OpenSSL when these are equal. */
  canon: string
  /** The subject hash, 8 hex digits. */
  hash: string
}

const names = new Map<string, CanonicalSubject | undefined>()

/** A certificate's canonical subject and its hash, computed once per certificate. */
export function certificateSubject(cert: PemCertificate): CanonicalSubject | undefined {
  if (!names.has(cert.key)) {
    const canon = canonicalName(cert.subject)
    names.set(cert.key, canon && {canon: canon.toString('base64'), hash: hashOf(canon)})
  }

  return names.get(cert.key)
}

const hashOf = (canon: Buffer) =>
  createHash('sha1').update(canon).digest().readUInt32LE(0).toString(16).padStart(8, '0')

/** OpenSSL's X509_NAME_hash of an encoded Name, as 8 hex digits; undefined when OpenSSL refuses the name. */
export function subjectHash(name: Buffer): string | undefined {
  const canon = canonicalName(name)
  return canon && hashOf(canon)
}

/** The canonical encoding of an encoded Name (see above), or undefined when OpenSSL refuses the name. */
function canonicalName(name: Buffer): Buffer | undefined {
  const top = tlvAt(name, 0, name.length)
  if (!top || top.tag !== SEQUENCE) return undefined
  const rdns = children(name, top)
  if (!rdns) return undefined
  const canon: Buffer[] = []
  for (const rdn of rdns) {
    if (rdn.tag !== 0x11 || !rdn.constructed) return undefined
    const entries: Buffer[] = []
    const atvs = children(name, rdn)
    if (!atvs) return undefined
    for (const atv of atvs) {
      const parts = atv.tag === SEQUENCE ? children(name, atv) : undefined
      if (!parts || parts.length !== 2 || parts[0].tag !== 0x06) return undefined
      const [oid, value] = parts
      const oidTlv = name.subarray(oid.start, oid.end)
      if (!value.constructed && STRING_WIDTH.has(value.tag)) {
        const utf8 = utf8Of(value.tag, name.subarray(value.contentStart, value.end))
        if (!utf8) return undefined
        const text = canonical(utf8)
        entries.push(tlv(0x30, oidTlv, header(0x0c, text.length), text))
      } else entries.push(tlv(0x30, oidTlv, name.subarray(value.start, value.end)))
    }

    // A SET OF in DER order, compared as OpenSSL's encoder does (bytes, then length).
    if (entries.length > 1) entries.sort(Buffer.compare)
    canon.push(tlv(0x31, ...entries))
  }

  return Buffer.concat(canon)
}
