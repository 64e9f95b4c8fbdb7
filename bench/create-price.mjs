// What the runtime's own guarantees cost in a create run: the journal (a record before and after
// every step, so that a failure or a kill is undone) and the progress lines (one per step).
//
//   node bench/create-price.mjs              # 5 rounds (needs a current build)
//   node bench/create-price.mjs --rounds 9 --json
//
// The requests of one `create templates/lab-linux.yaml --count 10` run in a starter project are
// recorded once (createGuests in this process, as the CLI runs it, with every request written to a
// file). Each round then replays them in a fresh pwsh against a fresh starter host
// (bench/price/Invoke-Replay.ps1), three ways in a rotating order: as they are, without journal
// appends, without progress lines. The medians of each request kind (preflight, begin, a guest,
// commit) and of the whole replay say what each guarantee adds. The replay leaves Node out: its
// differences are the runtime's alone.
import {mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {spawnSync} from 'node:child_process'
import {createRequire} from 'node:module'
import {cpus, tmpdir} from 'node:os'
import {join} from 'node:path'
import {REPO, EMULATOR_MODULES, flag, value, log, productPwsh, starterProject, quantile, loadAverage} from './lib/common.mjs'

const ROUNDS = value('--rounds', 5)
const GUESTS = value('--guests', 10)
if (!(GUESTS >= 2)) throw new Error('--guests: at least 2 (the first guest and the later ones are reported apart)')
const TEMPLATE = 'templates/lab-linux.yaml'
const PWSH = await productPwsh()
const REPLAY = join(REPO, 'bench', 'price', 'Invoke-Replay.ps1')
const VARIANTS = ['nothing', 'journal', 'progress']

/** One real run's requests, in order, as files: what the session sent, byte for byte. */
async function recordRequests(root) {
  const project = starterProject(root, 'recorded')
  const folder = join(root, 'requests')
  mkdirSync(folder)
  const s = createRequire(import.meta.url)(join(REPO, 'dist', 'services-exec.cjs'))
  const cwd = process.cwd()
  process.chdir(project.dir)
  try {
    let n = 0
    const open = async (h) => {
      const session = await s.openSession(h, {inventoryFile: h.inventoryFile ?? undefined})
      const request = session.request.bind(session)
      session.request = (req, opts) => {
        writeFileSync(join(folder, `${String(n++).padStart(3, '0')}-${req.action}.json`), JSON.stringify(req))
        return request(req, opts)
      }
      return session
    }
    const planRun = (req) => s.refuseUnmanagedHosts(s.planRun(req))
    const result = await s.createGuests({templates: [TEMPLATE], count: GUESTS, sets: [], lockTimeoutSeconds: 60}, {plan: planRun, open})
    if (result.status !== 'ok') throw new Error(`the recorded run ended ${result.status}: ${JSON.stringify(result.guests.find((g) => g.error)?.error ?? result.problems)}`)
  } finally {
    process.chdir(cwd)
  }
  return {folder}
}

function replay(root, requests, variant, round) {
  const project = starterProject(root, `replay-${round}-${variant}`)
  // The recorded requests name the recorded project's state nowhere: the host is the session's.
  const config = Buffer.from(JSON.stringify({runtime: join(REPO, 'ps', 'HvGuest', 'HvGuest.psd1'), emulator: {modulePath: EMULATOR_MODULES, stateFile: project.state}})).toString('base64')
  const r = spawnSync(PWSH, ['-NoProfile', '-NonInteractive', '-File', REPLAY, '-ConfigBase64', config, '-RequestFolder', requests.folder, '-Without', variant], {encoding: 'utf8'})
  if (r.status !== 0) throw new Error(`replay without ${variant} failed: ${r.stdout}${r.stderr}`)
  return JSON.parse(r.stdout.trim().split('\n').at(-1))
}

const kindOf = (request) => {
  const action = request.replace(/^\d+-/, '')
  return action === 'create-guest' ? 'guest' : action
}
const median = (xs) => quantile([...xs].sort((a, b) => a - b), 0.5)
const load = loadAverage

const root = mkdtempSync(join(tmpdir(), 'hvguest-bench-price-'))
const loadStart = load()
const perVariant = Object.fromEntries(VARIANTS.map((v) => [v, {total: [], first: [], guest: [], preflight: [], begin: [], commit: []}]))
try {
  log(`bench: the price of the journal and of progress lines, ${GUESTS} guests, ${ROUNDS} rounds (pwsh ${PWSH})`)
  const requests = await recordRequests(root)
  log(`  recorded ${readdirSync(requests.folder).length} requests`)
  for (let round = 0; round < ROUNDS; round++) {
    const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length])
    for (const variant of order) {
      const {requests: times} = replay(root, requests, variant, round)
      const v = perVariant[variant]
      v.total.push(times.reduce((a, t) => a + t.ms, 0))
      const guests = times.filter((t) => kindOf(t.request) === 'guest')
      v.first.push(guests[0].ms)
      v.guest.push(median(guests.slice(1).map((t) => t.ms)))
      for (const k of ['preflight', 'begin', 'commit']) v[k].push(times.find((t) => kindOf(t.request) === k).ms)
    }
    log(`  round ${round + 1}: ${VARIANTS.map((v) => `${v === 'nothing' ? 'as is' : 'without ' + v} ${Math.round(perVariant[v].total.at(-1))} ms`).join(', ')}`)
  }
} finally {
  rmSync(root, {recursive: true, force: true})
}

const medians = Object.fromEntries(VARIANTS.map((v) => [v, Object.fromEntries(Object.entries(perVariant[v]).map(([k, xs]) => [k, Math.round(median(xs) * 10) / 10]))]))
const result = {
  guests: GUESTS,
  rounds: ROUNDS,
  machine: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
  loadAverage: {start: loadStart, end: load()},
  medians,
  journalMs: Math.round(medians.nothing.total - medians.journal.total),
  progressMs: Math.round(medians.nothing.total - medians.progress.total),
}
if (flag('--json')) console.log(JSON.stringify(result, null, 2))
else {
  const cols = ['total', 'preflight', 'begin', 'first', 'guest', 'commit']
  console.log(`\nthe runtime's requests of a ${GUESTS}-guest create, replayed in one pwsh, medians of ${ROUNDS} rounds (ms)`)
  console.log(`  ${'variant'.padEnd(18)} ${cols.map((c) => (c === 'first' ? 'guest 1' : c === 'guest' ? 'guest 2..n' : c).padStart(10)).join(' ')}`)
  for (const v of VARIANTS) console.log(`  ${(v === 'nothing' ? 'as is' : 'without ' + v).padEnd(18)} ${cols.map((c) => String(medians[v][c]).padStart(10)).join(' ')}`)
  console.log(`  the journal costs ${result.journalMs} ms of the run, the progress lines ${result.progressMs} ms`)
  console.log(`  load average ${loadStart.join(' ')} (start), ${result.loadAverage.end.join(' ')} (end); ${result.machine}`)
}
