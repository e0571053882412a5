import {EXIT, mqctlExit} from '../cli/exit-policy.js'

/**
 * Every failure in mqctl is an MqctlError: a stable code (`FAMILY_DETAIL`), a message and an
 * optional hint. src/lib says what went wrong; the exit status is decided from the code at the
 * edge (src/cli/exit-policy.ts) and the error is rendered once there (src/base/render-error.ts).
 */
/** @deprecated import EXIT from src/cli/exit-policy.ts (kept so existing imports compile). */
export {EXIT}

export type ExitStatus = (typeof EXIT)[keyof typeof EXIT]

export interface SourceLocation {
  file: string
  line?: number
  column?: number
}

export interface MqctlErrorOptions {
  /**
   * @deprecated the status comes from the code (src/cli/exit-policy.ts); a value here still
   * overrides it, for throw sites not yet moved to a code of their own.
   */
  exit?: number
  hint?: string
  location?: SourceLocation
  /**
   * Text printed verbatim instead of `mqctl: <message>`, for drop-in commands whose
   * messages scripts already match (mosquitto_passwd's `Error: …` lines).
   */
  verbatim?: string
  /** Machine-readable facts for --json (never secrets). */
  details?: Record<string, unknown>
  cause?: unknown
}

export class MqctlError extends Error {
  readonly code: string
  /** The deprecated per-throw status, when one was given. */
  readonly exitOverride?: number
  readonly hint?: string
  readonly location?: SourceLocation
  readonly verbatim?: string
  readonly details?: Record<string, unknown>

  constructor(code: string, message: string, options: MqctlErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    this.name = 'MqctlError'
    this.code = code
    this.exitOverride = options.exit
    this.hint = options.hint
    this.location = options.location
    this.verbatim = options.verbatim
    this.details = options.details
  }

  /** @deprecated the status under mqctl's policy; front ends ask their own policy instead. */
  get exit(): number {
    return mqctlExit(this)
  }

  /** `file:line:column: message` when the error points into a file. */
  get located(): string {
    const loc = this.location
    if (!loc) return this.message
    const pos = [loc.file, loc.line, loc.column].filter((p) => p !== undefined).join(':')
    return `${pos}: ${this.message}`
  }

  toJSON(): Record<string, unknown> {
    return this.toEnvelope(this.exit)
  }

  /** The `error` member of the --json envelope, with the status the front end chose. */
  toEnvelope(exit: number): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      exit,
      ...(this.hint ? {hint: this.hint} : {}),
      ...(this.location ? {location: this.location} : {}),
      ...(this.details ? {details: this.details} : {}),
    }
  }
}

export const isMqctlError = (e: unknown): e is MqctlError => e instanceof MqctlError

/** Node's errno codes mapped to the short phrases mosquitto prints via strerror(). */
const STRERROR: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  EROFS: 'Read-only file system',
  EEXIST: 'File exists',
  ENOSPC: 'No space left on device',
  ELOOP: 'Too many levels of symbolic links',
  EPERM: 'Operation not permitted',
  EBUSY: 'Device or resource busy',
}

export function strerror(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  if (code && STRERROR[code]) return STRERROR[code]
  return err instanceof Error ? err.message : String(err)
}

/** Wraps a filesystem failure as a FILE_* error naming the path. */
export function fileError(path: string, err: unknown, action = 'read'): MqctlError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? 'IO'
  return new MqctlError(`FILE_${code}`, `cannot ${action} ${path}: ${strerror(err)}`, {cause: err})
}
