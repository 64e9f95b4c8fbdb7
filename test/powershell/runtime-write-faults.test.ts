/**
 * Faults in the runtime's OWN writes (journal, lock, manifest, host network record, seed media),
 * injected by name with HVGUEST_WRITE_FAIL (ps/HvGuest/Private/StateFiles.ps1), swept over
 * create's commit, rollback and recover. The run is the product's own createGuests() (the same
 * code `hvguest create` runs, with the real planner, templates and seed media); only the session
 * is kept open across points (a real pwsh over the product's PwshProcess), so that one process
 * serves the whole sweep: before each point the test sets the fault, after it the test restores
 * the host and reloads the runtime module, as a new session would find it.
 *
 * What each point must prove: the host ends as the user was told.
 * - `failed`: nothing the run created is left (after `recover` when the run said to run it).
 * - `commit-failed`: the guest exists and is kept; `recover` finishes the commit (the manifest
 *   is written, the journal and the lock are gone) and never removes it.
 * - `ok` is never the answer to a point that failed a write.
 */
import {cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync} from 'node:fs'
import {createHash} from 'node:crypto'
import {tmpdir} from 'node:os'
import {join, relative} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {initProject} from '../../src/execute/init-project.js'
import {planRun} from '../../src/plan/build-plan.js'
import {createGuests} from '../../src/execute/create.js'
import {seedMediaList} from '../../src/resolve/firstboot/index.js'
import type {RunResult} from '../../src/execute/types.js'
import {bootstrapCommand, decodedString, runtimeFiles, SESSION_PRELUDE} from '../../src/powershell/bootstrap.js'
import {encodeRequest, parseProtocol, requestLine, type ResultLine, type RuntimeRequest} from '../../src/powershell/protocol.js'
import {PwshProcess} from '../../src/powershell/pwsh-process.js'
import type {HostSession} from '../../src/powershell/session.js'
import {pwshPath} from '../helpers/pwsh.js'

const KINDS = ['journal', 'lock', 'manifest', 'net-record', 'seed-media'] as const
type Kind = (typeof KINDS)[number]
const VM_ROOT = 'C:\\Hyper-V\\Virtual Machines'

/** One pwsh for the whole file: the runtime bootstrapped on the project's emulated host. */
class SweepSession {
  /** While set: the write counters after each request createGuests() sends. */
  phases: Array<{action: string; counts: Record<string, number>}> | null = null

  private constructor(
    private readonly proc: PwshProcess,
    private readonly runtime: string,
  ) {}

  static async open(stateFile: string): Promise<SweepSession> {
    const files = runtimeFiles()
    const proc = await PwshProcess.start(pwshPath(), {HVGUEST_WRITE_FAIL: '', HVGUEST_EMULATOR_FAIL: ''})
    const s = new SweepSession(proc, files.runtime)
    await s.raw(SESSION_PRELUDE)
    const boot = await s.raw(bootstrapCommand(files.bootstrap, {runtime: files.runtime, emulator: {modulePath: files.emulatorModules, stateFile}}))
    expect(boot, 'bootstrap').toContain('"ok":true')
    return s
  }

  async raw(line: string): Promise<string> {
    const r = await this.proc.run(line, {timeoutMs: 120_000})
    if (r.status !== 'done') throw new Error(`pwsh ${r.status}: ${r.stderr}`)
    return r.stdout
  }

  async request(req: RuntimeRequest): Promise<ResultLine> {
    const out = await this.raw(requestLine(encodeRequest(req)))
    const {result} = parseProtocol(out)
    if (!result) throw new Error(`no result line for ${String(req.action)}: ${out}`)
    return result
  }

  /** Sets (or, with '', clears) the runtime's write fault for what follows. The spec is the test's, never user data. */
  async fail(spec: string): Promise<void> {
    if (!/^[a-z-]*(:\d+)?(,[a-z-]+:\d+)*$/.test(spec)) throw new Error(`not a fault spec: ${spec}`)
    await this.raw(`$env:HVGUEST_WRITE_FAIL = ${decodedString(spec)}`)
  }

