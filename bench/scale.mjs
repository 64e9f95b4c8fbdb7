// npm run bench (last part): how a run scales, in one run, three ratios side by side:
//   hosts   `hvguest create web --count 50 --name "web{{index}}"` over 5 emulated hosts (one
//           inventory, each host its own state file, all alike; no --host, so each guest goes
//           where the most memory is free, 10 per host) against `--count 10` on 1 emulated host,
//           same template.
//           Hosts run in parallel, one session each, so the target is a ratio <= 1.3.
//   memory  the peak RSS of the CLI's node process during the 50-guest run, and the summed peaks
//           of its children (per host a .tools/pwsh launcher and the dotnet running pwsh.dll),
//           apart: the node process holds the plan and the sessions' bookkeeping, which grow with
//           the guests; the pwsh processes are the hosts'.
//   ssh     one guest on an emulated host reached over `transport: ssh` (a real sshd on
//           127.0.0.1, test/helpers/local-sshd.mjs, the tests' recipe) against the same guest on a local emulated host: the
//           wall-time ratio and the round trips per guest (as bench/create-batch.mjs counts them).
//           The first ssh run stages the runtime in the far side's cache; it runs once, untimed,
//           before the rounds, so the rounds measure a warm cache.
// Every run starts from the same fresh host state (a copy of one pristine state), wall clock from
// spawn to exit. Each round runs all four in one order, the next round in the reverse order, so
// that machine load lands on both sides of a ratio alike; medians of the rounds are reported.
// Peak RSS: /usr/bin/time -v's "Maximum resident set size" when /usr/bin/time is there (it is the
// largest of the CLI and the children it waited for, so it is reported as the tree's peak), and
// VmHWM from /proc/<pid>/status, polled every 20 ms, for the node process and each descendant on
// its own (VmHWM is a high-water mark, so polling misses only a rise in the last 20 ms, and a
// process that lives less than 20 ms). The children's peaks are summed: an upper bound of what
// they held at one time.
// Flags: --rounds N (default 3), --json, --check (exit 1 when the hosts ratio is over 1.3).
import {spawn, spawnSync} from 'node:child_process'
import {cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {cpus, tmpdir} from 'node:os'
import {join} from 'node:path'
import {REPO, EMULATOR_MODULES, flag, value, log, productPwsh, summary, loadAverage, WEB_TEMPLATE} from './lib/common.mjs'
import {startSshd} from '../test/helpers/local-sshd.mjs'

const ROUNDS = value('--rounds', 3)
const HOSTS = 5
const PER_HOST = 10
const TARGET = 1.3
// Round trips: preflight, begin and commit once per host, then one per guest (as create-batch.mjs
// counts them); a run over several hosts asks each host's free memory first (placement,
// docs/placement.md) and commits in two phases, a prepare per host first
// (src/execute/create-commit.ts), so two more per host there.
const perHostOverhead = (hosts) => (hosts > 1 ? 5 : 3)

const PWSH = await productPwsh()
// `command -v` in sh (dash here): bash's `time` keyword would hide the program.
const TIME = spawnSync('sh', ['-c', 'command -v /usr/bin/time'], {encoding: 'utf8'}).stdout.trim() || null


/** A project whose inventory holds one host per entry; each host's state lives in its own folder. */
function project(root, name, entries) {
  const dir = join(root, name)
  mkdirSync(join(dir, 'templates'), {recursive: true})
  writeFileSync(join(dir, 'templates', 'web.yaml'), WEB_TEMPLATE)
  const hosts = entries.map((extra, i) => {
    // Its own folder per host: the drives sit beside the state file, and with them the host's
    // lock and journals (C:\Hyper-V\.hvguest), which two hosts must not share.
    const folder = join(dir, '.hvguest', `h${i + 1}`)
    return {folder, entry: {name: `emu${i + 1}`, transport: 'emulator', os: 'windows-server-2022', vmRoot: 'C:\\Hyper-V', switches: ['Lab'], emulator: {stateFile: join(folder, 'emulator-state.json')}, ...extra}}
  })
  // JSON is YAML: the inventory needs no writer of its own.
  writeFileSync(join(dir, 'hosts.yaml'), JSON.stringify({apiVersion: 'hvguest/v1', kind: 'HostInventory', hosts: hosts.map((h) => h.entry)}, null, 2))
  return {dir, folders: hosts.map((h) => h.folder)}
}

/** Every host of p back to the pristine state (its state file and drives). */
function reset(p, pristine) {
  for (const f of p.folders) {
    rmSync(f, {recursive: true, force: true})
    cpSync(pristine, f, {recursive: true})
  }
}

const kb = (status, key) => Number(status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'))?.[1] ?? 0)
const read = (file) => {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return '' // the process ended between the listing and the read
  }
}
/** The direct children of pid, from every one of its threads. */
function children(pid) {
  let tasks = []
  try {
    tasks = readdirSync(`/proc/${pid}/task`)
  } catch {
    return []
  }
  return tasks.flatMap((t) => read(`/proc/${pid}/task/${t}/children`).split(' ').filter(Boolean).map(Number))
}

/**
 * The built CLI in dir, to its exit: wall time, round trips from its --json, and peak RSS (kB): the
 * node process's own VmHWM, its descendants' VmHWM summed, and /usr/bin/time's figure when it
 * wraps the run.
 */
function run(dir, argv) {
  const timeFile = join(dir, '.time-v')
  const cli = [process.execPath, join(REPO, 'bin', 'run.js'), ...argv]
  const [file, ...args] = TIME ? [TIME, '-v', '-o', timeFile, ...cli] : cli
  return new Promise((resolve, reject) => {
    const start = performance.now()
    const child = spawn(file, args, {cwd: dir, env: {...process.env, NO_COLOR: '1'}, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (b) => (stdout += b))
    child.stderr.on('data', (b) => (stderr = (stderr + b).slice(-4000)))
    const peaks = {node: 0, children: new Map()}
    let nodePid = TIME ? null : child.pid
    const poll = () => {
      nodePid ??= children(child.pid)[0] ?? null
      if (nodePid === null) return
      peaks.node = Math.max(peaks.node, kb(read(`/proc/${nodePid}/status`), 'VmHWM'))
      const walk = (pid) => {
        for (const c of children(pid)) {
          peaks.children.set(c, Math.max(peaks.children.get(c) ?? 0, kb(read(`/proc/${c}/status`), 'VmHWM')))
          walk(c)
        }
      }
      walk(nodePid)
    }
    const timer = setInterval(poll, 20)
    child.once('error', reject)
    child.once('close', (code) => {
      const ms = performance.now() - start
      clearInterval(timer)
      if (code !== 0) return reject(new Error(`hvguest ${argv.join(' ')} exited ${code}: ${stdout.slice(-2000)}${stderr}`))
      const timeV = TIME ? readFileSync(timeFile, 'utf8') : ''
      const field = (name) => Number(timeV.match(new RegExp(`${name}: ([\\d.]+)`))?.[1])
      const tree = TIME ? field('Maximum resident set size \\(kbytes\\)') : null
      // CPU time of the whole tree: whether a ratio is the cores' limit, not the product's.
      const cpuMs = TIME ? Math.round((field('User time \\(seconds\\)') + field('System time \\(seconds\\)')) * 1000) : null
      const json = JSON.parse(stdout)
      const requests = json.sessions.reduce((n, s) => n + s.requests, 0)
      const guests = json.guests.length
      resolve({
        ms,
        cpuMs,
        guests,
        requests,
        roundTripsPerGuest: (requests - perHostOverhead(json.sessions.length) * json.sessions.length) / guests,
        rssKb: {node: peaks.node, children: [...peaks.children.values()].reduce((a, b) => a + b, 0), childProcesses: peaks.children.size, tree},
      })
    })
  })
}

const root = mkdtempSync(join(tmpdir(), 'hvguest-bench-scale-'))
let sshd = null
try {
  const pristine = join(root, 'pristine')
  const made = spawnSync(
    PWSH,
    ['-NoProfile', '-NonInteractive', '-Command', "$env:PSModulePath = $env:M + [IO.Path]::PathSeparator + $env:PSModulePath; Import-Module HvEmulator; New-HvEmulatorState -Path $env:S -Switches @('Lab') | Out-Null"],
    {encoding: 'utf8', env: {...process.env, M: EMULATOR_MODULES, S: join(pristine, 'emulator-state.json')}},
  )
  if (made.status !== 0) throw new Error(`New-HvEmulatorState failed: ${made.stderr}${made.stdout}`)
  sshd = await startSshd()
  const p = {
    five: project(root, 'five', Array(HOSTS).fill({})),
    one: project(root, 'one', [{}]),
    ssh: project(root, 'ssh', [sshd.hostKeys()]),
    local: project(root, 'local', [{}]),
  }
  const argv = {
    five: ['create', 'web', '--count', String(HOSTS * PER_HOST), '--name', 'web{{index}}', '--json'],
    one: ['create', 'web', '--count', String(PER_HOST), '--name', 'web{{index}}', '--json'],
    ssh: ['create', 'web', '--name', 'web1', '--json'],
    local: ['create', 'web', '--name', 'web1', '--json'],
  }
  const timed = (side) => (reset(p[side], pristine), run(p[side].dir, argv[side]))

  log(`bench: scale, ${ROUNDS} rounds (pwsh ${PWSH}; peak RSS by ${TIME ? `${TIME} -v and ` : ''}/proc VmHWM polling; sshd pid ${sshd.pid} on 127.0.0.1:${sshd.port})`)
  const loadStart = loadAverage()
  log('bench: ssh warm-up (stages the runtime in the far side\'s cache; untimed) …')
  await timed('ssh')
  const samples = {five: [], one: [], ssh: [], local: []}
  const ORDER = ['five', 'one', 'ssh', 'local']
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? ORDER : [...ORDER].reverse()
    for (const side of order) samples[side].push(await timed(side))
    log(`  round ${round + 1} (${order.join(', ')}): ${order.map((s) => `${s} ${Math.round(samples[s].at(-1).ms)} ms`).join(', ')}`)
  }

  const med = (xs) => summary(xs).medianMs
  // CPU only where the whole run is the CLI's tree: over ssh the far side's pwsh is sshd's child.
  const sideOf = (s, cpu = true) => ({
    ...summary(samples[s].map((r) => r.ms)),
    cpuMedianMs: TIME && cpu ? med(samples[s].map((r) => r.cpuMs)) : null,
    guests: samples[s][0].guests,
    requests: samples[s][0].requests,
    roundTripsPerGuest: samples[s][0].roundTripsPerGuest,
  })
  const ratio = (a, b) => Number((med(samples[a].map((r) => r.ms)) / med(samples[b].map((r) => r.ms))).toFixed(2))
  const rss = (key) => (samples.five[0].rssKb[key] === null ? null : Math.round(med(samples.five.map((r) => r.rssKb[key])) / 1024))
  const result = {
    rounds: ROUNDS,
    machine: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
    loadAverage: {start: loadStart, end: loadAverage()},
    hosts: {fiveHosts: sideOf('five'), oneHost: sideOf('one'), ratio: ratio('five', 'one'), target: TARGET, pass: ratio('five', 'one') <= TARGET, coreBound: null},
    memory: {
      method: TIME ? `${TIME} -v (tree) and /proc/<pid>/status VmHWM polled every 20 ms (node, each child)` : '/proc/<pid>/status VmHWM polled every 20 ms (node, each child)',
      nodeMB: rss('node'),
      childrenSumMB: rss('children'),
      childProcesses: samples.five[0].rssKb.childProcesses,
      treeMaxMB: rss('tree'),
    },
    ssh: {warm: true, ssh: sideOf('ssh', false), local: sideOf('local', false), ratio: ratio('ssh', 'local')},
  }
  // The best ratio these cores allow for that much CPU: the 50-guest run's CPU time spread over
  // every core, against the 1-host run's wall time. Above the target, the machine misses it.
  if (TIME) result.hosts.coreBound = Number((result.hosts.fiveHosts.cpuMedianMs / cpus().length / result.hosts.oneHost.medianMs).toFixed(2))
  if (flag('--json')) console.log(JSON.stringify(result, null, 2))
  else {
    const h = result.hosts
    const cpu = (s) => (s.cpuMedianMs === null ? '' : `   CPU ${s.cpuMedianMs} ms`)
    const row = (name, s) => `  ${name.padEnd(22)} ${String(s.medianMs).padStart(7)} ms   p25-p75 ${s.p25Ms}-${s.p75Ms}${cpu(s)}   round trips per guest: ${s.roundTripsPerGuest} (${s.requests} requests)`
    console.log(`\nscale: ${ROUNDS} rounds, interleaved; ${result.machine}; load average ${loadStart.join(' ')} (start), ${result.loadAverage.end.join(' ')} (end)`)
    console.log(`hosts: ${HOSTS * PER_HOST} guests over ${HOSTS} emulated hosts against ${PER_HOST} on 1 (same template, web)`)
    console.log(row(`${HOSTS * PER_HOST} guests, ${HOSTS} hosts`, h.fiveHosts))
    console.log(row(`${PER_HOST} guests, 1 host`, h.oneHost))
    console.log(`  ratio                  ${h.ratio.toFixed(2)}x              target <= ${TARGET}x: ${h.pass ? 'PASS' : 'FAIL'}`)
    if (h.coreBound !== null) console.log(`  core-bound             ${h.coreBound.toFixed(2)}x              (the 50-guest run's CPU over ${cpus().length} cores, against the 1-host wall time: the best these cores allow)`)
    const m = result.memory
    console.log(`memory: peak RSS during the ${HOSTS * PER_HOST}-guest run (median of rounds), by ${m.method}`)
    console.log(`  the CLI (node) itself  ${m.nodeMB} MB`)
    console.log(`  its pwsh children      ${m.childrenSumMB} MB: ${m.childProcesses} processes' own peaks summed (the .tools/pwsh launchers and the dotnet each runs pwsh.dll in)`)
    if (m.treeMaxMB !== null) console.log(`  /usr/bin/time -v       ${m.treeMaxMB} MB (the largest single process of the tree, node or a pwsh)`)
    const s = result.ssh
    console.log('ssh: one guest, transport: ssh (sshd on 127.0.0.1, warm runtime cache: one untimed run first) against a local emulated host')
    console.log(row('ssh', s.ssh))
    console.log(row('local', s.local))
    console.log(`  ratio                  ${s.ratio.toFixed(2)}x`)
  }
  if (flag('--check') && !result.hosts.pass) process.exitCode = 1
} finally {
  // sshd by its pid, also when a run failed; then every project and host state.
  await sshd?.stop()
  rmSync(root, {recursive: true, force: true})
}
