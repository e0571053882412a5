#!/usr/bin/env node
// The built entry point; `npm ci` builds it (prepare), `npm run build` rebuilds it.
const {main} = await import('../dist/main.js')
await main(process.argv.slice(2), import.meta.url)
