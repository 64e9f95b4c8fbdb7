#!/usr/bin/env node
// Baseline entry for bench/run.js: the same shape as the project's bin/run.js (@oclif/core's
// execute by subpath, with require(), as src/cli/oclif.ts explains), less hvguest's own work.
// @oclif/core resolves from the repository's node_modules (no install of its own).
import {createRequire} from 'node:module'

const {execute} = createRequire(import.meta.url)('@oclif/core/execute')

await execute({dir: import.meta.url})
