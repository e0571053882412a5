import {openBackendFromFlags, type OpenedBackend} from './dynsec-backend.js'

/*
 * The targets of `dynsec plan`, `apply` and `export` (one broker, a -f file or a fleet of
 * profiles), without oclif: the commands and their fast path (src/cli/policy.ts) share them.
 */

/** One flag set per broker: the given flags with one profile each (a single target without fleet flags). */
export async function fleetTargets(flags: Record<string, unknown>): Promise<Array<Record<string, unknown>>> {
  let profiles = flags.profile as string[] | undefined
  if (flags['all-profiles']) {
    const {configFilePath, loadConfigFile} = await import('../lib/connection/profiles.js')
    const {MqctlError} = await import('../lib/errors.js')
    const path = configFilePath()
    const config = await loadConfigFile(path)
    if (!config || config.names.length === 0) throw new MqctlError('USAGE_PROFILE', `no profiles in ${path}`)
    profiles = config.names
  }

  if (!profiles || profiles.length === 0) return [{...flags, profile: undefined}]
  return [...new Set(profiles)].map((profile) => ({...flags, profile}))
}

export const isFleet = (flags: Record<string, unknown>): boolean =>
  Boolean(flags['all-profiles']) || ((flags.profile as string[] | undefined)?.length ?? 0) > 1

/** Opens the backend of one target; the profile name (if any) labels it. */
export async function openTarget(
  flags: Record<string, unknown>,
  options: Parameters<typeof openBackendFromFlags>[1] = {},
): Promise<OpenedBackend & {label: string}> {
  const opened = await openBackendFromFlags(flags, options)
  return {...opened, label: (flags.profile as string | undefined) ?? opened.target}
}
