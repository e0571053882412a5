import {isatty} from 'node:tty'

import {MqctlError} from '../lib/errors.js'
import type {PromptFn} from '../lib/secrets/password.js'
import {MAX_PASSWORD_LINE_BYTES, passwordLineTooLong} from '../lib/secrets/stdin.js'

/**
 * True when a person can answer a prompt: standard input is a terminal. Asked of the descriptor,
 * as process.stdin decides isTTY, without making process.stdin (its stream costs ~5 ms to set up
 * on every connecting command that never reads it).
 */
export const canPrompt = (): boolean => isatty(0)

/** Drops the last UTF-8 character (its continuation bytes are 10xxxxxx). */
function dropLastChar(bytes: number[]): void {
  while (bytes.length > 0 && (bytes.at(-1)! & 0xc0) === 0x80) bytes.pop()
  bytes.pop()
}

/**
 * Password prompt on the terminal that echoes nothing, as mosquitto_passwd's (no `*` per
 * character that would show the length, no reveal key). The prompt goes to stderr so stdout
 * stays clean for what scripts capture (`passwd -c -`, `hash`). Enter ends the line, Backspace
 * and Ctrl-U edit it, Ctrl-D ends it, Ctrl-C stops the command (exit 130).
 */
export const promptPassword: PromptFn = (message) =>
  new Promise<string>((resolve, reject) => {
    const stdin = process.stdin
    const typed: number[] = []
    // Echo off before the prompt shows, so nothing typed after it is ever echoed.
    stdin.setRawMode?.(true)
    process.stderr.write(`${message} `)
    const finish = (error?: MqctlError) => {
      stdin.off('data', onData)
      stdin.setRawMode?.(false)
      stdin.pause()
      process.stderr.write('\n')
      if (error) reject(error)
      else resolve(Buffer.from(typed).toString('utf8'))
    }

    const onData = (chunk: Buffer | string) => {
      for (const byte of typeof chunk === 'string' ? Buffer.from(chunk) : chunk) {
        if (byte === 0x0d || byte === 0x0a || byte === 0x04) return finish()
        if (byte === 0x03) return finish(new MqctlError('REFUSED_INTERRUPTED', 'interrupted'))
        if (byte === 0x7f || byte === 0x08) dropLastChar(typed)
        else if (byte === 0x15) typed.length = 0
        else typed.push(byte)
        if (typed.length > MAX_PASSWORD_LINE_BYTES) return finish(passwordLineTooLong('the prompt'))
      }
    }

    stdin.on('data', onData)
    stdin.resume()
  })
