import {existsSync, readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {fileURLToPath} from 'node:url'

/**
 * Entry point shared by bin/run.js and bin/dev.js. `--version` is answered without loading
 * oclif: it is the probe scripts and package managers run most, and startup is a feature.
 */
export async function main(argv: string[], binUrl: string, options: {development?: boolean} = {}): Promise<void> {
  if (argv.length === 1 && argv[0] === '--version') {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', binUrl), 'utf8')) as {name: string; version: string}
    process.stdout.write(`${pkg.name}/${pkg.version} ${process.platform}-${process.arch} node-${process.version}\n`)
    return
  }

  if (isPlainPasswd(argv)) {
    const {passwdCli} = await import('./cli/passwd.js')
    process.exitCode = await passwdCli(argv.slice(1))
    return
  }

  let args = argv
  const moduleWord = (a: string) => a.toLowerCase() === 'dynsec' || a.toLowerCase() === 'broker'
  if (argv.some(moduleWord) || argv[0]?.startsWith('-')) {
    const {rewriteCtrlArgv} = await import('./cli/ctrl-argv.js')
    try {
      args = rewriteCtrlArgv(argv)
    } catch (error) {
      // Loaded on failure only: rendering pulls in chalk, which costs start-up time.
      const {renderError, toMqctlError} = await import('./base/render-error.js')
      const e = toMqctlError(error)
      renderError(e, argv.includes('--json'))
      process.exitCode = e.exit
      return
    }
  }

  // MQCTL_FAST=0 sends everything through oclif (the tests compare both paths). oclif also reads
  // MQCTL_CONTENT_TYPE=json as --json, which the fast paths leave to it.
  const fast = process.env.MQCTL_FAST !== '0' && !process.env.MQCTL_CONTENT_TYPE
  if (fast && (args.includes('--help') || args[0] === 'help')) {
    const {fastHelp} = await import('./cli/help.js')
    const text = fastHelp(args, binUrl)
    if (text !== undefined) {
      process.stdout.write(text)
      return
    }
  }

  if (fast && (args[1] === 'lint' || (args[0] === 'acl' && args[1] === 'check'))) {
    const {fastLint} = await import('./cli/lint.js')
    const status = await fastLint(args, binUrl)
    if (status !== undefined) {
      process.exitCode = status
      return
    }
  }

  // (plan, apply and export are no catalog command: their own fast path is below.)
  if (fast && args[0] === 'dynsec' && !BUNDLED.has(args[1])) {
    const {fastDynsec} = await import('./cli/dynsec.js')
    const status = await fastDynsec(args)
    if (status !== undefined) {
      process.exitCode = status
      // After a failure a connection attempt may still be pending (a silent SOCKS proxy, a
      // half-open socket): exit now, as oclif does on errors, once stderr is written.
      if (status !== 0) process.stderr.write('', () => process.exit(status))
      return
    }
  }

  // plan, apply and export: one broker or file without oclif (src/cli/policy.ts), else through oclif
  // loaded from one bundle with a code cache (src/cli/oclif-bundle.ts).
  if (fast && !options.development && args[0] === 'dynsec' && BUNDLED.has(args[1])) {
    const bundled = (name: string) => fileURLToPath(new URL(`../dist/bundle/${name}.cjs`, binUrl))
    const {loadBundle} = createRequire(binUrl)('./run.js') as {loadBundle: (file: string) => unknown}
    if (existsSync(bundled('policy'))) {
      const status = await (loadBundle(bundled('policy')) as PolicyBundle).fastPolicy(args)
      if (status !== undefined) {
        process.exitCode = status
        return
      }
    }

    if (existsSync(bundled('oclif'))) {
      const dir = new URL('../package.json', binUrl).href
      await (loadBundle(bundled('oclif')) as OclifBundle).executeBundled(args, dir)
      return
    }
  }

  const {execute} = await import('@oclif/core')
  // The project root's package.json (bin/ has its own, which only makes bin/*.js CommonJS).
  await execute({args, development: options.development, dir: new URL('../package.json', binUrl).href})
}

const BUNDLED = new Set(['apply', 'export', 'plan'])
type OclifBundle = typeof import('./cli/oclif-bundle.js')
type PolicyBundle = typeof import('./cli/policy.js')

/** `mqctl passwd …` in mosquitto_passwd form (not a subcommand, not a help request). */
function isPlainPasswd(argv: string[]): boolean {
  if (argv[0] !== 'passwd' || argv.length < 2) return false
  if (argv[1] === 'verify' || argv[1] === 'check') return false
  const end = argv.includes('--') ? argv.indexOf('--') : argv.length
  return !argv.slice(0, end).includes('--help')
}
