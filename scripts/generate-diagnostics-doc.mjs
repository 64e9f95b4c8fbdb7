#!/usr/bin/env node
// Writes docs/diagnostics.md from the code registry (src/model/codes.ts), so that the list users
// read is the list the code emits and cannot drift from it. The registry's `// -- ...` comments
// group the codes; each code's row is its default severity and its one-line meaning.
// test/unit/model/diagnostics-doc.test.ts renders it again in memory and fails when the committed
// file differs.
//
// Usage (the registry is TypeScript, so the script runs through tsx):
//   npm run generate:docs                                   write docs/diagnostics.md
//   npx tsx scripts/generate-diagnostics-doc.mjs --check    exit 1 when the committed file differs
import {readFileSync, writeFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

export const REGISTRY_FILE = fileURLToPath(new URL('../src/model/codes.ts', import.meta.url))
export const DOC_FILE = fileURLToPath(new URL('../docs/diagnostics.md', import.meta.url))
export const REGENERATE = 'npm run generate:docs'

const GROUP = /^\s*\/\/ -- (.+)$/
const ENTRY = /^\s*'?([a-z0-9-]+)'?\s*:\s*\{\s*severity\s*:/

/**
 * The registry's codes in source order, each under the `// -- heading` comment above it. The
 * order and headings come from the source text, the severities and meanings from the object
 * itself; when the two disagree (a code the text scan missed or invented) this throws rather than
 * write a list that is not the registry.
 */
export function groupCodes(codes, source) {
  const body = source.slice(source.indexOf('export const CODES'))
  const groups = []
  for (const line of body.slice(0, body.indexOf('} as const')).split('\n')) {
    const heading = GROUP.exec(line)
    if (heading) groups.push({heading: heading[1].trim(), codes: []})
    const entry = ENTRY.exec(line)
    if (entry) {
      if (groups.length === 0) groups.push({heading: 'codes', codes: []})
      groups.at(-1).codes.push(entry[1])
    }
  }
  const scanned = groups.flatMap((g) => g.codes)
  const registered = Object.keys(codes)
  const missed = registered.filter((c) => !scanned.includes(c))
  const unknown = scanned.filter((c) => !registered.includes(c))
  if (missed.length > 0 || unknown.length > 0 || scanned.length !== registered.length) {
    throw new Error(
      `generate-diagnostics-doc: the scan of ${REGISTRY_FILE} does not match CODES ` +
        `(not found in the text: ${missed.join(', ') || 'none'}; not in CODES: ${unknown.join(', ') || 'none'}); ` +
        `keep one code per line, as \`'code': {severity: ..., summary: ...}\``,
    )
  }
  return groups
}

/** A table cell: one line, no column breaks. */
const cell = (text) =>
  String(text)
    .replace(/\s*\n\s*/g, ' ')
    .replace(/[|*]/g, (c) => `\\${c}`)

/** Commands the registry's headings start with, shown as commands rather than capitalised as words. */
const COMMANDS = ['ic inject', 'ic status', 'doctor']

function headingOf(text) {
  const command = COMMANDS.find((c) => text.startsWith(`${c} `) || text === c)
  return command ? `\`${command}\`${text.slice(command.length)}` : text.charAt(0).toUpperCase() + text.slice(1)
}

/** The whole of docs/diagnostics.md. */
export function renderDiagnosticsDoc(codes, source) {
  const groups = groupCodes(codes, source)
  const count = Object.keys(codes).length
  const lines = [
    '# Diagnostic codes',
    '',
    `<!-- Generated from src/model/codes.ts by scripts/generate-diagnostics-doc.mjs: do not edit; run \`${REGENERATE}\`. -->`,
    '',
    `Every code hvguest reports (${count}), with its default severity and what it means. Codes are a`,
    'public contract: new ones are added, none is ever renamed or removed. The same list is in',
    '`src/model/codes.ts`, which this page is generated from.',
    '',
    'Where a code shows up, and what it does to the exit code:',
    '',
    '- **Plan diagnostics** (`plan`, `validate`, `create`, `ic inject`; `diagnostics[].code` in',
    '  `--json`, `file:line:column: error [code] message` on stderr): any `error` makes the command',
    '  exit 2 before anything changes on a host. A `warning` leaves the exit code 0, unless',
    '  `--strict` makes warnings errors. `info` never changes it.',
    '- **Host preflight** and **the host and its shell**: found on the host (or on this machine)',
    '  before any change, exit 2.',
    '- **doctor** (`checks[].code`): the code of a check that is not ok, printed with its fix. Exit 1',
    '  when any check fails; warnings and notes leave it 0.',
    '- **What a running guest reports** (`ic status`, `create --wait`: `problems[].code`): exit 1',
    '  while a guest is not ready (no heartbeat, or no IPv4 address).',
    '',
    'A code\'s severity can differ from its default where a finding matters more or less in context:',
    'a profile default that cannot apply is a warning (the guest is built without it), while the',
    'same setting written explicitly in a template is an error.',
    '',
  ]
  for (const group of groups) {
    lines.push(`## ${headingOf(group.heading)}`, '', '| code | severity | meaning |', '|---|---|---|')
    for (const code of group.codes) lines.push(`| \`${code}\` | ${codes[code].severity} | ${cell(codes[code].summary)} |`)
    lines.push('')
  }
  return lines.join('\n')
}

async function main(argv) {
  const {CODES} = await import('../src/model/codes.ts')
  const text = renderDiagnosticsDoc(CODES, readFileSync(REGISTRY_FILE, 'utf8'))
  if (argv.includes('--check')) {
    let committed = ''
    try {
      committed = readFileSync(DOC_FILE, 'utf8')
    } catch {
      // a missing file is a difference like any other
    }
    if (committed !== text) {
      process.stderr.write(`docs/diagnostics.md is not what src/model/codes.ts generates: run \`${REGENERATE}\`\n`)
      process.exitCode = 1
    }
    return
  }
  writeFileSync(DOC_FILE, text)
  process.stderr.write(`wrote docs/diagnostics.md (${Object.keys(CODES).length} codes)\n`)
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main(process.argv.slice(2))
