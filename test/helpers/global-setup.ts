import {existsSync} from 'node:fs'

import {ensureMosquitto} from './mosquitto-install.js'

/** Runs once before the suite: mosquitto must be there (installed when possible), and the CLI built. */
export default function setup(): void {
  ensureMosquitto()
  if (!existsSync(new URL('../../dist/main.js', import.meta.url)) || !existsSync(new URL('../../oclif.manifest.json', import.meta.url))) {
    throw new Error('the CLI is not built: run "npm run build" (npm test does it in pretest)')
  }
}
