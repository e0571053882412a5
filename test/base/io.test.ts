import {describe, expect, it} from 'vitest'

import {createIO, palette, prepareColour, ProcessIO, setIOFactory} from '../../src/base/io.js'
import {FakeIO} from '../helpers/fake-io.js'

describe('palette (chalk, one level per stream)', () => {
  it('is plain until chalk is loaded, which happens only when some stream gets colour', async () => {
    expect(palette(true, false, {}).enabled).toBe(false)
    await prepareColour({}, {stdout: false, stderr: false})
    expect(palette(true, false, {}).enabled).toBe(false)
    await prepareColour({FORCE_COLOR: '1'}, {stdout: false, stderr: false})
    expect(palette(true, false, {}).enabled).toBe(true)
  })

  it('paints with ANSI escapes when the environment allows it, and not otherwise', () => {
    expect(palette(true, false, {}).red('x')).toBe('\u001B[31mx\u001B[39m')
    expect(palette(true, true, {}).yellow('x')).toBe('\u001B[33mx\u001B[39m')
    expect(palette(true, false, {NO_COLOR: '1'}).red('x')).toBe('x')
    expect(palette(true, false, {TERM: 'dumb'}).enabled).toBe(false)
    expect(palette(false, false, {}).bold('x')).toBe('x')
    expect(palette(false, false, {FORCE_COLOR: '1'}).bold('x')).toBe('\u001B[1mx\u001B[22m')
  })
})

describe('ProcessIO', () => {
  it('is silent on stdout under --json except for the document, and never draws progress off a terminal', () => {
    const io = new ProcessIO(true)
    const written: string[] = []
    const original = process.stdout.write.bind(process.stdout)
    process.stdout.write = ((chunk: string) => written.push(chunk) > 0) as typeof process.stdout.write
    try {
      io.out('text')
      io.json({ok: true})
      io.progress('working')
    } finally {
      process.stdout.write = original
    }

    expect(written).toEqual(['{\n  "ok": true\n}\n'])
  })
})

describe('createIO', () => {
  it('uses the installed factory, and setIOFactory hands back the previous one', () => {
    const fake = new FakeIO({json: true})
    const previous = setIOFactory(() => fake)
    try {
      expect(createIO({json: true})).toBe(fake)
    } finally {
      setIOFactory(previous)
    }

    expect(createIO({json: false})).toBeInstanceOf(ProcessIO)
  })
})
