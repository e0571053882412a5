import {Flags, type Interfaces} from '@oclif/core'

import {CONNECTION_OPTIONS} from '../lib/connection/options-table.js'

/**
 * Connection flags shared by every command that talks to a broker. Long names only: the
 * mosquitto_ctrl short forms (-h -p -u -P -i …) are accepted before the command word and
 * rewritten to these by src/cli/ctrl-argv.ts, because after the command the short letters
 * belong to it (`createClient -p` is the new client's password).
 */
const group = 'CONNECTION'

type StringFlag = Interfaces.OptionFlag<string | undefined>
type BooleanFlag = Interfaces.BooleanFlag<boolean>
// oclif's flag types are invariant in their value; a table-made set is typed loosely here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type FlagDefs = Record<string, Interfaces.Flag<any>>

/** The oclif flags of the connection-option table; `letters` adds mosquitto_ctrl's short letters. */
function flagsFromTable(letters: boolean): FlagDefs {
  const out: FlagDefs = {}
  for (const o of CONNECTION_OPTIONS) {
    if (o.dynsecOnly) continue
    const before = o.letter && !letters ? ` Before the command also -${o.letter}.` : ''
    const description = o.help + before
    const char = letters && o.letter ? (o.letter as 'h') : undefined
    out[o.name] =
      o.kind === undefined
        ? (Flags.boolean({description, helpGroup: group, char}) as BooleanFlag)
        : (Flags.string({description, helpGroup: group, char}) as StringFlag)
  }

  return out
}

export const connectionFlags: FlagDefs = flagsFromTable(false)

export {CONNECTION_FLAG_NAMES} from '../lib/connection/options-table.js'

/**
 * The offline target of every dynsec command: a dynamic-security.json instead of a broker
 * (mosquitto_ctrl 2.1's `-f`). Next to the connection flags because it replaces them.
 */
export const dynsecFileFlag = {
  file: Flags.string({
    description:
      'Work on this dynamic-security.json instead of a broker (offline). Before the command also -f. A running 2.0 broker does not reload the file and overwrites it on its next change: stop it first, or restart it after.',
    helpGroup: group,
  }),
}

/** Man page metadata shared by the commands that connect (see scripts/man.js). */
export const connectionManual = {
  environment: [
    [
      CONNECTION_OPTIONS.filter((o) => o.env)
        .map((o) => o.env)
        .join(', '),
      'Connection settings (host, port, username, password), below flags and above profiles and the options file.',
    ],
    ['MQCTL_PROFILE', 'Profile to use when --profile is not given.'],
    ['MQCTL_CONFIG_DIR, XDG_CONFIG_HOME', 'Where the profile file and the mosquitto_ctrl options file are looked for.'],
  ] as Array<[string, string]>,
  files: [
    [
      '$MQCTL_CONFIG_DIR/config.yaml, $XDG_CONFIG_HOME/mqctl/config.yaml, ~/.config/mqctl/config.yaml',
      'Connection profiles.',
    ],
    [
      '$XDG_CONFIG_HOME/mosquitto_ctrl, ~/.config/mosquitto_ctrl',
      "mosquitto_ctrl's options file, one option per line.",
    ],
  ] as Array<[string, string]>,
  seeAlso: ['mosquitto_ctrl(1)'],
}

/**
 * The connection flags with mosquitto_ctrl's short letters, for a command with no short flags
 * of its own (probe), where `mqctl probe -h host -u alice` is what a mosquitto_sub user types.
 */
export const connectionFlagsWithLetters: FlagDefs = flagsFromTable(true)
