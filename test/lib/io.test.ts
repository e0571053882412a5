import {describe, expect, it} from 'vitest'

import {asLine, colourLevel, delayedProgress, jsonText, PLAIN} from '../../src/lib/io.js'

describe('colourLevel: the one place the environment decides colour', () => {
  it('colours a terminal and nothing else by default', () => {
    expect(colourLevel({}, true)).toBe(1)
    expect(colourLevel({}, true, 3)).toBe(3)
    expect(colourLevel({}, false, 3)).toBe(0)
  })

  it('NO_COLOR (non-empty) wins over everything, an empty NO_COLOR is ignored (no-color.org)', () => {
    expect(colourLevel({NO_COLOR: '1'}, true)).toBe(0)
    expect(colourLevel({NO_COLOR: '1', FORCE_COLOR: '3'}, true)).toBe(0)
    expect(colourLevel({NO_COLOR: ''}, true)).toBe(1)
  })

  it('FORCE_COLOR forces a level even on a pipe; 0 and false turn colour off', () => {
    expect(colourLevel({FORCE_COLOR: ''}, false)).toBe(1)
    expect(colourLevel({FORCE_COLOR: '1'}, false)).toBe(1)
    expect(colourLevel({FORCE_COLOR: '2'}, false)).toBe(2)
    expect(colourLevel({FORCE_COLOR: '3'}, false)).toBe(3)
    expect(colourLevel({FORCE_COLOR: '0'}, true)).toBe(0)
    expect(colourLevel({FORCE_COLOR: 'false'}, true)).toBe(0)
    expect(colourLevel({FORCE_COLOR: '1', TERM: 'dumb'}, true)).toBe(1)
  })

  it('TERM=dumb turns colour off on a terminal', () => {
    expect(colourLevel({TERM: 'dumb'}, true)).toBe(0)
    expect(colourLevel({TERM: 'xterm'}, true)).toBe(1)
  })
})

describe('output helpers', () => {
  it('adds one newline to a line that lacks it, and pretty-prints JSON', () => {
    expect(asLine('a')).toBe('a\n')
    expect(asLine('a\n')).toBe('a\n')
    expect(jsonText({a: [1]})).toBe('{\n  "a": [\n    1\n  ]\n}\n')
    expect(PLAIN.red('x')).toBe('x')
    expect(PLAIN.enabled).toBe(false)
  })
})

describe('delayedProgress: the progress callback of long lints', () => {
  it('draws nothing in the first 300 ms, then at most every 100 ms, through io.progress', () => {
    let t = 1000
    const drawn: Array<string | undefined> = []
    const report = delayedProgress(
      {progress: (text) => drawn.push(text)},
      (d, n) => `${d}/${n}`,
      () => t,
    )
    for (const [at, done] of [
      [1000, 1],
      [1299, 2],
      [1300, 3],
      [1350, 4],
      [1399, 5],
      [1400, 6],
      [1401, 7],
      [1600, 8],
    ]) {
      t = at
      report(done, 10)
    }

    expect(drawn).toEqual(['3/10', '6/10', '8/10'])
  })
})
