import {spawn, spawnSync} from 'node:child_process'
import {existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

import {afterAll, describe, expect, it} from 'vitest'

import {tempDirs} from '../../helpers/temp-dirs.js'

import {buildInitialConfig, writeInitialConfig} from '../../../src/lib/dynsec/init.js'
import {MqctlError} from '../../../src/lib/errors.js'

const REPO = fileURLToPath(new URL('../../../', import.meta.url))
const INIT_JS = pathToFileURL(join(REPO, 'dist/lib/dynsec/init.js')).href
const {fresh} = tempDirs('dynsec-init')
const isRoot = process.geteuid?.() === 0

describe('writeInitialConfig without --force', () => {
  it('creates the file 0600 and refuses an existing one (FILE_EXISTS, exit 5), leaving no temp file', async () => {
    const dir = fresh()
    const f = join(dir, 'dynsec.json')
    const config = await buildInitialConfig('admin', Buffer.from('pw'))
    await writeInitialConfig(f, config)
    expect(statSync(f).mode & 0o777).toBe(0o600)
    expect(JSON.parse(readFileSync(f, 'utf8')).clients[0].username).toBe('admin')
    const err = await writeInitialConfig(f, config).catch((e: unknown) => e)
    expect((err as MqctlError).code).toBe('FILE_EXISTS')
    expect((err as MqctlError).exit).toBe(5)
    expect(readdirSync(dir)).toEqual(['dynsec.json'])
  })

  describe.runIf(isRoot)('on a full disk (a tmpfs; needs root to mount)', () => {
    const mnt = fresh()
    let mounted = false
    afterAll(() => {
      if (mounted) spawnSync('umount', [mnt])
    })

    it('fails with ENOSPC and leaves no file at all, so the rerun works once there is room', async () => {
      expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]).status).toBe(0)
      mounted = true
      // Fill the disk to its last few hundred bytes.
      spawnSync('sh', ['-c', `dd if=/dev/zero of=${mnt}/filler bs=1k count=64 2>/dev/null; true`])
      const f = join(mnt, 'dynsec.json')
      const config = await buildInitialConfig('admin', Buffer.from('pw'))
      const err = await writeInitialConfig(f, config).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(MqctlError)
      expect((err as MqctlError).code).toBe('FILE_ENOSPC')
      expect((err as MqctlError).exit).toBe(5)
      expect(existsSync(f)).toBe(false)
      expect(readdirSync(mnt)).toEqual(['filler'])
      rmSync(join(mnt, 'filler'))
      await writeInitialConfig(f, config)
      expect(JSON.parse(readFileSync(f, 'utf8')).roles[0].rolename).toBe('admin')
    })
  })
})

describe('SIGKILL during dynsec init', () => {
  it('≥ 20 kills: the file is absent or complete JSON, never empty or partial', async () => {
    const dir = fresh()
    const script = join(dir, 'init.mjs')
    // A large config makes the write long enough to be hit.
    writeFileSync(
      script,
      `import {rmSync} from 'node:fs'
import {buildInitialConfig, writeInitialConfig} from ${JSON.stringify(INIT_JS)}
const [file] = process.argv.slice(2)
const config = await buildInitialConfig('admin', Buffer.from('pw'))
config.padding = 'x'.repeat(4 << 20)
let i = 0
for (;;) {
  rmSync(file, {force: true})
  await writeInitialConfig(file, config)
  if (++i === 2) process.stdout.write('looping\\n')
}
`,
    )
    let seed = 11
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648
    const seen = {absent: 0, complete: 0}
    const started = Date.now()
    let kills = 0
    while (kills < 20 && Date.now() - started < 35_000) {
      const file = join(dir, 'dynsec.json')
      const child = spawn(process.execPath, [script, file], {stdio: ['ignore', 'pipe', 'pipe']})
      let stderr = ''
      child.stderr.on('data', (d) => (stderr += d))
      const exited = new Promise((resolve) => child.once('exit', resolve))
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', () => resolve())
        child.once('exit', () => reject(new Error(`writer exited early: ${stderr}`)))
      })
      await new Promise((r) => setTimeout(r, random() * 50))
      child.kill('SIGKILL')
      await exited
      kills++
      if (!existsSync(file)) {
        seen.absent++
        continue
      }

      const parsed = JSON.parse(readFileSync(file, 'utf8'))
      expect(parsed.clients[0].username).toBe('admin')
      seen.complete++
    }

    expect(kills).toBeGreaterThanOrEqual(20)
    expect(seen.absent + seen.complete).toBe(kills)
    // The temp files the kills left behind have the fixed shape and go with the next write.
    await writeInitialConfig(join(dir, 'other.json'), {})
    rmSync(join(dir, 'dynsec.json'), {force: true})
    await writeInitialConfig(join(dir, 'dynsec.json'), {})
    expect(readdirSync(dir).sort()).toEqual(['dynsec.json', 'init.mjs', 'other.json'])
  }, 50_000)
})
