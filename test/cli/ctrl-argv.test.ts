import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {MqctlError} from '../../src/lib/errors.js'
import {rewriteCtrlArgv} from '../../src/cli/ctrl-argv.js'

describe('rewriteCtrlArgv (mosquitto_ctrl argv order)', () => {
  it('moves connection options after the command as long flags and fixes the case', () => {
    expect(
      rewriteCtrlArgv([
        '-h',
        'host',
        '-p',
        '1884',
        '-u',
        'admin',
        '-P',
        'pw',
        'dynsec',
        'createclient',
        'bob',
        '-p',
        'secret',
      ]),
    ).toEqual([
      'dynsec',
      'createClient',
      'bob',
      '-p',
      'secret',
      '--host=host',
      '--port=1884',
      '--username=admin',
      '--pw=pw',
    ])
  })

  it('keeps argv without leading options, and maps help', () => {
    expect(rewriteCtrlArgv(['passwd', '-b', 'f', 'u', 'p'])).toEqual(['passwd', '-b', 'f', 'u', 'p'])
    expect(rewriteCtrlArgv(['DYNSEC', 'GETCLIENT', 'a'])).toEqual(['dynsec', 'getClient', 'a'])
    expect(rewriteCtrlArgv(['dynsec', 'help'])).toEqual(['dynsec', '--help'])
    expect(rewriteCtrlArgv(['-d', '--insecure', 'probe', '--sub', 'a'])).toEqual([
      'probe',
      '--sub',
      'a',
      '--debug',
      '--insecure',
    ])
  })

  it('takes connection options between dynsec and the command like leading ones', () => {
    expect(rewriteCtrlArgv(['dynsec', '-h', 'h', '--port', '1', 'getclient', 'a'])).toEqual([
      'dynsec',
      'getClient',
      'a',
      '--host=h',
      '--port=1',
    ])
    expect(rewriteCtrlArgv(['-u', 'admin', 'dynsec', '--json', '-p', '2', 'listClients', '--', '--json'])).toEqual([
      'dynsec',
      'listClients',
      '--json',
      '--username=admin',
      '--port=2',
      '--',
      '--json',
    ])
    expect(rewriteCtrlArgv(['dynsec', '-h', 'h', '--help'])).toEqual(['dynsec', '--help', '--host=h'])
    expect(rewriteCtrlArgv(['dynsec', '-p', '1', '--verbose', 'listGroups'])).toEqual([
      'dynsec',
      'listGroups',
      '--verbose',
      '--port=1',
    ])
    expect(rewriteCtrlArgv(['dynsec', '-h'])).toEqual(['dynsec', '-h'])
    expect(rewriteCtrlArgv(['dynsec', '--help'])).toEqual(['dynsec', '--help'])
    expect(() => rewriteCtrlArgv(['dynsec', '-p', '1'])).toThrow(/no command/)
    expect(() => rewriteCtrlArgv(['dynsec', '--bogus', 'listClients'])).toThrow(/Unknown option '--bogus'/)
  })

  it('reports unknown options and commands as usage errors', () => {
    expect(() => rewriteCtrlArgv(['--bogus', 'dynsec', 'listClients'])).toThrow(MqctlError)
    expect(() => rewriteCtrlArgv(['-h'])).toThrow(/-h argument given but no host specified/)
    expect(() => rewriteCtrlArgv(['dynsec', 'nosuch'])).toThrow(/not recognised/)
  })

  it('never throws anything but MqctlError', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom('-h', '-p', 'dynsec', 'getClient', '--', '-', '--cafile', 'x'), fc.string())),
        (argv) => {
          try {
            rewriteCtrlArgv(argv)
          } catch (error) {
            expect(error).toBeInstanceOf(MqctlError)
          }
        },
      ),
    )
  })
})

describe('rewriteCtrlArgv: -f FILE (mosquitto_ctrl 2.1) and the dynsec-as-code commands', () => {
  it('takes -f before dynsec as --file, with the command keeping its own -i', () => {
    expect(rewriteCtrlArgv(['-f', 'ds.json', 'dynsec', 'setclientpassword', 'u', 'pw', '-i', '5'])).toEqual([
      'dynsec',
      'setClientPassword',
      'u',
      'pw',
      '-i',
      '5',
      '--file=ds.json',
    ])
    expect(() => rewriteCtrlArgv(['-f'])).toThrow(MqctlError)
  })

  it('leaves export, plan, apply, batch and schema as they are (schema never connects)', () => {
    for (const name of ['export', 'plan', 'apply', 'batch']) {
      expect(rewriteCtrlArgv(['-h', 'h', 'dynsec', name, 'x'])).toEqual(['dynsec', name, 'x', '--host=h'])
    }

    expect(rewriteCtrlArgv(['-h', 'h', 'dynsec', 'schema'])).toEqual(['dynsec', 'schema'])
  })
})

describe('rewriteCtrlArgv: what mosquitto_ctrl 2.1.2 did with the same argv (its test/apps/ctrl run against mqctl)', () => {
  it('keeps a last command option without its value from swallowing a moved connection option', () => {
    // 2.1.2: "-i argument given, but no iterations provided." mqctl had made "--file=FILE" the value.
    const out = rewriteCtrlArgv(['-f', 'file', 'dynsec', 'setClientPassword', 'admin', 'pw', '-i'])
    expect(out.at(-1)).toBe('-i')
    expect(out).toContain('--file=file')
    expect(rewriteCtrlArgv(['-p', '2', 'dynsec', 'createClient', 'c', '-p'])).toEqual([
      'dynsec',
      'createClient',
      'c',
      '--port=2',
      '-p',
    ])
    // A last word that is a value stays after its flag.
    expect(rewriteCtrlArgv(['-p', '2', 'dynsec', 'listRoles', '--timeout', '-1'])).toEqual([
      'dynsec',
      'listRoles',
      '--timeout',
      '-1',
      '--port=2',
    ])
    expect(
      rewriteCtrlArgv(['-p', '2', 'dynsec', 'addRoleACL', 'r', 'subscribeLiteral', 't', 'allow', '-5']).at(-1),
    ).toBe('--port=2')
  })

  it('reads the broker module as mosquitto_ctrl 2.1 does: help, any case, unknown commands exit 13', () => {
    expect(rewriteCtrlArgv(['-p', '1', 'broker', 'help'])).toEqual(['broker', '--help', '--port=1'])
    expect(rewriteCtrlArgv(['BROKER', 'listplugins'])).toEqual(['broker', 'listPlugins'])
    expect(rewriteCtrlArgv(['-u', 'a', 'broker', 'LISTLISTENERS'])).toEqual(['broker', 'listListeners', '--username=a'])
    let error: unknown
    try {
      rewriteCtrlArgv(['broker', 'unknown'])
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(MqctlError)
    expect((error as MqctlError).exit).toBe(13)
    expect((error as MqctlError).message).toBe("Command 'unknown' not recognised.")
  })
})
