import {Flags} from '@oclif/core'

import {CA_CHECK_TEXT, CERT_PAIR_TEXT, CertCommand, leafFlags} from '../../base/cert-command.js'

export default class CertClient extends CertCommand {
  static override summary = 'Issue a client certificate (client.crt, client.key, ca.crt).'

  static override description = `Signed by the CA in --ca, with clientAuth usage and the common name --cn (which a listener with use_identity_as_username takes as the username). client.key is written 0600.

${CA_CHECK_TEXT}

${CERT_PAIR_TEXT}`

  static override examples = ['<%= config.bin %> cert client --ca ./pki --cn sensor-1 --out ./pki/sensor-1']

  static override flags = leafFlags({
    cn: Flags.string({description: 'Common name (the username with use_identity_as_username).', required: true}),
  })

  async run(): Promise<unknown> {
    const {flags} = await this.parse(CertClient)
    const {createClientCert} = await import('../../lib/cert/dev-ca.js')
    return this.written(await createClientCert({...this.leafOptions(flags), commonName: flags.cn}))
  }
}
