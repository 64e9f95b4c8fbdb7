#!/usr/bin/env node
// Production entry: runs the compiled commands in dist/ (npm run build).
// The commands import @oclif/core by subpath (/execute, /command, /flags, /args), never its
// index: the index also checks Node's version against oclif's own engines with semver, 47
// files loaded on every start (hvguest's package.json states its engines: Node >= 20).
import {execute} from '@oclif/core/execute'

await execute({dir: import.meta.url})
