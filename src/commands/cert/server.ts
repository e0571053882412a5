import {Flags} from '@oclif/core'

import {CA_CHECK_TEXT, CERT_PAIR_TEXT, CertCommand, leafFlags} from '../../base/cert-command.js'

export default class CertServer extends CertCommand {
  static override summary = 'Issue a server certificate for a broker listener (server.crt, server.key, ca.crt).'

  static override description = `Signed by the CA in --ca; the certificate covers every --host (DNS names) and --ip address given, with serverAuth usage. server.key is written 0600. The output directory plugs into "mqctl config gen --cert-dir".

${CA_CHECK_TEXT}

${CERT_PAIR_TEXT}`

  static override examples = [
    '<%= config.bin %> cert server --ca ./pki --host broker.example.com --ip 127.0.0.1 --out ./pki/server',
  ]

  static override flags = leafFlags({
    host: Flags.string({description: 'DNS name the certificate covers; repeatable.', multiple: true, default: []}),
    ip: Flags.string({description: 'IP address the certificate covers; repeatable.', multiple: true, default: []}),
  })

  async run(): Promise<unknown> {
    const {flags} = await this.parse(CertServer)
    const {MqctlError} = await import('../../lib/errors.js')
    if (flags.host.length === 0 && flags.ip.length === 0)
      throw new MqctlError('USAGE_CERT', 'give at least one --host or --ip')
    const {createServerCert} = await import('../../lib/cert/dev-ca.js')
    return this.written(await createServerCert({...this.leafOptions(flags), hosts: flags.host, ips: flags.ip}))
  }
}
