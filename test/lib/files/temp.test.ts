import {spawnSync} from 'node:child_process'
import {chownSync, readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {tempDirs} from '../../helpers/temp-dirs.js'

import {writeFileAtomic} from '../../../src/lib/files/atomic.js'
import {currentBootId, holderState, selfHolder, startTimeOf} from '../../../src/lib/files/holder.js'
import {removeStaleTemps, tempNameFor} from '../../../src/lib/files/temp.js'

const {fresh} = tempDirs('temp')

/** The pid of a process that has exited (and been reaped), so no live process has it. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '0']).pid!

describe('process identity (holder)', () => {
  it('reads this process start time and the boot id from /proc', () => {
    const me = selfHolder()
    expect(me.pid).toBe(process.pid)
    expect(me.start).toMatch(/^\d+$/)
    expect(currentBootId()).toMatch(/^[0-9a-f-]{36}$/)
    expect(holderState(me)).toBe('alive')
  })

  it('a live PID with another start time is a different process: dead (PID reuse, PID 1 in containers)', () => {
    expect(startTimeOf(1)).toMatch(/^\d+$/)
    const pid1 = {pid: 1, start: String(Number(startTimeOf(1)) + 12345), boot: currentBootId(), host: selfHolder().host}
    expect(holderState(pid1)).toBe('dead')
    expect(holderState({...pid1, start: startTimeOf(1)})).toBe('alive')
  })

  it('another boot id is dead; another host is unknown', () => {
    const me = selfHolder()
    expect(holderState({...me, boot: '00000000-0000-0000-0000-000000000000'})).toBe('dead')
    expect(holderState({...me, host: `${me.host}-elsewhere`})).toBe('unknown')
    expect(holderState({...me, pid: deadPid()})).toBe('dead')
  })
})

describe('temp files left by killed writers', () => {
  it('have one fixed, recognisable shape', () => {
    expect(tempNameFor('passwd')).toMatch(/^\.passwd\.mqctl-[0-9a-f]{8}-\d+-\d+\.[0-9a-f]{8}\.tmp$/)
  })

  it('the next write removes those of dead writers (new and old shape), keeps live ones and other files', async () => {
    const dir = fresh()
    const boot = currentBootId().slice(0, 8)
    const dead = deadPid()
    const me = selfHolder()
    const names = {
      dead: `.pw.mqctl-${boot}-${dead}-${startTimeOf(1)}.0badc0de.tmp`,
      reused: `.pw.mqctl-${boot}-1-999999999.0badc0de.tmp`,
      old: `.pw.${dead}.deadbeef.tmp`,
      live: `.pw.mqctl-${boot}-${me.pid}-${me.start}.cafebabe.tmp`,
      otherTarget: `.other.mqctl-${boot}-${dead}-1.0badc0de.tmp`,
      unrelated: '.pw.backup',
    }
    writeFileSync(join(dir, 'pw'), 'old\n')
    for (const n of Object.values(names)) writeFileSync(join(dir, n), 'x')
    await writeFileAtomic(join(dir, 'pw'), 'new\n')
    expect(readdirSync(dir).sort()).toEqual([names.unrelated, names.otherTarget, names.live, 'pw'].sort())
  })

  it('another account’s temp files are never removed by a non-root writer', async () => {
    const dir = fresh()
    const name = `.pw.mqctl-${currentBootId().slice(0, 8)}-${deadPid()}-1.0badc0de.tmp`
    writeFileSync(join(dir, name), 'x')
    if (process.geteuid?.() === 0) {
      // root may remove them (it is the account that could have left them behind)
      chownSync(join(dir, name), 65534, 65534)
      expect(await removeStaleTemps(dir, 'pw')).toBe(1)
    } else {
      expect(await removeStaleTemps(dir, 'pw')).toBe(0)
    }
  })
})
