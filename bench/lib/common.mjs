// What the create and session benches (bench/create-batch.mjs, create-floor.mjs, create-price.mjs,
// session-start.mjs) share: where the
// repository is, their command-line flags, progress on stderr, the pwsh the product itself would
// start, and running the built hvguest CLI.
import {spawnSync} from 'node:child_process'
import {mkdirSync} from 'node:fs'
import {loadavg} from 'node:os'
import {join, dirname} from 'node:path'
import {fileURLToPath} from 'node:url'

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const EMULATOR_MODULES = join(REPO, 'ps', 'emulator')

const args = process.argv.slice(2)
/** Whether a switch such as --json was given. */
export const flag = (name) => args.includes(name)
/** The number after a flag such as --rounds 5, or the default. */
export const value = (name, d) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : d)

/** Progress goes to stderr, so that stdout stays the report (or the --json document). */
export const log = (s) => process.stderr.write(s + '\n')

/** The product's own pwsh lookup (the benches run after `npm run build`). */
export async function productPwsh() {
  const {findPwsh} = await import('../../dist/powershell/find-pwsh.js')
  return findPwsh()
}

/** The built CLI (`node bin/run.js ...`) in folder dir, to its exit. */
export const cli = (dir, argv) => spawnSync(process.execPath, [join(REPO, 'bin', 'run.js'), ...argv], {cwd: dir, encoding: 'utf8'})

/**
 * A fresh starter project, as a user makes one: `hvguest init lab` in a new folder root/name.
 * dir is the project, state its emulated host's state file.
 */
export function starterProject(root, name) {
  const dir = join(root, name)
  mkdirSync(dir)
  const r = cli(dir, ['init', 'lab'])
  if (r.status !== 0) throw new Error(`hvguest init lab failed: ${r.stdout}${r.stderr}`)
  const project = join(dir, 'lab')
  return {dir: project, state: join(project, '.hvguest', 'emulator-state.json'), media: join(dir, 'media')}
}

/** The q-quantile of sorted samples, interpolated. */
export function quantile(sorted, q) {
  const at = (sorted.length - 1) * q
  const lo = Math.floor(at)
  return sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (at - lo)
}

/** Median and middle half of samples in ms, rounded, with the samples. */
export function summary(samples) {
  const s = [...samples].sort((a, b) => a - b)
  const r = (v) => Math.round(v)
  return {medianMs: r(quantile(s, 0.5)), p25Ms: r(quantile(s, 0.25)), p75Ms: r(quantile(s, 0.75)), samplesMs: samples.map(r)}
}

/** The load average now (1, 5, 15 minutes), for the report. */
export const loadAverage = () => loadavg().map((l) => Number(l.toFixed(2)))

/** The `web` guest template the create benches build (create-batch.mjs, scale.mjs): one of everything a guest has. */
export const WEB_TEMPLATE = [
  'apiVersion: hvguest/v1',
  'kind: GuestTemplate',
  'metadata: { name: web }',
  'spec:',
  '  os: { family: linux, distro: ubuntu, version: "22.04" }',
  '  processors: 2',
  '  memory: { startup: 2GB }',
  '  bootDisk: { size: 20GB }',
  '  dataDisks:',
  '    - { name: "data{{index}}", count: 2, size: 10GB, blockSize: 1MB }',
  '  dvdDrives: [ {} ]',
  '  networkAdapters: [ { switch: Lab, vlan: 20 } ]',
  '  integration: { services: { guestServiceInterface: true } }',
  '',
].join('\n')
