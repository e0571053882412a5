/**
 * Text from input files and brokers is shown escaped: a control byte in a topic or a user
 * name must not move the cursor, recolour or retitle the operator's terminal.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g

export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}

/** escapeControl, and a tab or newline as \t / \n, for one-line messages. */
export function escapeForLine(text: string): string {
  return escapeControl(text).replace(/\t/g, '\\t').replace(/\n/g, '\\n')
}
