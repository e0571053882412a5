import {Flags} from '@oclif/core'

import {optionalArg} from '../../base/args.js'

import {MqctlCommand} from '../../base/command.js'

export default class Passwd extends MqctlCommand {
  static override summary = 'Manage a mosquitto password file (drop-in for mosquitto_passwd).'

  static override description = `Accepts every mosquitto_passwd invocation with the same meaning, messages and exit codes, and writes hashes every mosquitto 2.x broker accepts ($7$ PBKDF2-SHA512 with a 12-byte salt and 1000 iterations by default).

Unlike mosquitto_passwd it never loses data: comments, blank lines, CRLF endings and lines it does not understand are kept byte for byte; -U hashes only plain-text entries (with a progress line on stderr when that is a terminal); writes are atomic (temp file, fsync, rename), keep the file's mode, owner and symlinks, and are locked so parallel runs never lose an entry. New files are created 0600.

Only where no temp file can be made beside the file (an unwritable directory, a read-only root) or renamed over it (a single-file bind mount) is the file rewritten in place, with a warning: never shorter than before until the new content is complete and synced, and a full disk is an error with the file as it was; but a kill -9 or power cut during the single overwriting write can leave the new content's start over the old content's end, losing or garbling entries near the cut. Make the directory writable (or mount the directory, not the file) to keep the atomic path. A FIFO, a device or /dev/stdout given to -c is written through, never replaced; editing one (-b, -D, -U) is refused.

Options are read the way mosquitto_passwd reads them: only before the file name, one per word (-cb is a file name). The long options below may appear anywhere before "--".

Without -b the password is asked twice on a terminal (nothing is echoed, as with mosquitto_passwd), or read as two lines from piped standard input; --password-stdin reads exactly one line, --password-file FILE the first line of a regular file, --password-env VAR a variable. -b still works but puts the password in the process list, so mqctl warns about it.

Refused: a username that is empty, has surrounding spaces, contains ':' or control characters, or starts with '#'; -I above 10000000; a password line longer than 65535 bytes.

Exit status is mosquitto_passwd's: 0 success, 1 any error (bad arguments, an unreadable or unwritable file, a lock held by another writer for 15 s, a full disk, user not found for -D), each with an "Error: ..." line, 2 when the two passwords typed differ.`

  static manual = {
    exitStatus: [
      ['0', 'Success.'],
      [
        '1',
        'Any error: bad arguments, an unreadable or unwritable file, a FIFO or device to edit, a lock held by another writer for 15 s, a full disk (the file is left as it was), a user not found for -D, an empty password, a password line over 65535 bytes, -I above 10000000.',
      ],
      ['2', 'The two passwords typed differ.'],
    ],
    seeAlso: ['mosquitto_passwd(1)'],
  }

  static override usage = [
    'passwd [-H sha512|sha512-pbkdf2] [-I ITERATIONS] [--target 2.0|2.1] [-c | -D] FILE USER',
    'passwd [-H sha512|sha512-pbkdf2] [-I ITERATIONS] [-c] -b FILE USER PASSWORD',
    'passwd [-H ...] [-I ...] [-c] --password-stdin FILE USER',
    'passwd [-H ...] [-I ...] -U FILE',
  ]

  static override examples = [
    {
      description: 'Create a file with one user, typing the password twice',
      command: '<%= config.bin %> passwd -c /etc/mosquitto/passwd alice',
    },
    {
      description: 'Add or update a user from a script without putting the password in argv',
      command: 'printf "%s\\n" "$PW" | <%= config.bin %> passwd --password-stdin /etc/mosquitto/passwd bob',
    },
    {
      description: 'Batch mode, as mosquitto_passwd -b',
      command: '<%= config.bin %> passwd -b /etc/mosquitto/passwd carol s3cret',
    },
    {description: 'Delete a user', command: '<%= config.bin %> passwd -D /etc/mosquitto/passwd carol'},
    {
      description: 'Hash the plain-text entries of a file (hashed ones are left alone)',
      command: '<%= config.bin %> passwd -U /etc/mosquitto/passwd',
    },
    {
      description: 'Print a line for a 2.0 broker on stdout',
      command: '<%= config.bin %> passwd --target 2.0 -c - dave',
    },
  ]

  static override args = {
    file: optionalArg('Password file ("-" with -c: write the line to stdout).'),
    username: optionalArg('User to add, update or delete.'),
    password: optionalArg('Password (only with -b; visible in the process list).'),
  }

  static override flags = {
    batch: Flags.boolean({
      char: 'b',
      description: 'Take the password from the command line (visible to other users: prefer --password-stdin).',
    }),
    create: Flags.boolean({char: 'c', description: 'Create a new password file, replacing any file there.'}),
    delete: Flags.boolean({char: 'D', description: 'Delete the user rather than adding or updating it.'}),
    hash: Flags.string({
      char: 'H',
      description: 'Hash algorithm.',
      options: ['sha512-pbkdf2', 'sha512'],
      default: 'sha512-pbkdf2',
    }),
    iterations: Flags.integer({
      char: 'I',
      description: 'PBKDF2 iterations (default 1000; 101 with --target 2.0). Honoured by -U too.',
    }),
    upgrade: Flags.boolean({
      char: 'U',
      description: 'Hash the plain-text passwords of a file; entries already hashed ($6$, $7$, $argon2id$) are kept.',
    }),
    target: Flags.string({
      description:
        'Write what this broker version writes: 2.0 (101 iterations, 12-byte salt) or 2.1 (1000 iterations, 64-byte salt, which 2.0 brokers reject).',
      options: ['2.0', '2.1'],
    }),
    'password-stdin': Flags.boolean({description: 'Read the password as one line from standard input.'}),
    'password-file': Flags.string({
      description: 'Read the password from the first line of this file (a regular file).',
    }),
    'password-env': Flags.string({description: 'Read the password from this environment variable.'}),
  }

  async run(): Promise<void> {
    // mosquitto_passwd's grammar cannot be expressed with oclif flags: see lib/passwd/args.ts.
    this.parsed = true
    const {passwdCli} = await import('../../cli/passwd.js')
    process.exitCode = await passwdCli(this.argv)
  }
}