  /** The runtime's write counters since the spec last changed, by kind. */
  async counts(): Promise<Record<string, number>> {
    const out = await this.raw("[Console]::Out.WriteLine('COUNTS ' + (ConvertTo-Json -Compress -InputObject (& (Get-Module -Name HvGuest) { $script:HvWriteFaultCounts })))")
    const line = out.split('\n').find((l) => l.startsWith('COUNTS '))
    return line ? JSON.parse(line.slice('COUNTS '.length)) ?? {} : {}
  }

  /** A new session's view: the runtime module loaded afresh (no run active in it). */
  async reload(): Promise<void> {
    await this.raw(`Import-Module -Name ${decodedString(this.runtime)} -Global -Force`)
  }

  /** The HostSession createGuests() is given: requests go to this pwsh; close() leaves it open. */
  hostSession(host: string): HostSession {
    let requests = 0
    return {
      host,
      transport: 'emulator',
      request: async <T,>(req: RuntimeRequest) => {
        requests++
        const res = (await this.request(req)) as ResultLine<T>
        if (this.phases) this.phases.push({action: String(req.action), counts: await this.counts()})
        return res
      },
      close: async () => {},
      get stats() {
        return {processesStarted: 0, requests}
      },
    }
  }

  close(): Promise<void> {
    return this.proc.kill()
  }
}

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')

function fingerprint(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e)
      if (statSync(p).isDirectory()) walk(p)
      else out[relative(dir, p)] = sha(p)
    }
  }
  walk(dir)
  return out
}

let project: string
let snapshot: string
let stateFile: string
let session: SweepSession
const emuDir = () => join(project, '.hvguest')

/** The emulated host back to what it was before the sweep: state file and every file on its drives. */
function restoreHost(): void {
  rmSync(emuDir(), {recursive: true, force: true})
  cpSync(snapshot, emuDir(), {recursive: true})
}

const state = () => JSON.parse(readFileSync(stateFile, 'utf8'))
const vmNames = () => (state().vms as Array<{name: string}>).map((v) => v.name)
/** The runtime's own records on the host: journals, manifests, lock (paths under the emulated drive). */
function records(): {journals: string[]; manifests: any[]; lock: boolean} {
  const list = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [])
  const root = join(emuDir(), 'drives', 'C', 'Hyper-V', 'Virtual Machines', '.hvguest')
  return {
    journals: list(join(root, 'journal')),
    manifests: list(join(root, 'guests')).map((f) => JSON.parse(readFileSync(join(root, 'guests', f), 'utf8'))),
    lock: existsSync(join(root, 'lock')),
  }
}

async function create(name: string, opts: {start?: boolean} = {}): Promise<RunResult> {
  return createGuests(
    {templates: ['templates/lab-linux.yaml'], cwd: project, name, count: 1, lockTimeoutSeconds: 0, start: opts.start},
    {plan: planRun, open: async (h) => session.hostSession(h.name)},
  )
}

async function recover(): Promise<ResultLine<any>> {
  await session.reload() // recover runs in a new session
  return session.request({action: 'recover', vmRoot: VM_ROOT})
}

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), 'hvg-writefaults-'))
  initProject(project, {force: false})
  stateFile = join(emuDir(), 'emulator-state.json')
  expect(existsSync(stateFile)).toBe(true)
  snapshot = mkdtempSync(join(tmpdir(), 'hvg-writefaults-snap-'))
  cpSync(emuDir(), snapshot, {recursive: true})
  session = await SweepSession.open(stateFile)
}, 180_000)

afterAll(async () => {
  await session?.close()
  if (!process.env.HVG_KEEP_TEMP) for (const d of [project, snapshot]) if (d) rmSync(d, {recursive: true, force: true})
})

