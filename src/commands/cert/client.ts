import {Flags} from '@oclif/core'

import {MqctlCommand} from '../../base/command.js'

export default class CertClient extends MqctlCommand {
  static override summary = 'Issue a client certificate (client.crt, client.key, ca.crt).'

  static override description =
    'Signed by the CA in --ca, with clientAuth usage and the common name --cn (which a listener with use_identity_as_username takes as the username). client.key is written 0600.'

  static override examples = ['<%= config.bin %> cert client --ca ./pki --cn sensor-1 --out ./pki/sensor-1']

  static override flags = {
    ca: Flags.string({description: 'Directory holding ca.crt and ca.key from "mqctl cert ca".', required: true}),
    cn: Flags.string({description: 'Common name (the username with use_identity_as_username).', required: true}),
    out: Flags.string({description: 'Directory to write into.', required: true}),
    days: Flags.integer({description: 'Validity in days.', default: 825, min: 1}),
    force: Flags.boolean({description: 'Replace existing files.'}),
  }

  async run(): Promise<unknown> {
    const {flags} = await this.parse(CertClient)
    const {createClientCert} = await import('../../lib/cert/dev-ca.js')
    const files = await createClientCert({
      ca: flags.ca,
      out: flags.out,
      commonName: flags.cn,
      days: flags.days,
      force: flags.force,
    })
    if (!this.jsonEnabled()) for (const f of files) this.out(f)
    return {files}
  }
}
