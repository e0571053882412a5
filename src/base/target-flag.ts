import {Flags} from '@oclif/core'

import {TARGETS, type Target} from '../lib/target.js'

/**
 * The one `--target 2.0|2.1` flag: typed as Target, so no command casts it. `description`
 * says what the version changes for that command.
 */
export const targetFlag = (description = 'Broker version to judge for.', defaultTarget: Target = '2.0') =>
  Flags.custom<Target>({
    description,
    options: [...TARGETS],
    default: defaultTarget,
    parse: async (input) => input as Target,
  })()
