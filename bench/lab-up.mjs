#!/usr/bin/env node
/**
 * `lab up` against `create` of the same guests, and a no-op second `lab up` (part of `npm run bench`).
 *
 * In one starter project (`hvguest init lab`, its emulated host), each run starts from the same
 * fresh emulated host (state file and drives) and runs, interleaved (A B / B A, alternating):
 *   A  `hvguest lab up bench-lab.yaml --json`: a 10-guest lab on an internal NAT network with
 *      static addresses (the run makes the switch, the gateway address, the NetNat, the guests
 *      and the lab's record);
 *   B  `hvguest create lab-linux --count 10 --name "web{{index}}" --json`: the same 10 guests
 *      on the starter's existing switch.
 * Then, after an A, a second `lab up` of the same file: the no-op. Its time, and its round
 * trips per host (the `requests` of its sessions, from its --json; target: one, the facts).
 *
 * Target: lab up <= 1.2x create. Medians of the rounds; the load average is in the report.
 *
 * Usage: node bench/lab-up.mjs [--rounds N] [--json] [--check]
 */
import {cpSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {performance} from 'node:perf_hooks'
import {cli, flag, loadAverage, log, starterProject, summary, value} from './lib/common.mjs'

const ROUNDS = value('--rounds', 3)
const GUESTS = 10
const TARGET = 1.2

const LAB = `apiVersion: hvguest/v1
kind: Lab
metadata: { name: bench }
spec:
  prefix: bench-
  networks:
    - { name: lan, type: internal, subnet: 10.231.0.0/24, gateway: 10.231.0.1, nat: true, dns: [10.231.0.1] }
  guests:
    - name: "web{{index}}"
      count: ${GUESTS}
      template: lab-linux
      networks:
        - { network: lan, address: 10.231.0.10/24 }
`

const root = mkdtempSync(join(tmpdir(), 'hvg-bench-lab-'))
try {
  const project = starterProject(root, 'p')
  writeFileSync(join(project.dir, 'bench-lab.yaml'), LAB)
  // The emulated host is its state file and its drives: both are put back before each run.
  const hostDir = join(project.dir, '.hvguest')
  const fresh = join(root, 'fresh-host')
  cpSync(hostDir, fresh, {recursive: true})
  const restore = () => {
    rmSync(hostDir, {recursive: true, force: true})
    cpSync(fresh, hostDir, {recursive: true})
  }

  const timed = (argv) => {
    restore()
    const t0 = performance.now()
    const r = cli(project.dir, argv)
    const ms = performance.now() - t0
    if (r.status !== 0) throw new Error(`hvguest ${argv.join(' ')} exited ${r.status}: ${r.stdout.slice(-2000)}${r.stderr.slice(-2000)}`)
    return {ms, json: JSON.parse(r.stdout)}
  }
  const labUp = ['lab', 'up', 'bench-lab.yaml', '--json']
  const create = ['create', 'lab-linux', '--count', String(GUESTS), '--name', 'web{{index}}', '--json']

  const samples = {labUp: [], create: [], noop: []}
  const noopRequests = []
  log(`lab up vs create, ${GUESTS} guests, ${ROUNDS} rounds (load ${loadAverage().join(' ')})`)
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? ['labUp', 'create'] : ['create', 'labUp']
    for (const which of order) {
      const r = timed(which === 'labUp' ? labUp : create)
      samples[which].push(r.ms)
      if (which === 'labUp') {
        // The no-op: the same file again, on the state the up left.
        const t0 = performance.now()
        const again = cli(project.dir, labUp)
        samples.noop.push(performance.now() - t0)
        if (again.status !== 0) throw new Error(`second lab up exited ${again.status}: ${again.stdout.slice(-2000)}`)
        const doc = JSON.parse(again.stdout)
        if (doc.status !== 'unchanged') throw new Error(`second lab up was not a no-op: status ${doc.status}`)
        noopRequests.push(Math.max(...doc.sessions.map((s) => s.requests)))
      }
      log(`  round ${round + 1} ${which}: ${Math.round(r.ms)} ms`)
    }
  }
  const a = summary(samples.labUp)
  const b = summary(samples.create)
  const ratio = Number((a.medianMs / b.medianMs).toFixed(2))
  const report = {
    guests: GUESTS,
    rounds: ROUNDS,
    load: loadAverage(),
    labUp: a,
    create: b,
    ratio,
    target: `<= ${TARGET}x`,
    met: ratio <= TARGET,
    noop: {...summary(samples.noop), roundTripsPerHost: Math.max(...noopRequests), target: 'one round trip per host'},
  }
  if (flag('--json')) process.stdout.write(JSON.stringify(report, null, 2) + '\n')
  else {
    log(`lab up ${a.medianMs} ms vs create ${b.medianMs} ms: ${ratio}x (target <= ${TARGET}x: ${report.met ? 'met' : 'MISSED'})`)
    log(`no-op lab up ${report.noop.medianMs} ms, ${report.noop.roundTripsPerHost} round trip(s) per host`)
  }
  if (flag('--check') && (!report.met || report.noop.roundTripsPerHost !== 1)) process.exitCode = 1
} finally {
  rmSync(root, {recursive: true, force: true})
}
