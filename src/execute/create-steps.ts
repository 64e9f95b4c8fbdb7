/**
 * The steps of a create run before and after its commit (docs/execution.md): open a session per
 * host, preflight, begin and create the guests, and with --wait wait for them. Hosts run in
 * parallel; a host's guests one after another, one request per guest, or with --parallel N on N
 * sessions of the host at once (each its own guests, one after another).
 */
import {diagnostic, type Diagnostic} from '../model/diagnostic.js'
import type {Plan, PlannedGuest} from '../model/plan.js'
import type {TargetHost} from '../model/target-host.js'
import {seedMediaList} from '../resolve/firstboot/index.js'
import {checkedAnswer} from '../powershell/answers.js'
import type {HostSession} from '../powershell/session.js'
import {failureOf, HostFailure, leadGuests, resultOf, sessionsOf, type CreateOptions, type CreateRun, type Emit, type HostRun, type StepOptions, type WorkerRun} from './create-run.js'
import {waitForGuests, type IcReport, type WaitResult} from './guest-status.js'
import type {GuestResult} from './types.js'
import type {BeginFailure} from '../powershell/protocol-types.generated.js'
import type {ResultLine} from '../powershell/protocol.js'

/** Sessions first: a missing pwsh or an unreachable host is found before any change. */
export async function openSessions(run: CreateRun, open: (host: TargetHost) => Promise<HostSession>, emit: Emit): Promise<void> {
  await Promise.all(
    run.hosts.flatMap((r) => {
      emit({type: 'host', host: r.target.name, message: `connecting (${r.target.transport}${r.workers.length ? `, ${r.workers.length + 1} sessions` : ''})`})
      return [
        (async () => {
          r.session = await open(r.target)
        })(),
        ...r.workers.map(async (w) => {
          w.session = await open(r.target)
        }),
      ]
    }),
  )
}

/** The plan restricted to one host: what that host's preflight needs to see. */
function planForHost(plan: Plan, host: string): Plan {
  return {...plan, guests: plan.guests.filter((g) => g.host === host), hosts: plan.hosts.filter((h) => h.name === host)}
}

/**
 * Preflight: everything that can be checked without changing anything (names taken, parents or
 * switches missing), as problems. A host that cannot run the preflight throws a HostFailure.
 */
export async function preflight(run: CreateRun, opts: StepOptions, plannedSwitches: (host: string) => string[] = () => []): Promise<Diagnostic[]> {
  const problems: Diagnostic[] = []
  await Promise.all(
    run.hosts.map(async (r) => {
      const switches = plannedSwitches(r.target.name)
      const res = checkedAnswer(
        'preflight',
        await r.session!.request({action: 'preflight', plan: planForHost(run.plan, r.target.name), replace: opts.replace ?? false, vmRoot: r.target.vmRoot, ...(switches.length ? {plannedSwitches: switches} : {})}),
      )
      if (!res.ok) throw new HostFailure(r.target.name, failureOf(res)!)
      r.switches = (res.data as {switches?: string[]} | undefined)?.switches
      for (const p of (res.data as {problems?: Array<{code?: string; guest?: string; message: string}>})?.problems ?? []) {
        problems.push(diagnostic(p.code ?? 'input-invalid', 'error', p.message, {guest: p.guest, host: r.target.name}))
      }
    }),
  )
  return problems
}

/**
 * begin (lock, journal, host settings), then the guests, host by host in parallel. A failure
 * on any host (or an interruption) sets run.failed: every other host stops before its next
 * guest, and the whole run is rolled back.
 */
export async function beginAndCreateGuests(run: CreateRun, opts: CreateOptions, emit: Emit): Promise<void> {
  await Promise.all(
    run.hosts.map(async (r) => {
      if (!(await beginOnHost(run, r, opts, emit))) return
      if (!(await beginWorkers(run, r, emit))) return
      // The lead's guests and each worker's, side by side; within a session one after another.
      const lanes: Array<{guests: PlannedGuest[]; worker?: WorkerRun}> = [{guests: leadGuests(r)}, ...r.workers.map((w) => ({guests: w.guests, worker: w}))]
      await Promise.all(
        lanes.map(async ({guests, worker}) => {
          for (const g of guests) {
            if (run.failed) return // another host or session failed: stop, the whole run is rolled back
            if (opts.signal?.aborted) {
              run.failed = true
              resultOf(run, g).error = {step: 'interrupted', cmdlet: null, message: 'the run was interrupted before this guest'}
              return
            }
            if (!(await createGuestOnHost(run, r, g, opts, emit, worker))) return
          }
        }),
      )
    }),
  )
}

/**
 * create --parallel: each worker session of a host begins after the lead (it works under the
 * lead's lock), with a journal of its own. A failed worker begin fails the run (failBegin); the
 * rollback covers the rest.
 */
