/**
 * Every failure in mqctl is an MqctlError: a stable code, an exit status from the table in
 * DESIGN.md section 4, and an optional hint. Rendering happens in one place (src/base).
 */
export const EXIT = {
  ok: 0,
  refused: 1,
  usage: 2,
  connection: 3,
  timeout: 4,
  file: 5,
  changes: 6,
} as const

export type ExitStatus = (typeof EXIT)[keyof typeof EXIT]

export interface SourceLocation {
  file: string
  line?: number
  column?: number
}

export interface MqctlErrorOptions {
  /** Exit status; defaults to the status implied by the code. */
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

/** Default exit status per code family; codes are `FAMILY_DETAIL`. */
const FAMILY_EXIT: Record<string, number> = {
  USAGE: EXIT.usage,
  REFUSED: EXIT.refused,
  NOT_FOUND: EXIT.refused,
  CONNECTION: EXIT.connection,
  TIMEOUT: EXIT.timeout,
  FILE: EXIT.file,
  PARSE: EXIT.file,
  INTERNAL: EXIT.refused,
}

export class MqctlError extends Error {
  readonly code: string
  readonly exit: number
  readonly hint?: string
  readonly location?: SourceLocation
  readonly verbatim?: string
  readonly details?: Record<string, unknown>

  constructor(code: string, message: string, options: MqctlErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    this.name = 'MqctlError'
    this.code = code
    this.exit = options.exit ?? FAMILY_EXIT[code.split('_')[0]] ?? EXIT.refused
    this.hint = options.hint
    this.location = options.location
    this.verbatim = options.verbatim
    this.details = options.details
  }

  /** `file:line:column: message` when the error points into a file. */
  get located(): string {
    const loc = this.location
    if (!loc) return this.message
    const pos = [loc.file, loc.line, loc.column].filter((p) => p !== undefined).join(':')
    return `${pos}: ${this.message}`
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      exit: this.exit,
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
