import {Flags} from '@oclif/core'

import {MqctlCommand} from '../../base/command.js'

export default class CertCa extends MqctlCommand {
  static override summary = 'Create a development certificate authority (ca.crt, ca.key).'

  static override description = `An ECDSA P-256 CA for testing TLS listeners: ca.key is written 0600, ca.crt 0644. Existing files are kept unless --force (exit 5). Not for production: keep real CAs offline.

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
