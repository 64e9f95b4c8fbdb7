#!/usr/bin/env node
/**
 * hvguest benchmark (`npm run bench` = `npm run build && node bench/run.js`).
 *
 * Three numbers, measured in ONE run so that they share the machine's state:
 *
 *   1. cold start   `node bin/run.js --version`        vs `node bench/bare/bin/run.js --version`
 *   2. a real run   `node bin/run.js plan ubuntu-2204` vs `node bench/bare/bin/run.js hello`
 *   3. throughput   buildPlan({templates: ['ubuntu-2204'], count: 1000, name: 'web{{index}}'}),
 *                   in this process, after one warm-up call
 *
 * The CLI numbers are ratios against bench/bare, the smallest oclif CLI on the same
 * @oclif/core: a ratio says what hvguest adds on top of oclif itself, and it survives a
 * slow or fast machine far better than absolute milliseconds do. Machines are noisy, so the
 * contenders are interleaved round by round (A B / B A, alternating) rather than run in
 * blocks: a burst of background load hits both sides of a ratio alike. Medians, not means.
 *
 * Targets: --version <= 1.1x bare, plan <= 1.3x bare, 1000 guests < 1000 ms.
 *
 * Usage: node bench/run.js [--runs N] [--plan-runs N] [--json] [--check] [--root DIR]
 *   --runs N       rounds of the CLI comparisons (default 15)
 *   --plan-runs N  timed buildPlan calls after the warm-up (default 7)
 *   --json         print the numbers as JSON on stdout (progress stays on stderr)
 *   --check        exit 1 when a target fails or cannot be measured (for CI)
 *   --root DIR     the hvguest checkout to measure (default: the one holding this script)
 *
 * Exit: 0 measured (targets may have failed, unless --check), 1 a target failed with
 * --check, 2 the harness itself could not run (bad flags, the baseline CLI broke).
 *
 * Plain Node ESM with no dependencies beyond the repository's own node_modules.
 */
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {cpus, platform, arch, tmpdir, loadavg} from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {performance} from 'node:perf_hooks'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {parseArgs} from 'node:util'

const BENCH_DIR = dirname(fileURLToPath(import.meta.url))
const BARE_DIR = join(BENCH_DIR, 'bare')
const CHILD_TIMEOUT_MS = 120_000

const TARGETS = {
  version: {kind: 'ratio', max: 1.1, label: '<= 1.10x'},
  plan: {kind: 'ratio', max: 1.3, label: '<= 1.30x'},
  throughput: {kind: 'ms', below: 1000, label: '< 1000 ms'},
}

// ------------------------------------------------------------------ arguments

function usage(message) {
  if (message) process.stderr.write(`bench: ${message}\n`)
  process.stderr.write('usage: node bench/run.js [--runs N] [--plan-runs N] [--json] [--check] [--root DIR]\n')
  process.exit(message ? 2 : 0)
}

let opts
try {
  opts = parseArgs({
    options: {
      runs: {type: 'string', default: '15'},
      'plan-runs': {type: 'string', default: '7'},
      json: {type: 'boolean', default: false},
      check: {type: 'boolean', default: false},
      root: {type: 'string'},
      help: {type: 'boolean', short: 'h', default: false},
    },
    strict: true,
    allowPositionals: false,
  }).values
} catch (error) {
  usage(error.message)
}
if (opts.help) usage()

const positiveInt = (flag, value) => {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) usage(`${flag} needs a whole number of at least 1, got "${value}"`)
  return n
}
const RUNS = positiveInt('--runs', opts.runs)
const PLAN_RUNS = positiveInt('--plan-runs', opts['plan-runs'])
const ROOT = resolve(opts.root ?? join(BENCH_DIR, '..'))
const PROJECT_BIN = join(ROOT, 'bin', 'run.js')
const BARE_BIN = join(BARE_DIR, 'bin', 'run.js')
const BUILD_PLAN = join(ROOT, 'dist', 'plan', 'build-plan.js')

