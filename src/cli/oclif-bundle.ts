import {Config, execute} from '@oclif/core'

import DynsecApply from '../commands/dynsec/apply.js'
import DynsecExport from '../commands/dynsec/export.js'
import DynsecPlan from '../commands/dynsec/plan.js'

/**
 * The entry of dist/bundle/oclif.cjs: oclif itself and the commands that read a whole policy
 * (plan, apply, export), in one esbuild bundle that bin/run.js compiles through its V8 code cache,
 * for what their fast path (src/cli/policy.ts, dist/bundle/policy.cjs) leaves to oclif: help,
 * fleets, a confirmation on a terminal, flags it does not parse.
 * Loaded from dist/ and node_modules, these took about 140 ms in node's module loaders and as much
 * compiling, three times a getClient; from the bundle they run the same oclif code, so help, errors,
 * prompts and --json are oclif's own. Other commands and plugins still load from their files.
 */
export const COMMANDS = {'dynsec:apply': DynsecApply, 'dynsec:export': DynsecExport, 'dynsec:plan': DynsecPlan}

/** oclif's execute() with the root plugin's commands taken from this bundle (explicit discovery). */
export async function executeBundled(args: string[], dir: string): Promise<unknown> {
  const config = await Config.load(dir)
  const root = config.plugins.get(config.name) as unknown as {commandCache?: unknown; commandDiscoveryOpts?: unknown}
  root.commandDiscoveryOpts = {strategy: 'explicit', target: 'dist/bundle/oclif.cjs', identifier: 'COMMANDS'}
  root.commandCache = COMMANDS
  return execute({args, loadOptions: config})
}
