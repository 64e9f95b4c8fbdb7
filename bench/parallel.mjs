// npm run bench (last part): `create --parallel N` on one emulated host. The same 10 guests of the
// starter project's lab-linux template, created in a fresh starter project each time, with 1, 2
// and 4 sessions on the host, rounds alternating so that the machine's load falls alike on each.
// Prints the median wall time of each and its ratio to one session (below 1.00 is a gain). No
// target: the emulator runs one cmdlet at a time per host (its state-file lock), so what this
// shows on an emulated host is the price of the extra sessions, not what a real host gains.
// Flags: --guests N (default 10), --rounds N (default 3), --json.
import {mkdtempSync} from 'node:fs'
import {cpus, tmpdir} from 'node:os'
import {join} from 'node:path'
import {cli, flag, loadAverage, log, starterProject, summary, value} from './lib/common.mjs'

const GUESTS = value('--guests', 10)
const ROUNDS = value('--rounds', 3)
const SESSIONS = [1, 2, 4]

const root = mkdtempSync(join(tmpdir(), 'hvguest-bench-parallel-'))
const samples = Object.fromEntries(SESSIONS.map((n) => [n, []]))
const load = loadAverage()
let made = 0
for (let round = 1; round <= ROUNDS; round++) {
  for (const n of SESSIONS) {
    const p = starterProject(root, `r${round}-p${n}`)
    const t0 = performance.now()
    const r = cli(p.dir, ['create', 'lab-linux', '--count', String(GUESTS), '--name', 'g{{index}}', '--parallel', String(n), '--json'])
    const ms = performance.now() - t0
    if (r.status !== 0) throw new Error(`create --parallel ${n} failed (${r.status}): ${r.stdout}${r.stderr}`)
    const run = JSON.parse(r.stdout)
    const created = run.guests.filter((g) => g.status === 'created').length
    if (created !== GUESTS || run.sessions.length !== Math.min(n, GUESTS)) throw new Error(`create --parallel ${n}: ${created} guests created on ${run.sessions.length} sessions`)
    samples[n].push(ms)
    made += created
    log(`bench: round ${round}, --parallel ${n}: ${Math.round(ms)} ms`)
  }
}
const one = summary(samples[1]).medianMs
const result = {
  guests: GUESTS,
  rounds: ROUNDS,
  machine: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
  loadAtStart: load,
  sessions: SESSIONS.map((n) => ({parallel: n, ...summary(samples[n]), ratioToOne: Number((summary(samples[n]).medianMs / one).toFixed(2))})),
  guestsCreated: made,
}
if (flag('--json')) console.log(JSON.stringify(result, null, 2))
else {
  console.log(`\ncreate ${GUESTS} guests on one emulated host, by sessions per host (median of ${ROUNDS}; load at start ${load.join(', ')})`)
  for (const s of result.sessions) console.log(`  --parallel ${s.parallel}  ${String(s.medianMs).padStart(6)} ms  (${s.p25Ms}-${s.p75Ms})  ${s.ratioToOne.toFixed(2)}x one session`)
}
