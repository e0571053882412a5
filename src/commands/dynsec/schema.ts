import {MqctlCommand} from '../../base/command.js'

export default class DynsecSchema extends MqctlCommand {
  static override summary = 'Print the JSON Schema of the policy document (export, plan, apply).'

  static override description =
    'Generated from the same zod schema that checks policies, and committed as docs/json/dynsec-policy.schema.json. Point an editor at it (for YAML: "# yaml-language-server: $schema=dynsec-policy.schema.json") to get completion and validation while editing a policy.'

  static override examples = ['<%= config.bin %> dynsec schema > dynsec-policy.schema.json']

  static override enableJsonFlag = false

  async run(): Promise<void> {
    await this.parse(DynsecSchema)
    const {policyJsonSchemaText} = await import('../../lib/dynsec/policy-schema.js')
    this.io.stdout.write(policyJsonSchemaText())
  }
}
