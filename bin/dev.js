#!/usr/bin/env -S node --import tsx
// Runs the TypeScript sources directly (no build, no manifest): for development only.
const {main} = await import('../src/main.ts')
await main(process.argv.slice(2), import.meta.url, {development: true})
