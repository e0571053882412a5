#!/usr/bin/env node
// Compiles src/ to dist/, regenerates oclif.manifest.json from the fresh build, and bundles the
// pre-oclif edge (src/main.ts: --version, passwd, the dynsec fast path, help from the manifest)
// into dist/bundle/ with esbuild: one file per path instead of dozens is most of its start-up.
// The old manifest is removed first: oclif trusts a manifest it finds, so a stale one
// would hide commands added since it was written.
import {execFileSync, spawnSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {readFileSync, rmSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const bin = (name) => join(root, 'node_modules', '.bin', name)
const run = (cmd, args) => execFileSync(cmd, args, {cwd: root, stdio: 'inherit'})

rmSync(join(root, 'oclif.manifest.json'), {force: true})
rmSync(join(root, 'dist'), {force: true, recursive: true})
run(bin('tsc'), ['-p', 'tsconfig.json'])
run(bin('oclif'), ['manifest'])

// Our own code only: packages stay external, so oclif, zod and mqtt.js are the same module
// instances for the bundle and for the commands oclif loads from dist/commands. CommonJS on
// purpose: an ES module entry starts node's ESM loader (~10 ms), and in a CommonJS bundle each
// module, and the packages it imports, is initialised only when a path first reaches it.
const {build} = await import('esbuild')
const common = {absWorkingDir: root, bundle: true, platform: 'node', target: 'node20', packages: 'external'}
// Both CommonJS bundles read their URL from __filename and take bin/run.js's loader of dynamic
// imports when it compiles them from the code cache.
const cachedBundle = async (name, entry, options = {}) => {
  await build({
    ...common,
    define: {'import.meta.url': '__bundleUrl'},
    ...options,
    entryPoints: {[name]: entry},
    outdir: 'dist/bundle',
    outExtension: {'.js': '.cjs'},
    format: 'cjs',
    minifySyntax: true,
    banner: {
      js: [
        "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;",
        "const __import = typeof __mqctlImport === 'function' ? __mqctlImport : (s) => import(s);",
      ].join('\n'),
    },
    logLevel: 'warning',
  })
  markForCodeCache(join(root, 'dist', 'bundle', `${name}.cjs`))
}

await cachedBundle('main', 'src/main.ts')
// oclif with dynsec plan/apply/export (src/cli/oclif-bundle.ts), packages included: loaded from
// node_modules and dist/ they cost ~140 ms in node's module loaders and as much compiling.
// typescript (oclif's ts-node support, development only) and inquirer (a prompt, loaded on use) stay out.
await cachedBundle('oclif', 'src/cli/oclif-bundle.ts', {packages: undefined, external: ['typescript', '@inquirer/*']})
// plan, apply and export for one broker or file without oclif (src/cli/policy.ts), packages
// included; their flag table is the commands' own, read from the fresh manifest.
const manifest = JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8'))
const {policyTables} = await import(pathToFileURL(join(root, 'dist', 'cli', 'policy.js')).href)
await cachedBundle('policy', 'src/cli/policy.ts', {
  packages: undefined,
  external: ['typescript', '@inquirer/*'],
  define: {'import.meta.url': '__bundleUrl', __MQCTL_POLICY_TABLES__: JSON.stringify(policyTables(manifest))},
})
// passwd -U's worker, beside the bundle where hash-many.ts looks for it.
await build({
  ...common,
  entryPoints: {'hash-worker': 'src/lib/passwd/hash-worker.ts'},
  outdir: 'dist/bundle',
  format: 'esm',
  logLevel: 'warning',
})

// The code cache of the bundle, for the node that built it: one run of the online dynsec path
// (against a socket that does not exist, so nothing is contacted) compiles what it needs, and
// bin/run.js saves that at exit. Other node versions make their own on their first run.
// It fails (no such socket), as meant; a missing cache is no error either.
const empty = join(root, 'dist')
const warm = (args) =>
  spawnSync(process.execPath, [join(root, 'bin', 'run.js'), ...args, '--unix', join(empty, 'none')], {
    cwd: root,
    env: {...process.env, HOME: empty, XDG_CONFIG_HOME: empty, MQCTL_CONFIG_DIR: empty},
    stdio: 'ignore',
    timeout: 60_000,
  })
warm(['dynsec', 'getClient', 'x'])
// And of the policy bundle, in one process so that its cache holds more than one path: a dry-run
// apply to a -f file that does not exist (policy check, plan, its text), then a plan that fails
// at the connection. Of the oclif bundle: a fleet plan, which the policy bundle leaves to oclif
// (and finds no profiles).
const warmPolicy = join(empty, 'warm-up-policy.json')
writeFileSync(
  warmPolicy,
  JSON.stringify({
    version: 1,
    defaultACLAccess: {publishClientSend: false},
    roles: [{rolename: 'r', acls: [{acltype: 'subscribePattern', topic: 'a/#', allow: true, priority: 1}]}],
    groups: [{groupname: 'g', roles: [{rolename: 'r'}]}],
    clients: [{username: 'c', textname: 't', roles: [{rolename: 'r', priority: 2}], groups: [{groupname: 'g'}]}],
  }),
)
const policyRuns = [
  ['dynsec', 'apply', warmPolicy, '--dry-run', '--file', join(empty, 'none.json')],
  ['dynsec', 'plan', warmPolicy, '--unix', join(empty, 'none')],
]
spawnSync(
  process.execPath,
  [
    '-e',
    `const b = require(process.argv[1]).loadBundle(process.argv[2]);
     (async () => { for (const args of JSON.parse(process.argv[3])) await b.fastPolicy(args) })()`,
    join(root, 'bin', 'run.js'),
    join(root, 'dist', 'bundle', 'policy.cjs'),
    JSON.stringify(policyRuns),
  ],
  {
    cwd: root,
    env: {...process.env, HOME: empty, XDG_CONFIG_HOME: empty, MQCTL_CONFIG_DIR: empty},
    stdio: 'ignore',
    timeout: 60_000,
  },
)
warm(['dynsec', 'plan', warmPolicy, '--all-profiles'])
rmSync(warmPolicy, {force: true})

/**
 * Routes the bundle's dynamic imports through `__import` (see the banner) and puts the hash of
 * its text on the first line: bin/run.js names the cache after it, since V8 checks only a
 * source's length before trusting a cache.
 */
function markForCodeCache(file) {
  // oclif's module loader imports computed paths: `import((0, node_url_1.pathToFileURL)(…))`.
  let text = readFileSync(file, 'utf8').replace(/(?<![\w$.`])import\((?=["'(\w])/g, '__import(')
  const left = text.split('\n').filter((l) => /(?<![\w$.`])import\((?!\))/.test(l) && !l.includes('(s) => import(s)'))
  if (left.length > 0)
    throw new Error(`dist/bundle/main.cjs: a dynamic import bin/run.js cannot route: ${left[0].trim()}`)
  text = `// mqctl-build ${createHash('sha256').update(text).digest('hex').slice(0, 32)}\n${text}`
  writeFileSync(file, text)
}
