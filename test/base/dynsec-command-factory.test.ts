import {readFileSync, readdirSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import {describe, expect, it} from 'vitest'

import {dynsecCommand} from '../../src/base/dynsec-command-factory.js'
import {DYNSEC_COMMANDS} from '../../src/lib/dynsec/catalog.js'

const dir = fileURLToPath(new URL('../../src/commands/dynsec/', import.meta.url))

describe('dynsecCommand', () => {
  it('makes each class from its catalog entry: texts, arguments in mosquitto_ctrl order', () => {
    const cls = dynsecCommand('addRoleACL')
    expect(cls.name).toBe('AddRoleACL')
    expect(cls.summary).toBe('Add an ACL to a role.')
    expect(cls.description).toBe(
      'mosquitto_ctrl form: mosquitto_ctrl [connection options] dynsec addRoleACL <rolename> <acltype> <topic> <allow|deny> [priority]',
    )
    expect(Object.entries(cls.args ?? {}).map(([n, a]) => [n, a.required ?? false])).toEqual([
      ['rolename', true],
      ['acltype', true],
      ['topic', true],
      ['access', true],
      ['priority', false],
    ])
    expect(cls.examples).toEqual(["<%= config.bin %> dynsec addRoleACL sensors publishClientSend 'sensors/#' allow 5"])
    expect(Object.keys(dynsecCommand('setClientPassword').flags ?? {})).toEqual([
      'password-stdin',
      'password-file',
      'password-env',
      'iterations',
    ])
  })

  it('refuses a name that is not in the catalog, or not in its exact case', () => {
    expect(() => dynsecCommand('getclient')).toThrow('not in the catalog')
    expect(() => dynsecCommand('nope')).toThrow('not in the catalog')
  })

  it("every catalog command has a one-line leaf file, and every other leaf is one of mqctl's own", () => {
    // mqctl's own dynsec commands (not mosquitto_ctrl's): the argv rewrite leaves their names alone.
    const own = ['init', 'check', 'who', 'migrate', 'export', 'plan', 'apply', 'batch', 'schema']
    const leaves = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && !own.includes(f.slice(0, -3)))
      .map((f) => f.slice(0, -3))
    expect(leaves.sort()).toEqual(DYNSEC_COMMANDS.map((c) => c.name).sort())
    for (const name of leaves) {
      expect(readFileSync(`${dir}${name}.ts`, 'utf8')).toContain(`export default dynsecCommand('${name}')`)
    }
  })
})
