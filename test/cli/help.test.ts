import {describe, expect, it} from 'vitest'

import {mqctl} from '../helpers/cli.js'

// The root and topic help come from the manifest without oclif (src/cli/help.ts); oclif's own
// output (MQCTL_FAST=0) is the reference, byte for byte, at several terminal widths.
describe('help from the manifest', () => {
  it("is oclif's help, byte for byte", async () => {
    const cases = [
      ['--help'],
      ['help'],
      ['dynsec', '--help'],
      ['help', 'acl'],
      ['profile', '--help'],
      ['broker', '--help'],
    ]
    for (const columns of ['40', '50', '80', '132']) {
      for (const args of cases) {
        const fast = await mqctl(args, {env: {OCLIF_COLUMNS: columns}})
        const oclif = await mqctl(args, {env: {OCLIF_COLUMNS: columns, MQCTL_FAST: '0'}})
        expect([args, columns, fast.code, fast.stdout]).toEqual([args, columns, 0, oclif.stdout])
        expect(fast.stdout).toMatch(/USAGE/)
      }
    }
  }, 120_000)

  it("leaves a command's help to oclif", async () => {
    const r = await mqctl(['passwd', '--help'])
    expect(r.stdout).toContain('FLAGS')
  })
})
