import {Flags} from '@oclif/core'

import {DynsecCommand} from '../../base/dynsec-command.js'
import {fleetFlags, policyArgs, pruneFlag} from '../../base/dynsec-fleet.js'

export default class DynsecPlan extends DynsecCommand {
  static override summary = 'Show the commands that would make the broker (or -f file) match a policy file.'

  static override description = `Reads the whole state, compares it with POLICY (YAML or JSON, as written by "dynsec export") and prints the ordered plugin commands that would make them equal, like a terraform plan: "+" adds, "~" changes, "-" removes, then a summary line "3 to add, 2 to change, 1 to delete". Nothing is sent.

Objects the policy lists are made exactly as listed (their extra ACLs, roles and memberships are removed); objects it does not list are left alone unless --prune, which deletes them (last). Default-access keys and the anonymous group are managed only when the policy sets them.

The order of equal-priority publish and pattern ACLs is part of the policy (the plugin checks them in list order): a different order on the broker is a change, repaired by removing and re-adding the fewest of them (not deletions: no --prune needed).

Under --json the object carries the shared verdict field: "allow" when there is nothing to do, "deny" when there are changes.

Exit status with --exit-code: 0 when there is nothing to do, 6 when there are changes (1-5 for errors as usual). With several --profile (or --all-profiles) each broker is planned in parallel and gets one summary row (one JSON object under --json); one broker that is down does not stop the others, and the exit status is non-zero when any failed or (with --exit-code) drifted.`

  static override examples = [
    '<%= config.bin %> dynsec plan policy.yaml',
    '<%= config.bin %> -h broker.example dynsec plan policy.yaml --prune --exit-code',
    '<%= config.bin %> dynsec plan policy.yaml --profile test --profile prod --exit-code',
    '<%= config.bin %> -f /var/lib/mosquitto/dynamic-security.json dynsec plan policy.yaml --json',
  ]

  static override args = policyArgs

  static override flags = {
    ...pruneFlag,
    'exit-code': Flags.boolean({description: 'Exit 6 when there are changes, 0 when there are none.'}),
    ...fleetFlags,
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(DynsecPlan)
    const {runPlan} = await import('../../base/dynsec-policy-run.js')
    return runPlan(this.policyRun(), args.policy, flags)
  }
}
