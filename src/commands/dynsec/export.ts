import {Flags} from '@oclif/core'

import {DynsecCommand} from '../../base/dynsec-command.js'
import {fleetExit, fleetRows, runFleet} from '../../base/dynsec-code.js'
import {fleetFlags, fleetTargets, isFleet, openTarget} from '../../base/dynsec-fleet.js'

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
    const {MqctlError} = await import('../../lib/errors.js')
    const {formatPolicy, stateToPolicy} = await import('../../lib/dynsec/policy.js')
    const {readBrokerState} = await import('../../lib/dynsec/state/read-broker.js')
    const {writeFileAtomic} = await import('../../lib/files/atomic.js')
    if (flags['include-hashes'] && flags.file === undefined) {
      throw new MqctlError(
        'USAGE_INCLUDE_HASHES',
        '--include-hashes needs -f FILE: a broker never reveals password hashes',
      )
    }

    const format = flags.format as 'yaml' | 'json'
    const exportOne = async (f: Record<string, unknown>) => {
      const {backend, target} = await openTarget(f)
      try {
        const state =
          backend.kind === 'file'
            ? (backend as import('../../lib/dynsec/file-backend.js').FileBackend).state
            : await readBrokerState(backend)
        const policy = stateToPolicy(state, {includeHashes: flags['include-hashes']})
        return {target, policy, text: await formatPolicy(policy, format)}
      } finally {
        await backend.close()
      }
    }

    if (!isFleet(flags)) {
      const {policy, text} = await exportOne((await fleetTargets(flags))[0])
      if (flags.output !== undefined) await writeFileAtomic(flags.output, text, {mode: 0o600})
      else if (this.jsonEnabled()) return policy
      else this.io.stdout.write(text)
      return undefined
    }

    const {join} = await import('node:path')
    const {mkdir} = await import('node:fs/promises')
    if (flags.output === undefined && !this.jsonEnabled()) {
      throw new MqctlError('USAGE_EXPORT_FLEET', 'with several brokers, give -o DIR (one file per profile) or --json')
    }

    if (flags.output !== undefined) await mkdir(flags.output, {recursive: true})
    const outcomes = await runFleet(await fleetTargets(flags), async (f) => {
      const result = await exportOne(f)
      const path = flags.output === undefined ? undefined : join(flags.output, `${String(f.profile)}.${format}`)
      if (path) await writeFileAtomic(path, result.text, {mode: 0o600})
      return {...result, path}
    })
    process.exitCode = fleetExit(outcomes, () => false, false)
    if (this.jsonEnabled()) {
      return outcomes.map((o) =>
        o.value
          ? {profile: o.label, target: o.value.target, policy: o.value.policy}
          : {profile: o.label, error: o.error!.toJSON()},
      )
    }

    const rows = outcomes.map((o): [string, string, string] => {
      if (!o.value) return [o.label, '-', `failed: ${o.error!.located}`]
      const p = o.value.policy
      return [
        o.label,
        o.value.target,
        `${p.clients?.length ?? 0} clients, ${p.groups?.length ?? 0} groups, ${p.roles?.length ?? 0} roles → ${o.value.path}`,
      ]
    })
    for (const line of fleetRows(rows)) this.out(line)
    return undefined
  }
}
