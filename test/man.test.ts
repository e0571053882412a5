/*
 * The committed man pages (man/man1/) must be what scripts/man.js generates from the current
 * command metadata, and every page must render without a single roff warning.
 */
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const script = join(root, 'scripts', 'man.js')
const manifest = join(root, 'oclif.manifest.json')
const committedDir = join(root, 'man', 'man1')
const REGENERATE = 'run `npm run build && npm run man` and commit man/man1/'

let work: string
let generatedDir: string

function runScript(...args: string[]) {
  return spawnSync(process.execPath, [script, ...args], {cwd: root, encoding: 'utf8'})
}

const pagesIn = (dir: string) => (existsSync(dir) ? readdirSync(dir).sort() : [])

function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], {encoding: 'utf8'}).status === 0
}

/** The first available roff checker, as a function returning its complaints for one page. */
function roffLinter(): {name: string; lint: (file: string) => string} | undefined {
  const env = {...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', MANWIDTH: '80', MANPAGER: 'cat', PAGER: 'cat'}
  const run = (cmd: string, args: string[]) => {
    const r = spawnSync(cmd, args, {encoding: 'utf8', env})
    const problems = r.stderr.trim()
    if (r.status !== 0) return `${cmd} exited with ${r.status}${problems ? `: ${problems}` : ''}`
    if (cmd === 'man' && r.stdout.trim() === '') return 'man rendered nothing'
    return problems
  }

  if (hasTool('man')) return {name: 'man -l --warnings=w', lint: (f) => run('man', ['-l', '--warnings=w', f])}
  if (hasTool('groff'))
    return {name: 'groff -man -Tutf8 -ww -z', lint: (f) => run('groff', ['-man', '-Tutf8', '-ww', '-z', f])}
  if (hasTool('mandoc')) return {name: 'mandoc -T lint', lint: (f) => run('mandoc', ['-T', 'lint', '-W', 'warning', f])}
  return undefined
}

beforeAll(() => {
  if (!existsSync(manifest)) {
    throw new Error('oclif.manifest.json is missing: run `npm run build` first (the man pages are generated from it)')
  }

  work = mkdtempSync(join(tmpdir(), 'mqctl-man-'))
  generatedDir = join(work, 'man1')
  const r = runScript('--out', generatedDir)
  if (r.status !== 0) throw new Error(`scripts/man.js failed (exit ${r.status}):\n${r.stderr}`)
})

afterAll(() => {
  if (work) rmSync(work, {recursive: true, force: true})
})

describe('man pages', () => {
  it('man/man1 holds exactly the pages generated from the command metadata', () => {
    const generated = pagesIn(generatedDir)
    const committed = pagesIn(committedDir)
    expect(generated).toContain('mqctl.1')
    const stale = [
      ...generated.filter((f) => !committed.includes(f)).map((f) => `man/man1/${f}: missing`),
      ...committed
        .filter((f) => !generated.includes(f))
        .map((f) => `man/man1/${f}: no such command (or not a generated page)`),
      ...generated
        .filter((f) => committed.includes(f))
        .filter((f) => !readFileSync(join(generatedDir, f)).equals(readFileSync(join(committedDir, f))))
        .map((f) => `man/man1/${f}: differs from the command metadata`),
    ]
    expect(stale, `the man pages are stale: ${REGENERATE}`).toEqual([])
  })

  it('--check agrees with the comparison', () => {
    const r = runScript('--check', '--out', generatedDir)
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
  })

  it('every page renders without warnings', () => {
    const linter = roffLinter()
    if (!linter) {
      console.warn('man pages not linted: none of man, groff, mandoc is installed')
      return
    }

    const complaints = pagesIn(generatedDir)
      .map((f) => [f, linter.lint(join(generatedDir, f))] as const)
      .filter(([, problems]) => problems !== '')
      .map(([f, problems]) => `${f}:\n${problems}`)
    expect(complaints, `${linter.name} complained`).toEqual([])
  })

  it('text lines never start with a space, a dot or a quote', () => {
    for (const f of pagesIn(generatedDir)) {
      const lines = readFileSync(join(generatedDir, f), 'utf8').split('\n')
      const bad = lines
        .map((l, i) => [i + 1, l] as const)
        .filter(([, l]) => /^[ \t]/.test(l) || (l.startsWith("'") && !l.startsWith('\'\\"')))
      expect(bad, f).toEqual([])
    }
  })
})

describe('scripts/man.js', () => {
  const fixtureManifest = (commands: Record<string, unknown>) => {
    const file = join(work, `manifest-${Object.keys(commands).join('-').replaceAll(':', '_')}.json`)
    writeFileSync(file, JSON.stringify({version: '0.0.0', commands}))
    return file
  }

  const demo = {
    id: 'demo:thing',
    summary: 'Do a thing (demo).',
    description: `.starts with a dot and a backslash \\ here.\n'starts with a quote; uses --dash-option and -x, costs 5 \u20ac.\n\nSecond paragraph:\n  indented line one\n    deeper\n\n- bullet one\n- bullet two`,
    examples: [
      '<%= config.bin %> demo thing --mode fast',
      {
        description: 'With a description',
        command:
          "printf '%s\\n' x | <%= config.bin %> demo thing --very-long-option-name /some/rather/long/path/to/a/file.txt",
      },
    ],
    args: {file: {name: 'file', description: 'A file.', required: true}},
    flags: {
      mode: {
        name: 'mode',
        type: 'option',
        char: 'm',
        description: 'Mode.',
        options: ['fast', 'slow'],
        default: 'slow',
        multiple: false,
      },
      verbose: {name: 'verbose', type: 'boolean', allowNo: true, description: 'Talk more.'},
      token: {name: 'token', type: 'option', env: 'DEMO_TOKEN', description: 'API token.', multiple: false},
      json: {name: 'json', type: 'boolean', helpGroup: 'GLOBAL', description: 'Format output as json.'},
    },
    manual: {
      exitStatus: [
        ['0', 'Done.'],
        ['7', 'Demo failure.'],
      ],
      files: [['/etc/demo.conf', 'Demo settings.']],
      environment: [['DEMO_HOME', 'Where demo lives.']],
      seeAlso: ['demo(7)'],
    },
  }

  it('renders the static manual convention, flags, examples and escapes', () => {
    const out = join(work, 'demo')
    const r = runScript('--manifest', fixtureManifest({'demo:thing': demo}), '--out', out)
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(pagesIn(out)).toEqual(['mqctl-demo-thing.1', 'mqctl.1'])
    const page = readFileSync(join(out, 'mqctl-demo-thing.1'), 'utf8')
    expect(page).toContain('.SH NAME\nmqctl\\-demo\\-thing \\- Do a thing (demo)\n')
    expect(page).toMatch(
      /\.SY "mqctl demo thing"\n\\fIFILE\\fR \[\\fB\\-m\\fR\\ fast\|slow\] \[\\fB\\-\\-\[no\\-\]verbose\\fR\]/,
    )
    expect(page).toContain('\\&.starts with a dot and a backslash \\e here.')
    expect(page).toContain("\\&'starts with a quote; uses \\-\\-dash\\-option and \\-x, costs 5 \\[u20AC].")
    expect(page).toContain('.RS 4\n.nf\nindented line one\n\\&  deeper\n.fi\n.RE')
    expect(page).toContain('.IP \\(bu 2\nbullet one')
    expect(page).toContain(
      '\\fB\\-m\\fR, \\fB\\-\\-mode\\fR \\fIMODE\\fR\nMode. Allowed values: \\fBfast\\fR, \\fBslow\\fR. Default: \\fBslow\\fR.',
    )
    expect(page).toContain('Also read from the environment variable \\fBDEMO_TOKEN\\fR.')
    expect(page).toContain('.SS "Global options"')
    expect(page).toContain('.SH "EXIT STATUS"\n.TP\n\\fB0\\fR\nDone.\n.TP\n\\fB7\\fR\nDemo failure.\n.SH FILES')
    expect(page).toMatch(
      /\.SH ENVIRONMENT\n\.TP\n\\fBDEMO_HOME\\fR\nWhere demo lives\.\n\.TP\n\\fBDEMO_TOKEN\\fR\n.*\n\.TP\n\\fBNO_COLOR\\fR/,
    )
    expect(page).toContain('.SH FILES\n.TP\n\\fI/etc/demo.conf\\fR\nDemo settings.')
    // Long example commands are broken where the shell allows it, an option next to its value.
    expect(page).toContain(
      'printf \\(aq%s\\en\\(aq x |\n\\&  mqctl demo thing \\e\n\\&      \\-\\-very\\-long\\-option\\-name /some/rather/long/path/to/a/file.txt\n',
    )
    expect(page).toContain('.SH "SEE ALSO"\n\\fBmqctl\\fR(1), \\fBdemo\\fR(7), \\fBmosquitto\\fR(8)\n')
    const overview = readFileSync(join(out, 'mqctl.1'), 'utf8')
    expect(overview).toContain('\\fBDEMO_HOME\\fR')
    expect(overview).toContain('\\fI/etc/demo.conf\\fR')
    expect(overview).toContain('\\fBmqctl\\-demo\\-thing\\fR(1)')

    const linter = roffLinter()
    if (linter) for (const f of pagesIn(out)) expect(linter.lint(join(out, f)), f).toBe('')
  })

  it('--check names stale, missing and orphaned pages and exits 1', () => {
    const out = join(work, 'stale')
    const file = fixtureManifest({'demo:thing': demo})
    expect(runScript('--manifest', file, '--out', out).status).toBe(0)
    expect(runScript('--manifest', file, '--out', out, '--check').status).toBe(0)
    writeFileSync(join(out, 'mqctl-demo-thing.1'), 'edited by hand\n')
    writeFileSync(join(out, 'mqctl-removed.1'), 'a page of a command that is gone\n')
    rmSync(join(out, 'mqctl.1'))
    const r = runScript('--manifest', file, '--out', out, '--check')
    expect(r.status).toBe(1)
    expect(r.stderr).toContain('mqctl-demo-thing.1: differs')
    expect(r.stderr).toContain('mqctl-removed.1: no such command')
    expect(r.stderr).toContain('mqctl.1: missing')
    expect(r.stderr).toContain('npm run man')
    // Regenerating removes the orphan.
    expect(runScript('--manifest', file, '--out', out).status).toBe(0)
    expect(pagesIn(out)).toEqual(['mqctl-demo-thing.1', 'mqctl.1'])
  })

  it('refuses a malformed manual and a missing manifest', () => {
    const bad = runScript(
      '--manifest',
      fixtureManifest({'demo:bad': {...demo, id: 'demo:bad', manual: {exitstatus: []}}}),
      '--out',
      join(work, 'bad'),
    )
    expect(bad.status).toBe(1)
    expect(bad.stderr).toContain('command "demo:bad": static manual has an unknown key "exitstatus"')
    mkdirSync(join(work, 'empty'), {recursive: true})
    const missing = runScript('--manifest', join(work, 'empty', 'oclif.manifest.json'), '--out', join(work, 'bad'))
    expect(missing.status).toBe(1)
    expect(missing.stderr).toContain('run `npm run build`')
  })
})
