import {mkdtempSync, readdirSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {CA_CHECK_TEXT, CERT_PAIR_TEXT, CertCommand, leafFlags} from '../../src/base/cert-command.js'
import CertCa from '../../src/commands/cert/ca.js'
import CertClient from '../../src/commands/cert/client.js'
import CertServer from '../../src/commands/cert/server.js'
import {runCommand} from '../helpers/run-command.js'

describe('the cert flag set and base', () => {
  it('leafFlags puts --ca first and --out, --days, --force after the command-own flags', () => {
    expect(Object.keys(leafFlags({host: 1, ip: 2}))).toEqual(['ca', 'host', 'ip', 'out', 'days', 'force'])
    const flags = leafFlags({})
    expect(flags.ca.required).toBe(true)
    expect(flags.out.required).toBe(true)
    expect(flags.days.default).toBe(825)
  })

  it('every cert command shares the base: pair text, exit statuses; the leaves also the CA check', () => {
    for (const cmd of [CertCa, CertClient, CertServer]) {
      expect(cmd.prototype).toBeInstanceOf(CertCommand)
      expect(cmd.description?.endsWith(CERT_PAIR_TEXT)).toBe(true)
      expect((cmd as unknown as {manual: {exitStatus: string[][]}}).manual.exitStatus.map((r) => r[0])).toEqual([
        '0',
        '2',
        '5',
      ])
    }

    for (const cmd of [CertClient, CertServer]) expect(cmd.description).toContain(CA_CHECK_TEXT)
    expect(CertCa.flags.days.default).toBe(3650)
  })

  it('ca, then server and client from it: the files are printed one a line, and are the --json result', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mqctl-cert-base-'))
    const ca = await runCommand(CertCa, ['--out', dir])
    expect(ca.status).toBe(0)
    expect(ca.stdout.trim().split('\n').sort()).toEqual([join(dir, 'ca.crt'), join(dir, 'ca.key')])

    const server = await runCommand(CertServer, ['--ca', dir, '--ip', '127.0.0.1', '--out', join(dir, 's'), '--json'])
    expect(server.status).toBe(0)
    // Under --json stdout is the one document: the file lines are not printed.
    const files = (JSON.parse(server.stdout) as {files: string[]}).files
    expect(files.map((f) => f.slice(join(dir, 's').length + 1)).sort()).toEqual(['ca.crt', 'server.crt', 'server.key'])
    expect(statSync(join(dir, 's', 'server.key')).mode & 0o777).toBe(0o600)

    const client = await runCommand(CertClient, ['--ca', dir, '--cn', 'sensor', '--out', join(dir, 'c'), '--days', '2'])
    expect(client.status).toBe(0)
    expect(readdirSync(join(dir, 'c')).sort()).toEqual(['ca.crt', 'client.crt', 'client.key'])

    // --force is wired through the shared options: without it the existing files are kept (exit 5).
    const again = await runCommand(CertClient, ['--ca', dir, '--cn', 'sensor', '--out', join(dir, 'c')])
    expect(again.status).toBe(5)
    const forced = await runCommand(CertClient, ['--ca', dir, '--cn', 'sensor', '--out', join(dir, 'c'), '--force'])
    expect(forced.status).toBe(0)
  })

  it('server without --host or --ip is a usage error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mqctl-cert-base-'))
    const r = await runCommand(CertServer, ['--ca', dir, '--out', dir])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('give at least one --host or --ip')
  })
})
