import {MqctlError} from '../errors.js'

/**
 * The longest password line read from a stream or file, in bytes (mosquitto_passwd: passwords
 * must be under 65536 characters). A longer line is an error, and reading stops there, so
 * `--password-stdin </dev/zero` ends at once in bounded memory.
 */
export const MAX_PASSWORD_LINE_BYTES = 65_535

export const passwordLineTooLong = (source: string, what = 'password line') =>
  new MqctlError(
    'USAGE_PASSWORD_TOO_LONG',
    `${source}: the ${what} is longer than ${MAX_PASSWORD_LINE_BYTES} bytes (is this the right input?)`,
  )

/**
 * Line reader over a stream (stdin) that keeps what it read past the last line it handed out,
 * so several reads (admin password, then a client password) share one stdin. Lines are bounded
 * by MAX_PASSWORD_LINE_BYTES (plus a CR/LF run).
 */
export class LineReader {
  private buffered = Buffer.alloc(0)
  private ended = false
  private wake: (() => void) | undefined

  constructor(private readonly stream: NodeJS.ReadableStream = process.stdin) {
    // 'end' can fire right after the last 'data', while fill() has already paused the stream
    // and dropped its listeners; a listener that stays for the reader's life never misses it.
    stream.once('end', () => {
      this.ended = true
      this.wake?.()
    })
  }

  /** The next line without its trailing CR/LF run, or undefined at end of input; `what` names it in the error. */
  async readLine(what = 'password line'): Promise<Buffer | undefined> {
    for (;;) {
      const nl = this.buffered.indexOf(0x0a)
      if (nl !== -1) {
        const line = this.buffered.subarray(0, nl)
        this.buffered = this.buffered.subarray(nl + 1)
        return checkLength(stripEol(line), what)
      }

      // No newline yet: more than a password line and its CRLF is already too much.
      if (this.buffered.length > MAX_PASSWORD_LINE_BYTES + 2) throw passwordLineTooLong('standard input', what)
      if (this.ended) {
        if (this.buffered.length === 0) return undefined
        const line = this.buffered
        this.buffered = Buffer.alloc(0)
        return checkLength(stripEol(line), what)
      }

      await this.fill()
    }
  }

  private fill(): Promise<void> {
    if ((this.stream as {readableEnded?: boolean}).readableEnded) this.ended = true
    if (this.ended) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const stream = this.stream
      const cleanup = () => {
        stream.off('data', onData)
        stream.off('error', onError)
        this.wake = undefined
        stream.pause()
      }

      const onData = (chunk: Buffer | string) => {
        this.buffered = Buffer.concat([this.buffered, typeof chunk === 'string' ? Buffer.from(chunk) : chunk])
        cleanup()
        resolve()
      }

      this.wake = () => {
        cleanup()
        resolve()
      }

      const onError = (error: Error) => {
        cleanup()
        reject(new MqctlError('FILE_STDIN', `cannot read standard input: ${error.message}`))
      }

      stream.on('data', onData)
      stream.once('error', onError)
      stream.resume()
    })
  }
}

function checkLength(line: Buffer, what: string): Buffer {
  if (line.length > MAX_PASSWORD_LINE_BYTES) throw passwordLineTooLong('standard input', what)
  return line
}

function stripEol(line: Buffer): Buffer {
  let end = line.length
  while (end > 0 && (line[end - 1] === 0x0a || line[end - 1] === 0x0d)) end--
  return line.subarray(0, end)
}

let stdinReader: LineReader | undefined
export const stdinLines = (): LineReader => (stdinReader ??= new LineReader(process.stdin))