const log = (line = '') => process.stderr.write(`${line}\n`)

// ------------------------------------------------------------------ statistics

function quantile(sorted, q) {
  if (sorted.length === 0) return null
  const pos = (sorted.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo)
}

function stats(samples) {
  const s = [...samples].sort((a, b) => a - b)
  const r = (v) => (v === null ? null : Math.round(v * 100) / 100)
  return {
    n: s.length,
    medianMs: r(quantile(s, 0.5)),
    minMs: r(s[0] ?? null),
    p25Ms: r(quantile(s, 0.25)),
    p75Ms: r(quantile(s, 0.75)),
    maxMs: r(s.at(-1) ?? null),
    samplesMs: samples.map(r),
  }
}

// ------------------------------------------------------------------ child processes

// Every child runs in an empty folder: no project hosts.yaml, templates/ or profiles/ can
// leak into the measurement, and the CLI falls back to its built-ins as a new user's would.
const WORK_DIR = mkdtempSync(join(tmpdir(), 'hvguest-bench-'))
process.on('exit', () => rmSync(WORK_DIR, {recursive: true, force: true}))

const CHILD_ENV = {...process.env, NO_COLOR: '1', OCLIF_SKIP_NEW_VERSION_CHECK: 'true'}

/** Runs `node ARGS` to completion; returns wall-clock milliseconds from spawn to exit. */
function runNode(args, cwd = WORK_DIR) {
  const t0 = performance.now()
  const r = spawnSync(process.execPath, args, {cwd, env: CHILD_ENV, encoding: 'utf8', timeout: CHILD_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe']})
  const ms = performance.now() - t0
  let error = null
  if (r.error) error = r.error.code === 'ETIMEDOUT' ? `timed out after ${CHILD_TIMEOUT_MS / 1000}s` : r.error.message
  else if (r.status !== 0) error = `exited ${r.status ?? r.signal}`
  if (error) {
    const tail = `${r.stderr ?? ''}${r.stdout ?? ''}`.trim().split('\n').slice(-6).join('\n    ')
    error += tail ? `:\n    ${tail}` : ''
  }
  return {ms, error, stdout: r.stdout ?? ''}
}

/**
 * The baseline gets an oclif manifest, generated here at bench time (the file is git-ignored
 * and never committed). That is the fairer setup: `npm run build` ends with `oclif manifest`,
 * so the project CLI starts from its manifest, and with one on both sides @oclif/core takes
 * the same path for both (read the manifest, import only the command that runs). Without it
 * the baseline would glob and import its commands folder to learn its flags: for a single
 * command that costs little, but it is a different code path from the one being compared.
 * The baseline deliberately has no plugins: it is oclif's floor, and what hvguest's own
 * plugins (help, not-found, autocomplete) cost is part of what the ratio is meant to show.
 */
function prepareBaseline() {
  const oclifBin = join(BENCH_DIR, '..', 'node_modules', 'oclif', 'bin', 'run.js') // = node_modules/.bin/oclif
  if (!existsSync(oclifBin)) throw new Error(`oclif is not installed (${oclifBin}); run npm ci`)
  const r = runNode([oclifBin, 'manifest'], BARE_DIR)
  if (r.error) throw new Error(`oclif manifest in bench/bare failed: ${r.error}`)
}

// ------------------------------------------------------------------ measurements

const contenders = [
  {id: 'version/project', args: [PROJECT_BIN, '--version']},
  {id: 'version/bare', args: [BARE_BIN, '--version']},
  {id: 'plan/project', args: [PROJECT_BIN, 'plan', 'ubuntu-2204']},
  {id: 'plan/bare', args: [BARE_BIN, 'hello']},
]

function measureCli() {
  // One unmeasured run each: fills the OS file cache (every later run is a new process, so
  // "cold start" here means a fresh Node process, not a cold disk) and checks it works.
  for (const c of contenders) {
    c.samples = []
    c.error = existsSync(c.args[0]) ? runNode(c.args).error : `${c.args[0]} does not exist`
    if (c.error) log(`  ${c.id}: ${c.error}`)
  }
  for (const c of contenders.filter((x) => x.id.endsWith('/bare'))) {
    if (c.error) throw new Error(`the baseline CLI does not run (${c.id}): ${c.error}`)
  }
  for (let round = 0; round < RUNS; round++) {
    // Interleave: A B A B in even rounds, B A B A in odd ones, so that neither side always
    // runs right after the other (page cache, CPU frequency and noisy neighbours even out).
    const order = round % 2 === 0 ? contenders : [...contenders].reverse()
    for (const c of order) {
      if (c.error) continue
      const r = runNode(c.args)
      if (r.error) {
        c.error = `round ${round + 1}: ${r.error}`
        log(`  ${c.id}: ${c.error}`)
        continue
      }
      c.samples.push(r.ms)
    }
    if (process.stderr.isTTY) process.stderr.write(`\r  round ${round + 1}/${RUNS}`)
  }
  if (process.stderr.isTTY) process.stderr.write('\n')
  return Object.fromEntries(contenders.map((c) => [c.id, c.error ? {error: c.error} : stats(c.samples)]))
}

async function measureThroughput() {
  if (!existsSync(BUILD_PLAN)) return {error: `${BUILD_PLAN} does not exist (npm run build first)`}
  let buildPlan
  try {
    ;({buildPlan} = await import(pathToFileURL(BUILD_PLAN).href))
  } catch (error) {
    return {error: `cannot import dist/plan/build-plan.js: ${error.message}`}
  }
  if (typeof buildPlan !== 'function') return {error: 'dist/plan/build-plan.js does not export buildPlan'}
  const request = {templates: ['ubuntu-2204'], count: 1000, name: 'web{{index}}', cwd: WORK_DIR}
  const call = async () => {
    const t0 = performance.now()
    const plan = await buildPlan(request)
    return {ms: performance.now() - t0, plan}
  }
  try {
    const warm = await call() // JIT, module-level caches, template parse: not what is timed
    const guests = warm.plan?.guests?.length ?? 0
    const errors = (warm.plan?.diagnostics ?? []).filter((d) => d.severity === 'error')
    if (guests !== 1000) {
      const why = errors.slice(0, 3).map((d) => `[${d.code}] ${d.message}`).join('; ')
      return {error: `buildPlan returned ${guests} guests, not 1000${why ? `: ${why}` : ''}`}
    }
    const samples = []
    for (let i = 0; i < PLAN_RUNS; i++) samples.push((await call()).ms)
    return {...stats(samples), guests, errors: errors.length, warmupMs: Math.round(warm.ms * 100) / 100}
  } catch (error) {
    return {error: `buildPlan threw: ${error.stack ?? error.message}`}
  }
}

// ------------------------------------------------------------------ report

function ratioResult(id, command, project, bare, target) {
  const ratio = project.error || bare.error ? null : Math.round((project.medianMs / bare.medianMs) * 1000) / 1000
  const status = ratio === null ? 'ERROR' : ratio <= target.max ? 'PASS' : 'FAIL'
  return {id, command, project, baseline: bare, ratio, target: {ratioAtMost: target.max}, status}
}

function throughputResult(t) {
  const status = t.error ? 'ERROR' : t.medianMs < TARGETS.throughput.below ? 'PASS' : 'FAIL'
  return {
    id: 'throughput',
    command: "buildPlan({templates: ['ubuntu-2204'], count: 1000, name: 'web{{index}}'})",
    project: t,
    baseline: null,
    ratio: null,
    target: {medianMsBelow: TARGETS.throughput.below},
    status,
  }
}

const fmt = (v) => (v === null || v === undefined ? '-' : v.toFixed(1))
const spread = (s) => (s && !s.error ? `${fmt(s.p25Ms)}-${fmt(s.p75Ms)}` : '-')

function printTable(results, meta) {
  const rows = [
    ['metric', 'hvguest ms', 'p25-p75', 'bare ms', 'p25-p75', 'ratio', 'target', 'result'],
    ...results.map((r) => [
      r.label,
      r.project.error ? 'error' : fmt(r.project.medianMs),
      spread(r.project),
      r.baseline ? (r.baseline.error ? 'error' : fmt(r.baseline.medianMs)) : '',
      r.baseline ? spread(r.baseline) : '',
      r.ratio === null ? (r.baseline ? '-' : '') : `${r.ratio.toFixed(2)}x`,
      r.targetLabel,
      r.status,
    ]),
  ]
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)))
  const line = (row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')
  const out = []
  out.push(`hvguest bench: ${meta.runs} interleaved rounds, buildPlan median of ${meta.planRuns}; node ${meta.node}, ${meta.platform}, ${meta.cpu}`)
  out.push('')
  out.push(line(rows[0]))
  out.push(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const row of rows.slice(1)) out.push(line(row))
  out.push('')
  out.push('Medians in milliseconds (wall clock, spawn to exit for the CLI rows); p25-p75 shows the noise.')
  for (const r of results) if (r.project.error || r.baseline?.error) out.push(`${r.label}: ${r.project.error ?? r.baseline.error}`)
  if (!meta.projectBuilt) out.push(`note: ${join(ROOT, 'dist')} is missing: the hvguest rows measure an unbuilt CLI (npm run bench builds first).`)
  if (!meta.projectManifest) out.push(`note: ${join(ROOT, 'oclif.manifest.json')} is missing, so hvguest ran without its manifest (npm run build generates it).`)
  process.stdout.write(`${out.join('\n')}\n`)
}

