import {Flags} from '@oclif/core'

import {MqctlCommand} from '../../base/command.js'

export default class CertCa extends MqctlCommand {
  static override summary = 'Create a development certificate authority (ca.crt, ca.key).'

  static override description =
    'An ECDSA P-256 CA for testing TLS listeners: ca.key is written 0600, ca.crt 0644. Existing files are kept unless --force. Not for production: keep real CAs offline.'

  static override examples = [
    '<%= config.bin %> cert ca --out ./pki',
    '<%= config.bin %> cert ca --out ./pki --cn "Test CA" --days 365',
  ]

  static override flags = {
    out: Flags.string({description: 'Directory to write ca.crt and ca.key into.', required: true}),
    cn: Flags.string({description: 'Common name of the CA.', default: 'mqctl development CA'}),
    days: Flags.integer({description: 'Validity in days.', default: 3650, min: 1}),
    force: Flags.boolean({description: 'Replace existing files.'}),
  }

  async run(): Promise<unknown> {
    const {flags} = await this.parse(CertCa)
    const {createCa} = await import('../../lib/cert/dev-ca.js')
    const files = await createCa({out: flags.out, commonName: flags.cn, days: flags.days, force: flags.force})
    if (!this.jsonEnabled()) for (const f of files) this.out(f)
    return {files}
  }
}
