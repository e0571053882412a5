#!/usr/bin/env node
// The built entry point; `npm ci` builds it (prepare), `npm run build` rebuilds it. CommonJS
// (bin/package.json) with a CommonJS bundle: an ES module entry costs node's ESM loader, ~10 ms
// on every run (see bench/startup.sh).
require('../dist/bundle/main.cjs').main(process.argv.slice(2), require('node:url').pathToFileURL(__filename).href)