interface Point {
  kind: Kind
  n: number
  /** The request whose writes it falls in. */
  action: string
}

/** Every write of each kind a run makes, in order, with the request it falls in. */
async function writesOf(run: () => Promise<RunResult>): Promise<{result: RunResult; points: Point[]}> {
  restoreHost()
  await session.reload()
  await session.fail('none:0') // counts, fails nothing
  session.phases = []
  const result = await run()
  const phases = session.phases
  session.phases = null
  await session.fail('')
  const points: Point[] = []
  for (const kind of KINDS) {
    let from = 0
    for (const p of phases) {
      const to = p.counts[kind] ?? 0
      for (let n = from + 1; n <= to; n++) points.push({kind, n, action: p.action})
      from = to
    }
  }
  return {result, points}
}

describe('a fault in each of the runtime\'s own writes, through create, commit, rollback and recover', () => {
  it('ends every time as the user was told', async () => {
    const clean = await writesOf(() => create('c1'))
    expect(clean.result.status, JSON.stringify(clean.result.guests)).toBe('ok')
    const all = clean.points
    const of = (kind: Kind, action?: string) => all.filter((p) => p.kind === kind && (!action || p.action === action))
    // What every create writes: its journal and lock, one manifest, the record of the host
    // settings begin changed (the starter profile sets jumbo frames), and the seed media.
    expect(of('lock').map((p) => p.action)).toEqual(['begin', 'commit']) // taken, released
    expect(of('seed-media').map((p) => p.action)).toEqual(['create-guest'])
    expect(of('manifest').map((p) => p.action)).toEqual(['commit'])
    expect(of('net-record').map((p) => p.action)).toEqual(['commit'])
    expect(of('journal', 'commit')).toHaveLength(2) // the mark, the delete
    expect(of('journal', 'create-guest').length).toBeGreaterThan(10)
    // Every point outside create-guest's journal; of its journal writes (two per step, all through
    // Start-HvStep / Complete-HvStep, whose every step the cmdlet sweep of runtime-rollback fails)
    // the first three and the last three.
    const steps = of('journal', 'create-guest')
    const points = all.filter((p) => !(p.kind === 'journal' && p.action === 'create-guest')).concat(steps.slice(0, 3), steps.slice(-3))

    restoreHost()
    const before = {state: state(), files: fingerprint(join(emuDir(), 'drives'))}
    const seen = {failed: 0, commitFailed: [] as string[]}
    for (const {kind, n} of points) {
      const label = `${kind}:${n}`
      restoreHost()
      await session.reload()
      await session.fail(label)
      const r = await create('c1')
      await session.fail('')
      expect(r.status, `${label}: an injected write fault never ends as ok`).not.toBe('ok')
      const told = JSON.stringify({status: r.status, guests: r.guests, rollbackErrors: r.rollbackErrors, commitErrors: r.commitErrors})
      expect(told, `${label}: the user is told which write failed`).toContain(`of the ${kind} failed`)

      if (r.status === 'commit-failed') {
        seen.commitFailed.push(label)
        // Told: c1 was created and is kept; recover finishes the commit.
        expect(r.guests.map((g) => [g.name, g.status]), label).toEqual([['c1', 'created']])
        expect(r.commitErrors.map((e) => e.host), label).toEqual(['lab-emu'])
        expect(vmNames(), label).toEqual(['c1'])
        const rec = await recover()
        expect(rec.ok, `${label}: ${JSON.stringify(rec.error)}`).toBe(true)
        if (kind === 'lock') {
          // The release failed after the journal was deleted: the run is committed, and recover
          // removes the lock its gone process left.
          expect(rec.data, label).toMatchObject({runs: [], lock: {present: true, removed: true, holder: {runId: r.runId}}})
        } else {
          expect(rec.data.runs, label).toEqual([expect.objectContaining({runId: r.runId, outcome: 'committed', guests: ['c1']})])
        }
        expect(vmNames(), `${label}: recover keeps the guest`).toEqual(['c1'])
        const after = records()
        expect(after.journals, label).toEqual([])
        expect(after.lock, label).toBe(false)
        expect(after.manifests.map((m) => [m.name, m.runId]), label).toEqual([['c1', r.runId]])
        continue
      }

      expect(r.status, `${label}: ${told}`).toBe('failed')
      seen.failed++
      if (r.rollbackErrors.length > 0) {
        // Told: run recover to finish undoing.
        const rec = await recover()
        expect(rec.ok, `${label}: ${JSON.stringify(rec.error)}`).toBe(true)
      }
      expect(vmNames(), label).toEqual([])
      expect(state(), label).toEqual(before.state)
      expect(fingerprint(join(emuDir(), 'drives')), label).toEqual(before.files)
    }
    // The sweep reached both endings, and a rollback that needed recover.
    // Kept exactly where the journal was marked already: every commit write after the mark.
    expect(seen.commitFailed.sort()).toEqual(['journal:' + of('journal', 'commit')[1].n, 'lock:2', 'manifest:1', 'net-record:1'].sort())
    expect(seen.failed).toBe(points.length - seen.commitFailed.length)

    // Rollback: a run that fails at its last cmdlet (Start-VM), with a fault at each write its
    // rollback makes. Told to run recover; after it the host is as before.
    const failing = async () => {
      // The same spec as the run before: the emulator's counts are started again explicitly.
      await session.raw('$env:HVGUEST_EMULATOR_FAIL = ' + decodedString('Start-VM:1') + '; Reset-HvEmulatorFault')
      try {
        return await create('c1', {start: true})
      } finally {
        await session.raw("$env:HVGUEST_EMULATOR_FAIL = ''")
      }
    }
    const dry = await writesOf(failing)
    expect(dry.result.status).toBe('failed')
    expect(dry.result.guests[0].error).toMatchObject({step: 'start-vm', cmdlet: 'Start-VM'})
    const rollbackPoints = dry.points.filter((p) => p.action === 'rollback')
    expect(rollbackPoints.map((p) => p.kind).sort()).toEqual(['journal', 'lock'])
    for (const {kind, n} of rollbackPoints) {
      const label = `rollback ${kind}:${n}`
      restoreHost()
      await session.reload()
      await session.fail(`${kind}:${n}`)
      const r = await failing()
      await session.fail('')
      expect(r.status, label).toBe('failed')
      expect(r.rollbackErrors.map((e) => e.message).join(' '), `${label}: ${JSON.stringify(r.guests)}`).toContain(`of the ${kind} failed`)
      const rec = await recover()
      expect(rec.ok, `${label}: ${JSON.stringify(rec.error)}`).toBe(true)
      expect(vmNames(), label).toEqual([])
      expect(state(), label).toEqual(before.state)
      expect(fingerprint(join(emuDir(), 'drives')), label).toEqual(before.files)
      expect(records(), label).toEqual({journals: [], manifests: [], lock: false})
    }
  }, 600_000)

  it('a fault while recover finishes a commit, or undoes a killed run: recover says so, and the next recover ends it', async () => {
    // A commit that failed after the journal was marked (the manifest write), then recover with a
    // fault at each of its own writes.
    for (const kind of ['manifest', 'net-record', 'journal', 'lock'] as const) {
      restoreHost()
      await session.reload()
      await session.fail('manifest:1')
      const r = await create('c1')
      await session.fail('')
      expect(r.status).toBe('commit-failed')
      await session.reload()
      await session.fail(`${kind}:1`)
      const failedRecover = await session.request({action: 'recover', vmRoot: VM_ROOT})
      await session.fail('')
      expect(failedRecover.ok, kind).toBe(false)
      expect(failedRecover.error!.message, kind).toContain(`of the ${kind} failed`)
      expect(vmNames(), `${kind}: the guest is kept`).toEqual(['c1'])
      const rec = await recover()
      expect(rec.ok, `${kind}: ${JSON.stringify(rec.error)}`).toBe(true)
      expect(vmNames(), kind).toEqual(['c1'])
      expect(records().manifests.map((m) => m.name), kind).toEqual(['c1'])
      expect(records().journals, kind).toEqual([])
      expect(records().lock, kind).toBe(false)
    }

    // A killed run (begun, guest created, never committed), then recover with a fault at each
    // of its writes: the journal (delete) and the lock (release).
    restoreHost()
    const before = state()
    for (const kind of ['journal', 'lock'] as const) {
      restoreHost()
      await session.reload()
      const planned = planRun({templates: ['templates/lab-linux.yaml'], cwd: project, name: 'k1', count: 1})
      const g = planned.plan.guests[0]
      const begin = await session.request({action: 'begin', runId: `kill-${kind}`, host: planned.plan.hosts[0], vmRoot: VM_ROOT, lockTimeoutSeconds: 0})
      expect(begin.ok, JSON.stringify(begin.error)).toBe(true)
      const made = await session.request({action: 'create-guest', runId: `kill-${kind}`, guest: g, replace: false, vmRoot: VM_ROOT, media: seedMediaList(g)})
      expect(made.ok, JSON.stringify(made.error)).toBe(true)
      await session.reload()
      await session.fail(`${kind}:1`)
      const failedRecover = await session.request({action: 'recover', vmRoot: VM_ROOT})
      await session.fail('')
      expect(failedRecover.ok, kind).toBe(false)
      expect(failedRecover.error!.message, kind).toContain(`of the ${kind} failed`)
      const rec = await recover()
      expect(rec.ok, `${kind}: ${JSON.stringify(rec.error)}`).toBe(true)
      expect(state(), kind).toEqual(before)
      expect(records(), kind).toEqual({journals: [], manifests: [], lock: false})
    }
  }, 300_000)

  it('a commit can be retried for the same run id: the second commit finishes what the first could not', async () => {
    restoreHost()
    await session.reload()
    const planned = planRun({templates: ['templates/lab-linux.yaml'], cwd: project, name: 'r1', count: 1})
    const runId = 'retry-commit'
    expect((await session.request({action: 'begin', runId, host: planned.plan.hosts[0], vmRoot: VM_ROOT, lockTimeoutSeconds: 0})).ok).toBe(true)
    expect((await session.request({action: 'create-guest', runId, guest: planned.plan.guests[0], replace: false, vmRoot: VM_ROOT, media: seedMediaList(planned.plan.guests[0])})).ok).toBe(true)
    await session.fail('lock:1') // counted from here: the release, after the journal is gone
    const first = await session.request({action: 'commit', runId, vmRoot: VM_ROOT, guests: {r1: {template: 'lab-linux'}}})
    await session.fail('')
    expect(first.ok).toBe(false)
    expect(first.data).toMatchObject({runId, committing: true})
    expect(first.error).toMatchObject({step: 'delete-lock', cmdlet: null})
    expect(records().lock).toBe(true)
    // From a new session, as `hvguest` would send it again.
    await session.reload()
    const second = await session.request({action: 'commit', runId, vmRoot: VM_ROOT})
    expect(second.ok, JSON.stringify(second.error)).toBe(true)
    expect(second.data).toMatchObject({runId, committed: true, lockReleased: true})
    expect(records()).toMatchObject({journals: [], lock: false})
    expect(records().manifests.map((m) => [m.name, m.runId, m.guest])).toEqual([['r1', runId, {template: 'lab-linux'}]])
    expect(vmNames()).toEqual(['r1'])
    // A run that never existed is not "committed".
    const none = await session.request({action: 'commit', runId: 'never-begun', vmRoot: VM_ROOT})
    expect(none.ok).toBe(false)
    expect(none.error!.message).toMatch(/no journal .* and no guest manifest/)
  }, 120_000)
})
