import {Flags} from '@oclif/core'

import {MqctlCommand} from './command.js'

/*
 * What the three `cert` commands share: the pair-replacement promise, the CA check, the exit
 * statuses, the flags with the same meaning, and printing the files written.
 */

/** How every cert command replaces a key and its certificate (the last paragraph of each description). */
export const CERT_PAIR_TEXT = `Key and certificate are replaced as a pair: both are written complete beside the old ones, then the key and the certificate are renamed in that order, so a crash leaves the old pair, or the new key and a pending .<name>.crt.mqctl-new certificate that the next mqctl cert command renames into place. The key is 0600, also when --force replaces a key that was more open.`

/** What the commands that sign with a CA check before writing anything. */
export const CA_CHECK_TEXT = `The CA is checked first: ca.crt must be a PEM CA certificate (basicConstraints CA:TRUE, keyCertSign) and ca.key its own key; anything else is refused with exit 5 and nothing is written.`

const CERT_EXIT_STATUS: Array<[string, string]> = [
  ['0', 'Files written.'],
  ['2', 'Bad flags.'],
  [
    '5',
    'A file problem: FILE_EXISTS (without --force), FILE_CA (ca.crt or ca.key missing), FILE_CA_CERT (empty, binary, DER, truncated or damaged PEM), FILE_CA_KEY (no PEM private key), FILE_CA_NOT_CA (no basicConstraints CA:TRUE, or keyUsage without keyCertSign), FILE_CA_MISMATCH (ca.key is not the key of ca.crt), FILE_NOT_REGULAR (a FIFO, /dev/zero), or a write error.',
  ],
]

/** The flags of the cert commands; `out` and `days` differ in wording and default per command. */
export const certFlags = {
  ca: () => Flags.string({description: 'Directory holding ca.crt and ca.key from "mqctl cert ca".', required: true}),
  out: (description = 'Directory to write into.') => Flags.string({description, required: true}),
  days: (days = 825) => Flags.integer({description: 'Validity in days.', default: days, min: 1}),
  force: () => Flags.boolean({description: 'Replace existing files.'}),
}

/**
 * The flag set of a command that signs with the CA (server, client): --ca, the command's own
 * flags, then --out, --days and --force (the order of the usage line).
 */
export function leafFlags<Own extends Record<string, unknown>>(own: Own) {
  return {ca: certFlags.ca(), ...own, out: certFlags.out(), days: certFlags.days(), force: certFlags.force()}
}

/** The parsed flags a leaf certificate (server, client) is made from. */
export interface LeafFlags {
  ca: string
  out: string
  days: number
  force: boolean
}

export abstract class CertCommand extends MqctlCommand {
  static manual = {exitStatus: CERT_EXIT_STATUS}

  /** The options of lib/cert/dev-ca.ts's createLeaf that come straight from the shared flags. */
  protected leafOptions(flags: LeafFlags): LeafFlags {
    return {ca: flags.ca, out: flags.out, days: flags.days, force: flags.force}
  }

  /** Prints the files written, one a line (not under --json), and returns the --json result. */
  protected written(files: string[]): {files: string[]} {
    for (const f of files) this.out(f)
    return {files}
  }
}
