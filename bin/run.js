#!/usr/bin/env node
// Production entry: runs the compiled commands in dist/ (npm run build).
import {execute} from '@oclif/core'
import {prestartFor} from '../dist/cli/prestart.js'

// A command that opens a PowerShell session starts its pwsh first (dist/cli/prestart.js).
const stopPrestarted = await prestartFor(process.argv.slice(2))
try {
  await execute({dir: import.meta.url})
} finally {
  await stopPrestarted()
}
