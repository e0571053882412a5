#!/usr/bin/env -S node --import tsx
// Runs the TypeScript sources directly (no build, no manifest): for development only.
import('../src/main.ts').then(({main}) =>
  main(process.argv.slice(2), require('node:url').pathToFileURL(__filename).href, {development: true}),
)
