#!/usr/bin/env node
// Production entry: runs the compiled commands in dist/ (npm run build).
// @oclif/core by subpath and with require(), as src/cli/oclif.ts explains (cold start).
import {createRequire} from 'node:module'

const {execute} = createRequire(import.meta.url)('@oclif/core/execute')

await execute({dir: import.meta.url})
