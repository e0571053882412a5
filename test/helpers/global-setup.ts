import {existsSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import {ensureMosquitto} from './mosquitto-install.js'
import {openWayForNobody} from './nobody-reach.js'

/**
 * Runs once, in the main vitest process, before any test file: mosquitto, its clients and the
 * dynamic-security plugin must be there. As root with apt-get they are installed; otherwise the
 * run fails with one line saying how to install them. Tests are never skipped for want of them.
 */
export default function setup(): () => void {
  ensureMosquitto()

  // The CLI tests run bin/run.js, which needs the build (`npm test` builds in pretest). Not
  // needed by the helper tests, so only a warning here.
  if (
    !existsSync(new URL('../../dist/main.js', import.meta.url)) ||
    !existsSync(new URL('../../oclif.manifest.json', import.meta.url))
  ) {
    process.stderr.write(
      'mqctl tests: the CLI is not built; tests that run it will fail. Run "npm run build" (npm test does it in pretest).\n',
    )
  }

  // Tests that run the CLI as nobody (a fresh clone may sit in a 0700 temp directory).
  return openWayForNobody([fileURLToPath(new URL('../../bin/run.js', import.meta.url)), process.execPath])
}
