import {Flags} from '@oclif/core'

import {DynsecCommand} from '../../base/dynsec-command.js'
import {fleetFlags} from '../../base/dynsec-fleet.js'

export default class DynsecExport extends DynsecCommand {
  static override summary = 'Write the whole dynamic-security state as a reviewable policy document.'

  static override description = `YAML by default (or JSON), with "version: 1", objects sorted by name and a stable key order, so that a diff of two exports shows exactly what changed. No secrets: the broker never reveals password hashes, and a file's are left out unless --include-hashes (with -f only, for a file-to-file copy).

The document is what "dynsec plan" and "dynsec apply" read; its JSON Schema is printed by "dynsec schema" (also docs/json/dynsec-policy.schema.json). export → apply to an empty broker → export gives the same document.

With several --profile (or --all-profiles), -o names a directory that gets one <profile>.yaml per broker, and one summary row per broker is printed.`

  static override examples = [
    '<%= config.bin %> dynsec export -o policy.yaml',
    '<%= config.bin %> -h broker.example -u admin dynsec export --format json',
    '<%= config.bin %> -f /var/lib/mosquitto/dynamic-security.json dynsec export --include-hashes -o copy.yaml',
    '<%= config.bin %> dynsec export --all-profiles -o exports/',
  ]

  static override flags = {
    output: Flags.string({char: 'o', description: 'Write to this file (atomically) instead of standard output.'}),
    format: Flags.string({description: 'Document format.', options: ['yaml', 'json'], default: 'yaml'}),
    'include-hashes': Flags.boolean({description: "Include the file's password hashes (-f only)."}),
    ...fleetFlags,
  }

  async run(): Promise<unknown> {
    const {flags} = await this.parse(DynsecExport)
    const {runExport} = await import('../../base/dynsec-policy-run.js')
    return runExport(this.policyRun(), flags)
  }
}
