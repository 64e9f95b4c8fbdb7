#!/usr/bin/env node
// Production entry: runs the compiled commands in dist/ (npm run build).
// @oclif/core by subpath and with require(), as src/cli/oclif.ts explains (cold start).
import {createRequire} from 'node:module'
import {prestartFor} from '../dist/cli/prestart.js'

// The installed CLI runs what dist/ holds, whatever the user's NODE_ENV says. oclif looks for the
// commands' TypeScript sources when NODE_ENV is "test" or "development" (@oclif/core
// lib/config/ts-path.js), which doubled a `plan`'s CPU time and printed a warning on stderr.
globalThis.oclif ??= {}
globalThis.oclif.enableAutoTranspile = false
const {execute} = createRequire(import.meta.url)('@oclif/core/execute')

// A command that opens a PowerShell session starts its pwsh first (dist/cli/prestart.js).
const stopPrestarted = await prestartFor(process.argv.slice(2))
try {
  await execute({dir: import.meta.url})
} finally {
  stopPrestarted()
}
// The command has finished and awaited all its work. Leave once stdout and stderr have handed
// what they hold to the OS (a pipe on Windows is written asynchronously): otherwise Node first
// runs V8's pending garbage-collection tasks, 10-25 ms of a cold `plan` (bench/README.md).
process.stdout.write('', () => process.stderr.write('', () => process.exit()))
