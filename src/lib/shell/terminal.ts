import {createInterface, type Interface} from 'node:readline'
import {Writable} from 'node:stream'

import {complete, type Names} from './complete.js'
import {appendHistory, hasSecret, HISTORY_LINES, loadHistory} from './history.js'
import {splitWords} from './words.js'

/**
 * The terminal side of the shell: a readline prompt with history (without lines that carry a
 * password) and tab completion, and password prompts that echo nothing.
 */
export class Terminal {
  private readonly rl: Interface
  private muted = false
  private readonly lines: string[] = []
  private waiting: ((line: string | undefined) => void) | undefined
  private ended = false

  constructor(
    private readonly historyFile: string,
    names: () => Names,
    private readonly prompt = 'mqctl> ',
  ) {
    const stdout = process.stdout
    // Echo goes through here, so a password prompt can swallow it.
    const output = new Writable({
      write: (chunk, _encoding, callback) => {
        if (!this.muted) stdout.write(chunk)
        callback()
      },
    })
    Object.defineProperty(output, 'columns', {get: () => stdout.columns})
    Object.defineProperty(output, 'rows', {get: () => stdout.rows})
    Object.defineProperty(output, 'isTTY', {value: true})
    this.rl = createInterface({
      input: process.stdin,
      output,
      terminal: true,
      historySize: HISTORY_LINES,
      removeHistoryDuplicates: true,
      completer: (line: string) => complete(line, names()),
    })
    // readline keeps the newest entry first.
    ;(this.rl as unknown as {history: string[]}).history = loadHistory(historyFile).reverse()
    this.rl.on('line', (line) => {
      if (this.waiting) {
        const resolve = this.waiting
        this.waiting = undefined
        resolve(line)
      } else {
        this.lines.push(line)
      }
    })
    this.rl.on('close', () => {
      this.ended = true
      this.waiting?.(undefined)
      this.waiting = undefined
    })
    // Ctrl-C clears the line rather than killing the session, as in bash.
    this.rl.on('SIGINT', () => {
      stdout.write('^C\n')
      ;(this.rl as unknown as {line: string}).line = ''
      this.rl.prompt()
    })
  }

  private next(): Promise<string | undefined> {
    if (this.lines.length > 0) return Promise.resolve(this.lines.shift())
    if (this.ended) return Promise.resolve(undefined)
    return new Promise((resolve) => {
      this.waiting = resolve
    })
  }

  /** The next command line (undefined at Ctrl-D); stored in the history unless it carries a password. */
  async readCommand(): Promise<string | undefined> {
    this.rl.setPrompt(this.prompt)
    this.rl.prompt()
    const line = await this.next()
    if (line === undefined) {
      process.stdout.write('\n')
      return undefined
    }

    const history = (this.rl as unknown as {history: string[]}).history
    let secret = true
    try {
      secret = hasSecret(splitWords(line))
    } catch {
      secret = hasSecret(line.split(/\s+/))
    }

    if (secret) {
      // Out of readline's in-memory history too, so arrow-up cannot bring the password back.
      if (history[0] === line) history.shift()
    } else if (line.trim() !== '') {
      appendHistory(this.historyFile, line)
    }

    return line
  }

  /** A password prompt with no echo; the typed line never enters the history. */
  async readPassword(prompt: string): Promise<string | undefined> {
    process.stdout.write(prompt)
    this.muted = true
    try {
      const line = await this.next()
      const history = (this.rl as unknown as {history: string[]}).history
      // Not only the newest entry: a password typed ahead (pasted with the lines after it) is
      // deeper in readline's history, where arrow-up would bring it back.
      const at = line === undefined ? -1 : history.indexOf(line)
      if (at !== -1) history.splice(at, 1)
      return line
    } finally {
      this.muted = false
      process.stdout.write('\n')
    }
  }

  close(): void {
    this.rl.close()
  }
}
