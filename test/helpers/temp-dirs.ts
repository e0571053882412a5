import {mkdirSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll} from 'vitest'

/**
 * One temp root per test file, removed after its tests; `fresh()` gives each test an empty
 * directory of its own below it, so no test sees another's files.
 */
export function tempDirs(prefix: string): {root: string; fresh: () => string} {
  const root = mkdtempSync(join(tmpdir(), `mqctl-${prefix}-`))
  afterAll(() => rmSync(root, {recursive: true, force: true}))
  let n = 0
  return {
    root,
    fresh() {
      const dir = join(root, String(n++))
      mkdirSync(dir)
      return dir
    },
  }
}
