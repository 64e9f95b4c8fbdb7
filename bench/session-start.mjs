// Session start: what `connecting` costs before a host's first request, against pwsh's own start.
//
//   node bench/session-start.mjs             # 10 rounds (needs a current build)
//   node bench/session-start.mjs --rounds 20
//   node bench/session-start.mjs --json
//
// Each round, in a rotating order, on the starter project's emulated host (`hvguest init lab`):
//   bare      pwsh -NoProfile -NonInteractive -Command exit: pwsh's own start and exit
//   emulator  the same pwsh importing the emulator and pointing it at the state file, as the floor
//             script does (bench/floor/New-LabGuests.ps1) before its first cmdlet
//   session   what hvguest does for `connecting`: the pwsh process the session keeps
//             (node-powershell, `-Command -`) and its pid probe (PwshProcess.start), then the
//             bootstrap line (ps/HvGuest/Bootstrap.ps1: the emulator, then the runtime module),
//             until the runtime answers. Timed in this process, as the CLI's session is.
// The session's two parts are reported apart. Nothing here has a target: the row says how much of
// a session's start is pwsh's own (docs/execution.md, "Session start").
import {mkdtempSync, rmSync} from 'node:fs'
import {spawnSync} from 'node:child_process'
import {cpus, tmpdir} from 'node:os'
import {join} from 'node:path'
import {randomBytes} from 'node:crypto'
import {EMULATOR_MODULES, flag, value, log, productPwsh, starterProject, summary, loadAverage} from './lib/common.mjs'

const ROUNDS = value('--rounds', 10)
const PWSH = await productPwsh()
const {PwshProcess} = await import('../dist/powershell/pwsh-process.js')
const {hostSideFor} = await import('../dist/powershell/transports.js')
const {runtimeFiles} = await import('../dist/powershell/bootstrap.js')
const {parseProtocol} = await import('../dist/powershell/protocol.js')

const root = mkdtempSync(join(tmpdir(), 'hvguest-bench-session-'))
const {state: stateFile} = starterProject(root, 'p')
const host = {name: 'lab-emu', transport: 'emulator', entry: {name: 'lab-emu', transport: 'emulator', emulator: {stateFile}}}
const side = hostSideFor(host, {files: () => runtimeFiles()})

const psString = (s) => `'${s.replaceAll("'", "''")}'`
const EMULATOR_ONLY = [
  `$m = ${psString(EMULATOR_MODULES)}`,
  '$env:PSModulePath = $m + [IO.Path]::PathSeparator + $env:PSModulePath',
  "Import-Module -Name ([IO.Path]::Combine($m, 'HvEmulator', 'HvEmulator.psd1')) -Global -Force | Out-Null",
  `Initialize-HvEmulator -StateFile ${psString(stateFile)} | Out-Null`,
].join('; ')

function spawnTimed(what, argv) {
  const start = performance.now()
  const r = spawnSync(PWSH, ['-NoProfile', '-NonInteractive', ...argv], {encoding: 'utf8'})
  const ms = performance.now() - start
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}): ${r.stdout}${r.stderr}`)
  return ms
}

async function session() {
  const start = performance.now()
  const proc = await PwshProcess.start(PWSH, side.env)
  const started = performance.now()
  const marker = `hvguest-ready-${randomBytes(8).toString('hex')}`
  const out = await proc.run(side.bootstrapLine(marker), {timeoutMs: 120_000})
  const ready = performance.now()
  await proc.kill()
  const {result} = parseProtocol(out.stdout)
  if (out.status !== 'done' || !out.stdout.includes(marker) || !result?.ok) throw new Error(`the session did not start: ${out.status} ${out.stdout}${out.stderr}`)
  return {total: ready - start, pwsh: started - start, bootstrap: ready - started}
}

const load = loadAverage

log(`bench: session start against bare pwsh, ${ROUNDS} rounds (pwsh ${PWSH})`)
const loadStart = load()
const samples = {bare: [], emulator: [], session: [], sessionPwsh: [], sessionBootstrap: []}
const runners = {
  bare: () => samples.bare.push(spawnTimed('bare pwsh', ['-Command', 'exit'])),
  emulator: () => samples.emulator.push(spawnTimed('the emulator import', ['-Command', EMULATOR_ONLY])),
  session: async () => {
    const s = await session()
    samples.session.push(s.total)
    samples.sessionPwsh.push(s.pwsh)
    samples.sessionBootstrap.push(s.bootstrap)
  },
}
try {
  for (const name of Object.keys(runners)) await runners[name]() // once, unmeasured: warms the disk cache, checks each works
  for (const k of Object.keys(samples)) samples[k].length = 0
  const names = Object.keys(runners)
  for (let round = 0; round < ROUNDS; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length])
    for (const name of order) await runners[name]()
  }
} finally {
  rmSync(root, {recursive: true, force: true})
}

const result = {
  rounds: ROUNDS,
  machine: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
  loadAverage: {start: loadStart, end: load()},
  bare: summary(samples.bare),
  emulatorOnly: summary(samples.emulator),
  session: summary(samples.session),
  sessionParts: {pwshStart: summary(samples.sessionPwsh), bootstrap: summary(samples.sessionBootstrap)},
}
result.ratio = Number((result.session.medianMs / result.bare.medianMs).toFixed(2))
if (flag('--json')) console.log(JSON.stringify(result, null, 2))
else {
  const row = (name, s) => `  ${name.padEnd(34)} ${String(s.medianMs).padStart(6)} ms   p25-p75 ${s.p25Ms}-${s.p75Ms}`
  console.log(`\nsession start on an emulated host (starter project), against bare pwsh, ${ROUNDS} rounds`)
  console.log(row('bare: pwsh -Command exit', result.bare))
  console.log(row('floor: pwsh + the emulator import', result.emulatorOnly))
  console.log(row('hvguest session, until ready', result.session))
  console.log(row('  of it: pwsh start + pid probe', result.sessionParts.pwshStart))
  console.log(row('  of it: bootstrap line', result.sessionParts.bootstrap))
  console.log(`  session / bare: ${result.ratio.toFixed(2)}x; load average ${loadStart.join(' ')} (start), ${result.loadAverage.end.join(' ')} (end); ${result.machine}`)
}