// ------------------------------------------------------------------ main

async function main() {
  const meta = {
    node: process.version,
    platform: `${platform()} ${arch()}`,
    cpu: `${cpus()[0]?.model?.trim() ?? 'unknown CPU'} x${cpus().length}`,
    loadAverage: loadavg().map((v) => Math.round(v * 100) / 100),
    runs: RUNS,
    planRuns: PLAN_RUNS,
    root: ROOT,
    projectBuilt: existsSync(join(ROOT, 'dist')),
    projectManifest: existsSync(join(ROOT, 'oclif.manifest.json')),
    startedAt: new Date().toISOString(),
  }

  log('bench: generating the baseline oclif manifest')
  prepareBaseline()
  log(`bench: ${RUNS} rounds of ${contenders.map((c) => c.id).join(', ')}`)
  const cli = measureCli()
  log(`bench: buildPlan x1000 guests, 1 warm-up + ${PLAN_RUNS} timed`)
  const throughput = await measureThroughput()

  const results = [
    {...ratioResult('version', 'node bin/run.js --version | node bench/bare/bin/run.js --version', cli['version/project'], cli['version/bare'], TARGETS.version), label: '--version (cold start)', targetLabel: TARGETS.version.label},
    {...ratioResult('plan', 'node bin/run.js plan ubuntu-2204 | node bench/bare/bin/run.js hello', cli['plan/project'], cli['plan/bare'], TARGETS.plan), label: 'plan ubuntu-2204 vs hello', targetLabel: TARGETS.plan.label},
    {...throughputResult(throughput), label: 'buildPlan, 1000 guests', targetLabel: TARGETS.throughput.label},
  ]
  const pass = results.every((r) => r.status === 'PASS')

  if (opts.json) {
    const clean = results.map(({label, targetLabel, ...r}) => r)
    process.stdout.write(`${JSON.stringify({apiVersion: 'hvguest/v1', kind: 'BenchResult', meta, results: clean, pass}, null, 2)}\n`)
  } else {
    printTable(results, meta)
  }
  return opts.check && !pass ? 1 : 0
}

main().then(
  (code) => process.exit(code),
  (error) => {
    log(`bench: ${error.message}`)
    process.exit(2)
  },
)
