import {Args, Flags} from '@oclif/core'

/** The POLICY argument and --prune of `dynsec plan` and `dynsec apply`, written once. */
export const policyArgs = {
  policy: Args.string({description: 'Policy file (YAML or JSON; - for stdin).', required: true, ignoreStdin: true}),
}
export const pruneFlag = {
  prune: Flags.boolean({description: 'Also delete clients, groups and roles the policy does not list.'}),
}

/** --profile more than once, or --all-profiles: the same policy on several brokers. */
export const fleetFlags = {
  profile: Flags.string({
    description: 'Profile of ~/.config/mqctl/config.yaml to use (or MQCTL_PROFILE); repeat for several brokers.',
    multiple: true,
    helpGroup: 'CONNECTION',
  }),
  'all-profiles': Flags.boolean({
    description: 'Run against every profile in ~/.config/mqctl/config.yaml, in parallel.',
    exclusive: ['profile', 'file'],
    helpGroup: 'CONNECTION',
  }),
}
