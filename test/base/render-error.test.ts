import {Errors} from '@oclif/core'
import {describe, expect, it} from 'vitest'

import {passwdExit} from '../../src/cli/exit-policy.js'
import {renderError, toMqctlError} from '../../src/base/render-error.js'
import {MqctlError} from '../../src/lib/errors.js'
import {FakeIO} from '../helpers/fake-io.js'

describe('renderError', () => {
  it('prints `mqctl: file:line:col: message` and the hint on stderr, and returns the status of the code', () => {
    const io = new FakeIO()
    const e = new MqctlError('PARSE_ACL', 'bad line', {hint: 'fix it', location: {file: 'a.acl', line: 3, column: 1}})
    expect(renderError(e, io)).toBe(5)
    expect([io.stdout.text, io.stderr.text]).toEqual(['', 'mqctl: a.acl:3:1: bad line\n  hint: fix it\n'])
  })

  it('escapes control bytes of the message and hint (a file name from an options file must not retitle the terminal)', () => {
    const io = new FakeIO()
    const e = new MqctlError('FILE_ENOENT', 'cannot read e\x1b]0;pwn\x07x', {
      hint: 'try \x1b[2J',
      location: {file: 'a\x1bc'},
    })
    renderError(e, io)
    expect(io.stderr.text).toBe('mqctl: a\\x1bc: cannot read e\\x1b]0;pwn\\x07x\n  hint: try \\x1b[2J\n')
  })

  it('prints verbatim messages as they are (the drop-in texts scripts match)', () => {
    const io = new FakeIO()
    expect(
      renderError(new MqctlError('REFUSED_DYNSEC', 'x', {verbatim: 'getClient: Error: Client not found'}), io),
    ).toBe(1)
    expect(io.stderr.text).toBe('getClient: Error: Client not found\n')
  })

  it('escapes control bytes in verbatim messages too, keeping their line breaks (a typed command is quoted in them)', () => {
    const io = new FakeIO()
    const text = `Command 'fo\x1b]0;pwn\x07o' not recognised.\nDid you mean "getClient"?`
    expect(renderError(new MqctlError('USAGE_UNKNOWN_COMMAND', 'x', {verbatim: text}), io)).toBe(13)
    expect(io.stderr.text).toBe(`Command 'fo\\x1b]0;pwn\\x07o' not recognised.\nDid you mean "getClient"?\n`)
  })

  it('under --json writes only the envelope, on stdout, with the status the policy chose', () => {
    const io = new FakeIO({json: true})
    const e = new MqctlError('USAGE_PASSWD', 'invalid arguments', {verbatim: 'Usage: …'})
    expect(renderError(e, io, passwdExit)).toBe(1)
    expect(io.stderr.text).toBe('')
    expect(JSON.parse(io.stdout.text)).toEqual({error: {code: 'USAGE_PASSWD', message: 'invalid arguments', exit: 1}})
    const mqctl = new FakeIO({json: true})
    expect(renderError(e, mqctl)).toBe(2)
    expect(JSON.parse(mqctl.stdout.text).error.exit).toBe(2)
  })
})

describe('toMqctlError', () => {
  it('keeps MqctlErrors, makes oclif parse errors one-line usage errors (2), anything else an internal error', () => {
    const own = new MqctlError('FILE_ENOENT', 'x')
    expect(toMqctlError(own)).toBe(own)
    const parse = toMqctlError(new Errors.CLIError('Missing 1 required arg:\nusername\nSee more help with --help'))
    expect([parse.code, parse.message, parse.exit]).toEqual([
      'USAGE_ARGUMENTS',
      'Missing 1 required arg: username (see --help)',
      2,
    ])
    const bug = toMqctlError(new TypeError('x is undefined'))
    expect([bug.code, bug.exit, bug.hint]).toEqual(['INTERNAL_ERROR', 1, expect.stringContaining('bug in mqctl')])
    expect(toMqctlError('thrown string').message).toBe('thrown string')
  })
})