async function beginWorkers(run: CreateRun, r: HostRun, emit: Emit): Promise<boolean> {
  const host = r.target.name
  await Promise.all(
    r.workers.map(async (w) => {
      const began = checkedAnswer('begin', await w.session!.request({action: 'begin', runId: run.id, worker: w.worker, host: r.planned, vmRoot: r.target.vmRoot}))
      if (began.ok) {
        w.begun = true
        return
      }
      failBegin(run, host, began, w.guests, emit, `session ${w.worker} could not begin`)
    }),
  )
  return r.workers.every((w) => w.begun)
}

/** Whether the run began on this host; a failed begin gives every guest of the host its error. */
export async function beginOnHost(run: CreateRun, r: HostRun, opts: StepOptions, emit: Emit): Promise<boolean> {
  const host = r.target.name
  const began = checkedAnswer('begin', await r.session!.request({action: 'begin', runId: run.id, host: r.planned, vmRoot: r.target.vmRoot, lockTimeoutSeconds: opts.lockTimeoutSeconds ?? 60}))
  if (!began.ok) {
    failBegin(run, host, began, r.guests, emit, 'could not begin')
    return false
  }
  r.begun = true
  r.began = began.data
  return true
}

/**
 * A begin (the lead's or a worker's) that failed fails the run: its guests carry the failure. A
 * failed begin undoes itself; what it could not undo is for recover (run.beginUndoErrors).
 */
function failBegin(run: CreateRun, host: string, began: ResultLine, guests: PlannedGuest[], emit: Emit, what: string): void {
  run.failed = true
  const selfUndo = began.data as BeginFailure | undefined
  for (const m of [selfUndo?.rollbackError, ...(selfUndo?.rolledBack?.errors ?? [])]) if (m) run.beginUndoErrors.push({host, message: m})
  for (const g of guests) resultOf(run, g).error = failureOf(began)
  emit({type: 'host', host, message: `${what}: ${failureOf(began)!.message}`})
}

/**
 * One guest, one create-guest request, on the host's lead session or on one of its workers
 * (create --parallel); whether it was created (a failure sets run.failed).
 */
export async function createGuestOnHost(run: CreateRun, r: HostRun, g: PlannedGuest, opts: StepOptions, emit: Emit, worker?: WorkerRun): Promise<boolean> {
  const host = r.target.name
  const result = resultOf(run, g)
  const session = worker ? worker.session! : r.session!
  const res = checkedAnswer('create-guest', await session.request(
    {
      action: 'create-guest',
      runId: run.id,
      ...(worker ? {worker: worker.worker} : {}),
      guest: g,
      replace: opts.replace ?? false,
      vmRoot: r.target.vmRoot,
      media: seedMediaList(g),
      ...(r.target.cluster ? {cluster: r.target.cluster} : {}),
    },
    {onProgress: (e) => emit({type: 'step', host, guest: g.name, step: e.step, detail: e.detail}), timeoutMs: opts.timeoutMs},
  ))
  // What the host could not take as planned: kept with the guest, shown and in --json.
  result.warnings = ((res.data as {warnings?: GuestResult['warnings']} | undefined)?.warnings ?? []).map((w) => ({code: w.code, setting: w.setting ?? null, message: w.message}))
  if (res.ok) {
    result.status = 'created'
    result.vmId = ((res.data as {vmId?: string}) ?? {}).vmId ?? null
    emit({type: 'guest', host, guest: g.name, status: 'created'})
    return true
  }
  run.failed = true
  result.status = 'failed'
  result.error = failureOf(res)
  emit({type: 'guest', host, guest: g.name, status: 'failed', message: failureOf(res)!.message})
  return false
}

/**
 * --wait, after the commit: the guests are created and committed, so whatever happens while
 * waiting they stay, and the run reports what it knows (a session lost while polling is a
 * not-ready wait).
 */
export async function waitUntilReady(run: CreateRun, wait: NonNullable<CreateOptions['wait']>, signal: AbortSignal | undefined, emit: Emit): Promise<WaitResult> {
  return waitForGuests(
    run.hosts.map((r) => ({session: r.session!, vmRoot: r.target.vmRoot, names: r.guests.map((g) => g.name)})),
    {
      timeoutMs: wait.timeoutMs,
      intervalMs: wait.intervalMs,
      signal,
      onChange: (g) => emit({type: 'wait', host: g.host, guest: g.name, ready: g.ready, message: waitLine(g)}),
    },
  ).catch((error: Error): WaitResult => ({ready: false, elapsedMs: 0, guests: [], error: error.message}))
}

/** One progress line while waiting: what the guest shows now. */
function waitLine(g: IcReport): string {
  if (g.ready) return `ready: heartbeat ${g.heartbeat}, ${g.ipv4.join(', ')}`
  const why = g.problems[0]
  return `waiting: heartbeat ${g.heartbeat || 'no contact'}${g.ipv4.length ? `, ${g.ipv4.join(', ')}` : ', no IPv4 yet'}${why ? ` (${why.code})` : ''}`
}

/** Every session the run opened is closed, whatever the run's end; a close that fails changes nothing. */
export async function closeSessions(run: CreateRun): Promise<void> {
  await Promise.all(run.hosts.flatMap(sessionsOf).map((s) => s.session?.close().catch(() => {})))
}
