import {asLine, jsonText, PLAIN, type IO, type OutputStream} from '../../src/lib/io.js'
import {MqctlError} from '../../src/lib/errors.js'

/** An output stream that keeps what was written. */
export class BufferStream implements OutputStream {
  text = ''
  readonly colour = PLAIN
  constructor(readonly isTTY = false) {}
  write(text: string): void {
    this.text += text
  }
}

export interface FakeIOOptions {
  json?: boolean
  /** Whether stdin/stderr/stdout count as terminals (all three, for simplicity). */
  tty?: boolean
  /** Answers to promptSecret, in order; running out is Ctrl-C. */
  answers?: string[]
}

/** The I/O seam with buffers, for the in-process command tests. */
export class FakeIO implements IO {
  readonly stdout: BufferStream
  readonly stderr: BufferStream
  readonly jsonMode: boolean
  readonly prompts: string[] = []
  readonly progressLines: Array<string | undefined> = []
  private readonly answers: string[]
  private readonly tty: boolean

  constructor(options: FakeIOOptions = {}) {
    this.tty = options.tty ?? false
    this.jsonMode = options.json ?? false
    this.stdout = new BufferStream(this.tty)
    this.stderr = new BufferStream(this.tty)
    this.answers = [...(options.answers ?? [])]
  }

  out(text: string): void {
    if (!this.jsonMode) this.stdout.write(asLine(text))
  }

  json(value: unknown): void {
    this.stdout.write(jsonText(value))
  }

  warn(text: string): void {
    this.stderr.write(`mqctl: warning: ${text}\n`)
  }

  debug(text: string): void {
    this.stderr.write(`mqctl: debug: ${text}\n`)
  }

  canPrompt(): boolean {
    return this.tty
  }

  async promptSecret(message: string): Promise<string> {
    this.prompts.push(message)
    const answer = this.answers.shift()
    if (answer === undefined) throw new MqctlError('REFUSED_INTERRUPTED', 'interrupted')
    return answer
  }

  progress(text: string | undefined): void {
    if (this.tty && !this.jsonMode) this.progressLines.push(text)
  }
}
