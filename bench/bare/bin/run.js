#!/usr/bin/env node
// Baseline entry for bench/run.js: the same shape as the project's bin/run.js.
// @oclif/core resolves from the repository's node_modules (no install of its own).
import {execute} from '@oclif/core'

await execute({dir: import.meta.url})
