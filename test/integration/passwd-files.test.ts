import {spawn, spawnSync} from 'node:child_process'
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {BIN, mqctl} from '../helpers/cli.js'

/**
 * The file-safety promises of DESIGN.md section 5, end to end through the real CLI: in-place
 * rewrites on a full disk and under SIGKILL, and special files that must be written through.
 * These need root (mount, setpriv, mknod), which the test machines have.
 */
const isRoot = process.geteuid?.() === 0
const dirs: string[] = []
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'mqctl-pwfiles-'))
  chmodSync(d, 0o755) // nobody must be able to enter, not write
  dirs.push(d)
  return d
}

const mounts: string[] = []
afterAll(() => {
  for (const m of mounts) spawnSync('umount', [m])
  for (const d of dirs) rmSync(d, {recursive: true, force: true})
})

const plainFile = (n: number) =>
  Buffer.from(Array.from({length: n}, (_, i) => `user${String(i).padStart(4, '0')}:password${i}\n`).join(''))

const asNobody = (args: string[]) => [
  '--reuid=65534',
  '--regid=65534',
  '--clear-groups',
  process.execPath,
  BIN,
  ...args,
]

function runAs(args: string[]): Promise<{code: number | null; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    const child = spawn('setpriv', asNobody(args), {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {...process.env, NO_COLOR: '1'},
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.once('close', (code) => resolve({code, stdout, stderr}))
  })
}

describe.runIf(isRoot)('passwd -U where no temp file can be made beside the file (in place)', () => {
  it('the issue repro: a 128k tmpfs, 1500 plain entries owned by nobody: a clean error, the file byte-identical', async () => {
    const mnt = tmp()
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=128k', 'tmpfs', mnt]).status).toBe(0)
    mounts.push(mnt)
    chmodSync(mnt, 0o755)
    const file = join(mnt, 'passwd')
    const old = plainFile(1500)
    writeFileSync(file, old)
    chownSync(file, 65534, 65534)
    const r = await runAs(['passwd', '-U', file])
    expect(r.code, r.stderr).toBe(1) // mosquitto_passwd's front end: 0, 1 or 2 only
    expect(r.stderr).toContain('No space left on device')
    expect(r.stdout).not.toContain('hashed')
    expect(readFileSync(file).equals(old)).toBe(true)
  })

  it('where the disk has room it works in place and says so once', async () => {
    const dir = tmp()
    const file = join(dir, 'passwd')
    writeFileSync(file, plainFile(50))
    chownSync(file, 65534, 65534)
    const r = await runAs(['passwd', '-I', '10', '-U', file])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toMatch(/in place/)
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean)
    expect(lines).toHaveLength(50)
    expect(lines.every((l) => /^user\d{4}:\$7\$10\$/.test(l))).toBe(true)
  })

  it('kill -9 at random moments never leaves an empty or shorter file', async () => {
    const dir = tmp()
    const file = join(dir, 'passwd')
    const old = plainFile(1500)
    let seed = 7
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648
    const outcome = {old: 0, new: 0, other: 0}
    for (let round = 0; round < 20; round++) {
      writeFileSync(file, old)
      chownSync(file, 65534, 65534)
      const child = spawn('setpriv', asNobody(['passwd', '-I', '10', '-U', file]), {stdio: 'ignore'})
      const exited = new Promise((resolve) => child.once('exit', resolve))
      await new Promise((r) => setTimeout(r, 150 + random() * 350))
      child.kill('SIGKILL')
      await exited
      const got = readFileSync(file)
      expect(got.length, `round ${round}: ${got.length} bytes left of ${old.length}`).toBeGreaterThanOrEqual(old.length)
      const text = got.toString('utf8').replace(/\n+$/, '\n')
      if (text === old.toString('utf8')) outcome.old++
      else if (
        text
          .split('\n')
          .filter(Boolean)
          .every((l) => /^user\d{4}:\$7\$10\$[^:]+\$[^:]+$/.test(l))
      )
        outcome.new++
      else outcome.other++
    }

    expect(outcome.old + outcome.new + outcome.other).toBe(20)
    // Only a kill inside the single overwrite call could mix the two; 20 rounds do not hit it.
    expect(outcome.other).toBe(0)
  }, 60_000)
})

