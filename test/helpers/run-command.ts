import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {Config, Errors} from '@oclif/core'

import {setIOFactory} from '../../src/base/io.js'
import {FakeIO, type FakeIOOptions} from './fake-io.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
let config: Config | undefined

export interface InProcessResult {
  status: number
  stdout: string
  stderr: string
  io: FakeIO
  result: unknown
}

interface Runnable {
  run(argv: string[], opts: Config): Promise<unknown>
}

/**
 * Runs a command class in this process on the fake I/O seam (oclif's Config loaded once), the
 * way oclif would: parse, run, catch. HOME points at an empty directory so no profile or
 * mosquitto_ctrl options file of the developer is read.
 */
export async function runCommand(
  command: Runnable,
  argv: string[],
  options: FakeIOOptions & {env?: Record<string, string | undefined>} = {},
): Promise<InProcessResult> {
  config ??= await Config.load({root})
  const io = new FakeIO({...options, json: options.json ?? argv.includes('--json')})
  const previous = setIOFactory(() => io)
  const env = {
    HOME: mkdtempSync(join(tmpdir(), 'mqctl-home-')),
    XDG_CONFIG_HOME: undefined,
    MQCTL_CONFIG_DIR: undefined,
    MQCTL_PASSWORD: undefined,
    MQCTL_PROFILE: undefined,
    MQCTL_HOST: undefined,
    MQCTL_PORT: undefined,
    MQCTL_USERNAME: undefined,
    ...options.env,
  }
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]))
  const apply = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }

  apply(env)
  const exitCode = process.exitCode
  process.exitCode = undefined
  let status = 0
  let result: unknown
  try {
    result = await command.run(argv, config)
  } catch (error) {
    if (!(error instanceof Errors.ExitError)) throw error
    status = error.oclif.exit ?? 1
  } finally {
    // Commands that report findings set process.exitCode; it is their status, not vitest's.
    if (status === 0 && typeof process.exitCode === 'number') status = process.exitCode
    process.exitCode = exitCode
    apply(saved)
    setIOFactory(previous)
  }

  return {status, stdout: io.stdout.text, stderr: io.stderr.text, io, result}
}
