import {Flags} from '@oclif/core'

import {MqctlCommand} from '../../base/command.js'

export default class CertServer extends MqctlCommand {
  static override summary = 'Issue a server certificate for a broker listener (server.crt, server.key, ca.crt).'

  static override description = `Signed by the CA in --ca; the certificate covers every --host (DNS names) and --ip address given, with serverAuth usage. server.key is written 0600. The output directory plugs into "mqctl config gen --cert-dir".

The CA is checked first: ca.crt must be a PEM CA certificate (basicConstraints CA:TRUE, keyCertSign) and ca.key its own key; anything else is refused with exit 5 and nothing is written.

Key and certificate are replaced as a pair: both are written complete beside the old ones, then the key and the certificate are renamed in that order, so a crash leaves the old pair, or the new key and a pending .<name>.crt.mqctl-new certificate that the next mqctl cert command renames into place. The key is 0600, also when --force replaces a key that was more open.`

  static manual = {
    exitStatus: [
      ['0', 'Files written.'],
      ['2', 'Bad flags.'],
      [
        '5',
        'A file problem: FILE_EXISTS (without --force), FILE_CA (ca.crt or ca.key missing), FILE_CA_CERT (empty, binary, DER, truncated or damaged PEM), FILE_CA_KEY (no PEM private key), FILE_CA_NOT_CA (no basicConstraints CA:TRUE, or keyUsage without keyCertSign), FILE_CA_MISMATCH (ca.key is not the key of ca.crt), FILE_NOT_REGULAR (a FIFO, /dev/zero), or a write error.',
      ],
    ] as Array<[string, string]>,
  }

  static override examples = [
    '<%= config.bin %> cert server --ca ./pki --host broker.example.com --ip 127.0.0.1 --out ./pki/server',
  ]

  static override flags = {
    ca: Flags.string({description: 'Directory holding ca.crt and ca.key from "mqctl cert ca".', required: true}),
    host: Flags.string({description: 'DNS name the certificate covers; repeatable.', multiple: true, default: []}),
    ip: Flags.string({description: 'IP address the certificate covers; repeatable.', multiple: true, default: []}),
    out: Flags.string({description: 'Directory to write into.', required: true}),
    days: Flags.integer({description: 'Validity in days.', default: 825, min: 1}),
    force: Flags.boolean({description: 'Replace existing files.'}),
  }

  async run(): Promise<unknown> {
    const {flags} = await this.parse(CertServer)
    const {MqctlError} = await import('../../lib/errors.js')
    if (flags.host.length === 0 && flags.ip.length === 0)
      throw new MqctlError('USAGE_CERT', 'give at least one --host or --ip')
    const {createServerCert} = await import('../../lib/cert/dev-ca.js')
    const files = await createServerCert({
      ca: flags.ca,
      out: flags.out,
      hosts: flags.host,
      ips: flags.ip,
      days: flags.days,
      force: flags.force,
    })
    if (!this.jsonEnabled()) for (const f of files) this.out(f)
    return {files}
  }
}
