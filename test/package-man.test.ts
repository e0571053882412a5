import {readFileSync, readdirSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import {describe, expect, it} from 'vitest'

const REPO = fileURLToPath(new URL('../', import.meta.url))

/**
 * `npm install -g` installs man pages only when package.json lists them in `man` (npm links
 * each into <prefix>/share/man/man1). The list must name exactly the pages `npm run man` made.
 */
describe('package.json man field', () => {
  it('lists every generated page in man/man1, and nothing else', () => {
    const pkg = JSON.parse(readFileSync(`${REPO}package.json`, 'utf8')) as {man?: string[]; files?: string[]}
    const pages = readdirSync(`${REPO}man/man1`)
      .filter((f) => f.endsWith('.1'))
      .sort()
      .map((f) => `./man/man1/${f}`)
    expect(pkg.man, 'update package.json "man" to the pages in man/man1 (npm run man adds and removes pages)').toEqual(
      pages,
    )
    expect(pkg.files).toContain('man')
  })
})
