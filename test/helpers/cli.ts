import {spawn} from 'node:child_process'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url))

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** A HOME of its own, so no test reads the developer's ~/.config files. */
export const isolatedHome = (): string => mkdtempSync(join(tmpdir(), 'mqctl-home-'))

/** Runs the built CLI as a user would, stdin closed unless `input` is given. */
export function mqctl(
  args: string[],
  options: {input?: string; env?: Record<string, string | undefined>; cwd?: string} = {},
): Promise<CliResult> {
  const home = options.env?.HOME ?? isolatedHome()
  const env: Record<string, string | undefined> = {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: undefined,
    MQCTL_CONFIG_DIR: undefined,
    MQCTL_PASSWORD: undefined,
    MQCTL_PROFILE: undefined,
    NO_COLOR: '1',
    ...options.env,
  }
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k]
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: env as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.once('error', reject)
    child.once('close', (code) => resolve({code, stdout, stderr}))
    // A program that exits without reading its input makes the write fail with EPIPE.
    child.stdin.on('error', () => {})
    child.stdin.end(options.input ?? '')
  })
}

/** Runs a program (a real mosquitto tool) the same way. */
export function run(
  cmd: string,
  args: string[],
  options: {input?: string; env?: Record<string, string | undefined>} = {},
): Promise<CliResult> {
  // An undefined value removes the variable the test process has.
  const env: Record<string, string | undefined> = {...process.env, ...options.env}
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k]
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {env: env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.once('error', reject)
    child.once('close', (code) => resolve({code, stdout, stderr}))
    // A program that exits without reading its input makes the write fail with EPIPE.
    child.stdin.on('error', () => {})
    child.stdin.end(options.input ?? '')
  })
}
