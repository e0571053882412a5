import {Flags} from '@oclif/core'

import {CERT_PAIR_TEXT, CertCommand, certFlags} from '../../base/cert-command.js'

export default class CertCa extends CertCommand {
  static override summary = 'Create a development certificate authority (ca.crt, ca.key).'

  static override description = `An ECDSA P-256 CA for testing TLS listeners: ca.key is written 0600, ca.crt 0644. Existing files are kept unless --force (exit 5). Not for production: keep real CAs offline.

${CERT_PAIR_TEXT}`

  static override examples = [
    '<%= config.bin %> cert ca --out ./pki',
    '<%= config.bin %> cert ca --out ./pki --cn "Test CA" --days 365',
  ]

  static override flags = {
    out: certFlags.out('Directory to write ca.crt and ca.key into.'),
    cn: Flags.string({description: 'Common name of the CA.', default: 'mqctl development CA'}),
    days: certFlags.days(3650),
    force: certFlags.force(),
  }

  async run(): Promise<unknown> {
    const {flags} = await this.parse(CertCa)
    const {createCa} = await import('../../lib/cert/dev-ca.js')
    return this.written(await createCa({out: flags.out, commonName: flags.cn, days: flags.days, force: flags.force}))
  }
}
