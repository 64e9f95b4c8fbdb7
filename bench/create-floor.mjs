// npm run bench (third part): hvguest create against its floor. The floor is a hand-written,
// straight-line pwsh script (bench/floor/New-LabGuests.ps1) that makes the same host-changing
// cmdlet calls, in the same order, for the same guests, in one pwsh process, handed the seed ISOs
// ready made: a lower bound for what `hvguest create` can take (bench/README.md says how fair).
// Each round: two fresh starter projects (`hvguest init lab`), then
//   hvguest  node bin/run.js create templates/lab-linux.yaml --count N   (in the first)
//   floor    pwsh -File bench/floor/New-LabGuests.ps1 ...                 (in the second)
// in alternating order (AB, BA, ...), wall clock from spawn to exit, a fresh process each; then
// both hosts must hold the same layout (bench/lib/emulated-layout.mjs).
// Flags: --rounds N (default 5), --guests N (default 10), --json, --check (exit 1 when the ratio
// is over the target or a layout differs).
import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {cpus, tmpdir} from 'node:os'
import {join} from 'node:path'
import {gunzipSync} from 'node:zlib'
import {REPO, EMULATOR_MODULES, flag, value, log, productPwsh, starterProject, summary, loadAverage} from './lib/common.mjs'
import {layoutDifferences, layoutOf, readEmulatedHost} from './lib/emulated-layout.mjs'
import {withoutIsoDates} from './lib/iso-dates.mjs'

const ROUNDS = value('--rounds', 5)
const GUESTS = value('--guests', 10)
const TARGET = 1.3
const TEMPLATE = 'templates/lab-linux.yaml'
const FLOOR_SCRIPT = join(REPO, 'bench', 'floor', 'New-LabGuests.ps1')

const PWSH = await productPwsh()
const {buildPlan} = await import('../dist/plan/build-plan.js')
const {seedMediaList} = await import('../dist/resolve/firstboot/index.js')
const {buildIso} = await import('../dist/media/iso9660.js')

/** The image bytes of one seed media entry of a create-guest request, in either shape it has had. */
function imageOf(media) {
  if (typeof media.gzipBase64 === 'string') return gunzipSync(Buffer.from(media.gzipBase64, 'base64'))
  if (typeof media.contentBase64 === 'string') return Buffer.from(media.contentBase64, 'base64')
  throw new Error(`seed media for ${media.path} carries neither gzipBase64 nor contentBase64`)
}

/**
 * The floor's seed ISOs, made before it is timed from the plan hvguest makes in that project
 * (buildPlan, then seedMediaList per guest, as src/execute/create-steps.ts does), one file per
 * guest named as on the host.
 */
async function floorMedia(project) {
  const plan = await buildPlan({templates: [TEMPLATE], count: GUESTS, sets: [], cwd: project.dir})
  if (plan.summary.errors > 0) throw new Error(`the plan of ${TEMPLATE} has errors: ${JSON.stringify(plan.diagnostics)}`)
  mkdirSync(project.media)
  for (const g of plan.guests) for (const m of seedMediaList(g)) writeFileSync(join(project.media, m.path.split('\\').pop()), imageOf(m))
}

