import {Flags} from '@oclif/core'

import {DynsecCommand} from '../../base/dynsec-command.js'
import {fleetFlags, policyArgs, pruneFlag} from '../../base/dynsec-fleet.js'

export default class DynsecApply extends DynsecCommand {
  static override summary = 'Make the broker (or -f file) match a policy file.'

  static override description = `Plans as "dynsec plan" does, then sends the commands in chunked requests over one connection (or applies them to the file, rewritten once, atomically, under the lock). A second apply of the same policy sends nothing and says so.

The plugin is not transactional: a refused command is reported as "<command>: Error: <text>" with the object it names, the others still apply, and the exit status is 1; the output says which commands were applied.

Deletions (--prune) need --yes when standard input is not a terminal (otherwise exit 2, nothing sent) and a confirmation on a terminal. A plan that would take away the calling admin's own access to $CONTROL/dynamic-security/# is refused (exit 1, nothing sent) unless --force. With -f FILE nothing connects, so there is no calling admin and no such guard: review the plan ("dynsec plan" with -f) and, after the broker restarts, check an admin with "dynsec check".

Passwords are set when a client is created (or, with --rotate-passwords, again), from the policy's per-client "password: {env: NAME}" or "{file: PATH}", or from --passwords PWFILE ("username:password" lines). Never from the command line; never printed, never in --json. "{hash: …}" (export --include-hashes) works with -f only.

--audit-log FILE appends one JSON line per applied command: time, admin user, broker, command, object (never a secret). It is opened before anything is sent: a log that cannot be written stops the apply (exit 5, nothing sent).`

  static override examples = [
    '<%= config.bin %> dynsec apply policy.yaml',
    '<%= config.bin %> dynsec apply policy.yaml --prune --yes --audit-log /var/log/mqctl-dynsec.jsonl',
    '<%= config.bin %> dynsec apply devices.yaml --passwords devices.pw',
    '<%= config.bin %> -f /var/lib/mosquitto/dynamic-security.json dynsec apply policy.yaml',
    '<%= config.bin %> dynsec apply policy.yaml --all-profiles --yes',
  ]

  static override args = policyArgs

  static override flags = {
    ...pruneFlag,
    'dry-run': Flags.boolean({description: 'Show the plan and send nothing.'}),
    yes: Flags.boolean({char: 'y', description: 'Go ahead with deletions without asking.'}),
    passwords: Flags.string({description: 'File of username:password lines for new clients (keep it 0600).'}),
    'rotate-passwords': Flags.boolean({
      description: 'Also set the password of existing clients that have one in the policy.',
    }),
    force: Flags.boolean({description: 'Apply even a plan that locks the calling admin out of the dynsec API.'}),
    'audit-log': Flags.string({description: 'Append one JSON line per applied command to this file.'}),
    ...fleetFlags,
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(DynsecApply)
    const {runApply} = await import('../../base/dynsec-policy-run.js')
    return runApply(this.policyRun(), args.policy, flags)
  }
}
