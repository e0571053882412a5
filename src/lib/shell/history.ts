import {chmodSync, mkdirSync, openSync, readFileSync, closeSync, writeSync} from 'node:fs'
import {homedir} from 'node:os'
import {dirname, join} from 'node:path'

/** Lines kept; older ones are dropped when the shell starts. */
export const HISTORY_LINES = 1000

/** `$XDG_STATE_HOME/mqctl/history`, else `~/.local/state/mqctl/history`. */
export function historyPath(env: NodeJS.ProcessEnv = process.env): string {
  const state = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state')
  return join(state, 'mqctl', 'history')
}

/** Words that carry a password in this line (`createClient u -p pw`, `setClientPassword u pw`, `-P`). */
export function hasSecret(words: readonly string[]): boolean {
  const command = (words[0]?.toLowerCase() === 'dynsec' ? words[1] : words[0])?.toLowerCase()
  if (command === 'setclientpassword' && words.length > (words[0]?.toLowerCase() === 'dynsec' ? 3 : 2)) return true
  return words.some((w) => /^(-p|-P|--password|--pw)(=|$)/.test(w) || /^-[pP]./.test(w))
}

/** The history, oldest first; none when the file is missing or unreadable. */
export function loadHistory(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n').filter(Boolean).slice(-HISTORY_LINES)
  } catch {
    return []
  }
}

/** Appends one line to the history file, created 0600 (and made 0600 if it was not). Never throws. */
export function appendHistory(path: string, line: string): void {
  try {
    mkdirSync(dirname(path), {recursive: true, mode: 0o700})
    const fd = openSync(path, 'a', 0o600)
    try {
      writeSync(fd, line.replace(/[\r\n]/g, ' ') + '\n')
    } finally {
      closeSync(fd)
    }

    chmodSync(path, 0o600)
  } catch {
    // A read-only home must not stop the shell; the history is a convenience.
  }
}