function timed(what, file, argv, cwd) {
  const start = performance.now()
  const r = spawnSync(file, argv, {cwd, encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}})
  const ms = performance.now() - start
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}): ${r.stdout}${r.stderr}`)
  return ms
}

const runHvguest = (p) => timed('hvguest create', process.execPath, [join(REPO, 'bin', 'run.js'), 'create', TEMPLATE, '--count', String(GUESTS)], p.dir)
const runFloor = (p) =>
  timed('the floor script', PWSH, ['-NoProfile', '-NonInteractive', '-File', FLOOR_SCRIPT, '-Count', String(GUESTS), '-StateFile', p.state, '-MediaFolder', p.media, '-ModulePath', EMULATOR_MODULES], p.dir)

/**
 * Proof that the layout check can fail: the same host read twice, once with one VM's memory
 * changed, must show exactly that difference; and two seed ISOs that differ only in their date
 * must compare equal while one file's content changed must not.
 */
function selfTest(host) {
  const problems = []
  // Only the state is copied: the files stay the same Buffers (structuredClone would make them
  // Uint8Arrays, which the layout does not read as files).
  const copy = () => ({...host, state: structuredClone(host.state)})
  const changed = copy()
  const vm = changed.state.vms[Math.floor(changed.state.vms.length / 2)]
  vm.memory.startupBytes += 1024 ** 3
  const found = layoutDifferences(layoutOf(host), layoutOf(changed))
  const expected = `vms.${vm.name}.memory.startupBytes`
  if (found.length !== 1 || !found[0].startsWith(expected + ':')) problems.push(`a changed ${expected} was reported as ${JSON.stringify(found)}`)
  if (layoutDifferences(layoutOf(host), layoutOf(copy())).length > 0) problems.push('a host differs from its own copy')
  const files = [{name: 'user-data', content: 'a'}, {name: 'meta-data', content: 'b'}]
  const iso = (f, date) => withoutIsoDates(buildIso({volumeId: 'cidata', files: f, date: new Date(date)}))
  if (!iso(files, '2026-01-01T00:00:00Z').equals(iso(files, '2027-06-07T08:09:10Z'))) problems.push('two seed ISOs differing only in their date compare different')
  if (iso(files, '2026-01-01T00:00:00Z').equals(iso([files[0], {name: 'meta-data', content: 'c'}], '2026-01-01T00:00:00Z'))) problems.push('two seed ISOs with different files compare equal')
  return {pass: problems.length === 0, detected: found[0] ?? null, problems}
}

const load = loadAverage
log(`bench: create ${GUESTS} guests, hvguest against the floor script, ${ROUNDS} rounds (pwsh ${PWSH})`)
const loadStart = load()
const samples = {hvguest: [], floor: []}
let firstMismatch = null
let check = null
for (let round = 0; round < ROUNDS; round++) {
  const root = mkdtempSync(join(tmpdir(), 'hvguest-bench-floor-'))
  try {
    const ours = starterProject(root, 'hvguest')
    const floor = starterProject(root, 'floor')
    await floorMedia(floor)
    const order = round % 2 === 0 ? ['hvguest', 'floor'] : ['floor', 'hvguest']
    for (const side of order) samples[side].push(side === 'hvguest' ? runHvguest(ours) : runFloor(floor))
    const oursHost = readEmulatedHost(ours.state)
    const differences = layoutDifferences(layoutOf(oursHost), layoutOf(readEmulatedHost(floor.state)))
    if (differences.length > 0 && !firstMismatch) firstMismatch = {round: round + 1, differences}
    check ??= selfTest(oursHost)
    log(`  round ${round + 1} (${order.join(' then ')}): hvguest ${Math.round(samples.hvguest.at(-1))} ms, floor ${Math.round(samples.floor.at(-1))} ms, layout ${differences.length === 0 ? 'same' : 'DIFFERENT'}`)
  } finally {
    rmSync(root, {recursive: true, force: true})
  }
}

const hvguest = summary(samples.hvguest)
const floorResult = summary(samples.floor)
const ratio = hvguest.medianMs / floorResult.medianMs
const sameLayout = firstMismatch === null
const result = {
  guests: GUESTS,
  rounds: ROUNDS,
  machine: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
  loadAverage: {start: loadStart, end: load()},
  hvguest,
  floor: floorResult,
  ratio: Number(ratio.toFixed(2)),
  target: TARGET,
  sameLayout,
  layoutDifferences: firstMismatch,
  layoutCheckSelfTest: check,
  pass: ratio <= TARGET && sameLayout && check.pass,
}
if (flag('--json')) console.log(JSON.stringify(result, null, 2))
else {
  const pass = (b) => (b ? 'PASS' : 'FAIL')
  const row = (name, s) => `  ${name.padEnd(8)} ${String(s.medianMs).padStart(7)} ms   p25-p75 ${s.p25Ms}-${s.p75Ms}`
  console.log(`\ncreate ${GUESTS} guests (${TEMPLATE}, fresh starter project each), hvguest against the floor, ${ROUNDS} rounds`)
  console.log(row('hvguest', hvguest))
  console.log(row('floor', floorResult))
  console.log(`  ratio    ${result.ratio.toFixed(2)}x              target <= ${TARGET}x: ${pass(ratio <= TARGET)}`)
  console.log(`  load average ${loadStart.join(' ')} (start), ${result.loadAverage.end.join(' ')} (end); ${result.machine}`)
  console.log(`  same layout both ways, every round: ${pass(sameLayout)}${sameLayout ? '' : ` (round ${firstMismatch.round}, hvguest | floor)`}`)
  if (!sameLayout) for (const d of firstMismatch.differences) console.log(`    ${d}`)
  console.log(`  layout check self-test (one VM's memory changed is reported): ${pass(check.pass)}${check.pass ? '' : ': ' + check.problems.join('; ')}`)
}
if (flag('--check') && !result.pass) process.exit(1)