describe('writers never replace special files', () => {
  it('a symlink to /proc/self/fd/1: the line goes to stdout, the link stays a link', async () => {
    const dir = tmp()
    symlinkSync('/proc/self/fd/1', join(dir, 'out'))
    const r = await mqctl(['passwd', '-c', '-b', './out', 'alice', 'x'], {cwd: dir})
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^alice:\$7\$1000\$/)
    expect(lstatSync(join(dir, 'out')).isSymbolicLink()).toBe(true)
    expect(readlinkSync(join(dir, 'out'))).toBe('/proc/self/fd/1')
  })

  it.runIf(isRoot)('/dev/stdout itself, as root: written through, still the same symlink', async () => {
    const before = readlinkSync('/dev/stdout')
    try {
      const r = await mqctl(['passwd', '-c', '-b', '/dev/stdout', 'alice', 'x'])
      expect(r.code, r.stderr).toBe(0)
      expect(r.stdout).toMatch(/^alice:\$7\$/)
    } finally {
      const st = lstatSync('/dev/stdout', {throwIfNoEntry: false})
      const intact = st?.isSymbolicLink() && readlinkSync('/dev/stdout') === before
      if (!intact) {
        rmSync('/dev/stdout', {force: true})
        symlinkSync(before, '/dev/stdout')
      }

      expect(intact, '/dev/stdout was replaced').toBe(true)
    }
  })

  it('a FIFO with a reader: written through, still a FIFO, mode unchanged', async () => {
    const dir = tmp()
    const fifo = join(dir, 'fifo')
    expect(spawnSync('mkfifo', ['-m', '0640', fifo]).status).toBe(0)
    const reader = spawn('cat', [fifo], {stdio: ['ignore', 'pipe', 'ignore']})
    let read = ''
    reader.stdout.on('data', (d) => (read += d))
    const done = new Promise((r) => reader.once('close', r))
    const r = await mqctl(['passwd', '-c', '-b', fifo, 'bob', 'x'])
    await done
    expect(r.code, r.stderr).toBe(0)
    expect(read).toMatch(/^bob:\$7\$/)
    expect(lstatSync(fifo).isFIFO()).toBe(true)
    expect(statSync(fifo).mode & 0o777).toBe(0o640)
  })

  it('a FIFO nobody reads: an error after a bounded wait, never a hang or a regular file', async () => {
    const dir = tmp()
    const fifo = join(dir, 'fifo')
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0)
    const started = Date.now()
    const r = await mqctl(['passwd', '-c', '-b', fifo, 'bob', 'x'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('nothing reads the FIFO')
    expect(Date.now() - started).toBeLessThan(20_000)
    expect(lstatSync(fifo).isFIFO()).toBe(true)
  }, 30_000)

  it('editing a FIFO (-b without -c) is refused at once: no hang', async () => {
    const dir = tmp()
    const fifo = join(dir, 'fifo')
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0)
    const r = await mqctl(['passwd', '-b', fifo, 'bob', 'x'])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^Error: Unable to open password file .*\. It is a FIFO, not a regular file\.$/m)
    expect(lstatSync(fifo).isFIFO()).toBe(true)
  })

  it.runIf(isRoot)('a device node: written through, still a character device', async () => {
    const dir = tmp()
    const dev = join(dir, 'null')
    expect(spawnSync('mknod', ['-m', '0666', dev, 'c', '1', '3']).status).toBe(0)
    for (const args of [
      ['passwd', '-c', '-b', dev, 'carol', 'x'],
      ['dynsec', 'init', dev, 'admin', 'pw', '--force'],
      ['config', 'gen', '--listener', '1883', '-o', dev, '--force'],
    ]) {
      const r = await mqctl(args)
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0)
      expect(lstatSync(dev).isCharacterDevice()).toBe(true)
      expect(statSync(dev).mode & 0o777).toBe(0o666)
    }
  })

  it('dynsec init --force and config gen -o --force through a symlink to stdout', async () => {
    const dir = tmp()
    symlinkSync('/proc/self/fd/1', join(dir, 'out'))
    const init = await mqctl(['dynsec', 'init', './out', 'admin', 'pw', '--force', '--json'], {cwd: dir})
    expect(init.code, init.stderr).toBe(0)
    expect(init.stdout).toContain('"rolename": "admin"')
    const gen = await mqctl(['config', 'gen', '--listener', '1883', '-o', './out', '--force'], {cwd: dir})
    expect(gen.code, gen.stderr).toBe(0)
    expect(gen.stdout).toMatch(/^listener /m)
    expect(lstatSync(join(dir, 'out')).isSymbolicLink()).toBe(true)
  })
})
