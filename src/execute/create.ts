/**
 * execute: a Plan becomes VMs (docs/execution.md). One session per host, hosts in parallel,
 * guests of a host one after another, one request per guest. Every host-side problem that
 * can be seen before a change (names taken, parents or switches missing) stops the run with
 * exit 2 and nothing changed; a failure during the run rolls back everything the run did on
 * every host and exits 1.
 */
import {randomBytes} from 'node:crypto'
import {diagnostic, type Diagnostic} from '../model/diagnostic.js'
import type {Plan, PlannedGuest, PlannedHost} from '../model/plan.js'
import type {PlanRequest, PlanResult} from '../plan/build-plan.js'
import type {TargetHost} from '../model/target-host.js'
import type {HostSession} from '../powershell/session.js'
import type {ResultLine, RuntimeRequest} from '../powershell/protocol.js'
import {seedMediaList} from '../media/seed-media.js'
import {checkedAnswer} from '../powershell/answers.js'
import {manifestGuest, waitForGuests, type IcReport, type WaitResult} from './guest-status.js'
import type {GuestResult, RunEvent, RunResult, SeedMediaOutcome} from './types.js'

export interface CreateOptions extends PlanRequest {
  replace?: boolean
  lockTimeoutSeconds?: number
  /** Per request; a guest with many disks on a slow host needs more. */
  timeoutMs?: number
  onEvent?: (e: RunEvent) => void
  /** Aborted (first Ctrl-C): finish the step under way, then roll the run back. */
  signal?: AbortSignal
  /** Start every guest after creating it (as `start: true` in the template). */
  start?: boolean
  /**
   * After the run is committed, wait until every guest reports heartbeat OK and an IPv4
   * address through KVP (implies start). A guest that is not ready in time is kept, not rolled
   * back: it was created as planned, and its console is where the cause shows. A ready guest
   * whose seed media carries a secret then has it ejected and deleted (unless the template
   * says firstBoot.keepMedia: true); see removeSecretMedia.
   */
  wait?: {timeoutMs: number; intervalMs?: number}
}

export interface CreateDeps {
  plan: (req: PlanRequest) => PlanResult
  open: (host: TargetHost) => Promise<HostSession>
}

export const newRunId = (): string => `${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`

/** The plan restricted to one host: what that host's preflight needs to see. */
function planForHost(plan: Plan, host: string): Plan {
  return {...plan, guests: plan.guests.filter((g) => g.host === host), hosts: plan.hosts.filter((h) => h.name === host)}
}

interface HostRun {
  target: TargetHost
  planned: PlannedHost
  guests: PlannedGuest[]
  session?: HostSession
  begun: boolean
}

function failureOf(r: ResultLine): GuestResult['error'] {
  return {step: r.error?.step ?? r.action, cmdlet: r.error?.cmdlet ?? null, message: r.error?.message ?? 'the host returned no error message'}
}

export async function createGuests(opts: CreateOptions, deps: CreateDeps): Promise<RunResult> {
  const emit = opts.onEvent ?? (() => {})
  const {plan, targets} = deps.plan(opts)
  if (opts.start || opts.wait) for (const g of plan.guests) g.start = true
  const base: RunResult = {status: 'invalid', runId: null, guests: [], problems: [], rollbackErrors: [], commitErrors: [], plan, sessions: [], emitted: null, wait: null}
  if (plan.summary.errors > 0 || plan.guests.length === 0) return base

  const runs: HostRun[] = plan.hosts.map((planned) => ({
    target: targets.hosts.find((t) => t.name === planned.name)!,
    planned,
    guests: plan.guests.filter((g) => g.host === planned.name),
    begun: false,
  }))
  const runId = newRunId()
  const results = new Map<string, GuestResult>(plan.guests.map((g) => [`${g.host}/${g.name}`, {name: g.name, host: g.host, status: 'not-started', vmId: null, error: null, warnings: [], seedMedia: null}]))
  const result = (g: {host: string; name: string}) => results.get(`${g.host}/${g.name}`)!
  const finish = (status: RunResult['status'], extra: Partial<RunResult> = {}): RunResult => ({
    ...base,
    status,
    runId,
    guests: [...results.values()],
    sessions: runs.filter((r) => r.session).map((r) => ({host: r.target.name, ...r.session!.stats})),
    ...extra,
  })

  try {
    // Sessions first: a missing pwsh or an unreachable host is found before any change.
    await Promise.all(
      runs.map(async (r) => {
        emit({type: 'host', host: r.target.name, message: `connecting (${r.target.transport})`})
        r.session = await deps.open(r.target)
      }),
    )

    // Preflight: everything that can be checked without changing anything.
    const problems: Diagnostic[] = []
    await Promise.all(
      runs.map(async (r) => {
        const res = checkedAnswer('preflight', await r.session!.request({action: 'preflight', plan: planForHost(plan, r.target.name), replace: opts.replace ?? false, vmRoot: r.target.vmRoot}))
        if (!res.ok) throw new HostFailure(r.target.name, failureOf(res)!)
        for (const p of (res.data as {problems?: Array<{code?: string; guest?: string; message: string}>})?.problems ?? []) {
          problems.push(diagnostic(p.code ?? 'input-invalid', 'error', p.message, {guest: p.guest, host: r.target.name}))
        }
      }),
    )
    if (problems.length > 0) return finish('invalid', {problems})

    // begin (lock, journal, host settings), then the guests, host by host in parallel.
    let failed = false
    const beginUndoErrors: Array<{host: string; message: string}> = []
    await Promise.all(
      runs.map(async (r) => {
        const host = r.target.name
        const began = checkedAnswer('begin', await r.session!.request({action: 'begin', runId, host: r.planned, vmRoot: r.target.vmRoot, lockTimeoutSeconds: opts.lockTimeoutSeconds ?? 60}))
        if (!began.ok) {
          failed = true
          // A failed begin undoes itself; what it could not undo is for recover.
          const selfUndo = began.data as {rollbackError?: string; rolledBack?: {errors?: string[]}} | undefined
          for (const m of [selfUndo?.rollbackError, ...(selfUndo?.rolledBack?.errors ?? [])]) if (m) beginUndoErrors.push({host, message: m})
          for (const g of r.guests) result(g).error = failureOf(began)
          emit({type: 'host', host, message: `could not begin: ${failureOf(began)!.message}`})
          return
        }
        r.begun = true
        for (const g of r.guests) {
          if (failed) return // another host failed: stop, the whole run is rolled back
          if (opts.signal?.aborted) {
            failed = true
            result(g).error = {step: 'interrupted', cmdlet: null, message: 'the run was interrupted before this guest'}
            return
          }
          const res = checkedAnswer('create-guest', await r.session!.request(
            {action: 'create-guest', runId, guest: g, replace: opts.replace ?? false, vmRoot: r.target.vmRoot, media: seedMediaList(g)},
            {onProgress: (e) => emit({type: 'step', host, guest: g.name, step: e.step, detail: e.detail}), timeoutMs: opts.timeoutMs},
          ))
          // What the host could not take as planned: kept with the guest, shown and in --json.
          result(g).warnings = ((res.data as {warnings?: GuestResult['warnings']} | undefined)?.warnings ?? []).map((w) => ({code: w.code, setting: w.setting ?? null, message: w.message}))
          if (res.ok) {
            result(g).status = 'created'
            result(g).vmId = ((res.data as {vmId?: string}) ?? {}).vmId ?? null
            emit({type: 'guest', host, guest: g.name, status: 'created'})
          } else {
            failed = true
            result(g).status = 'failed'
            result(g).error = failureOf(res)
            emit({type: 'guest', host, guest: g.name, status: 'failed', message: failureOf(res)!.message})
            return
          }
        }
      }),
    )

    if (!failed) {
      const commit = await commitAll(runs, runId, emit)
      if (commit.uncommitted.length > 0) return finish('commit-failed', {commitErrors: commit.uncommitted})
      if (commit.rollBack) {
        for (const f of commit.refused) for (const g of runs.find((r) => r.target.name === f.host)!.guests) result(g).error = f.error
        const rollbackErrors = await rollbackAll(runs, runId, emit)
        for (const g of results.values()) if (g.status === 'created') g.status = 'rolled-back'
        return finish('failed', {rollbackErrors})
      }
      if (!opts.wait) {
        await settleSeedMedia(runs, results, null, opts, emit)
        return finish('ok')
      }
      // The guests are created and committed: whatever happens while waiting, they stay, and
      // the run reports what it knows (a session lost while polling is a not-ready wait).
      const waited = await waitForGuests(
        runs.map((r) => ({session: r.session!, vmRoot: r.target.vmRoot, names: r.guests.map((g) => g.name)})),
        {
          timeoutMs: opts.wait.timeoutMs,
          intervalMs: opts.wait.intervalMs,
          signal: opts.signal,
          onChange: (g) => emit({type: 'wait', host: g.host, guest: g.name, ready: g.ready, message: waitLine(g)}),
        },
      ).catch((error: Error): WaitResult => ({ready: false, elapsedMs: 0, guests: [], error: error.message}))
      await settleSeedMedia(runs, results, waited, opts, emit)
      return finish(waited.ready ? 'ok' : 'not-ready', {wait: waited})
    }
    const rollbackErrors = [...beginUndoErrors, ...(await rollbackAll(runs, runId, emit))]
    for (const g of results.values()) if (g.status === 'created') g.status = 'rolled-back'
    return finish('failed', {rollbackErrors})
  } catch (error) {
    if (error instanceof HostFailure) {
      const rollbackErrors = await rollbackAll(runs, runId, emit)
      for (const g of results.values()) if (g.host === error.host && !g.error) g.error = error.failure
      return finish('failed', {rollbackErrors})
    }
    // A session that cannot be opened (no pwsh, bad state file) is input to fix: rethrow.
    await rollbackAll(runs, runId, emit)
    throw error
  } finally {
    await Promise.all(runs.map((r) => r.session?.close().catch(() => {})))
  }
}

/**
 * What becomes of each created guest's seed media that carries a secret (the Windows answer file
 * can only obfuscate a password; cloud-init and kickstart media carry its hash): a guest that
 * --wait found ready has it ejected and deleted, one request run of its own on its host
 * (removeSecretMedia); every other guest keeps it, and says why. A removal that fails leaves the
 * guest as created (never a rollback of the create run) with a firstboot-secret-attached warning,
 * and the exit code as the wait decided.
 */
async function settleSeedMedia(runs: HostRun[], results: Map<string, GuestResult>, waited: WaitResult | null, opts: CreateOptions, emit: (e: RunEvent) => void): Promise<void> {
  const work: Array<Promise<void>> = []
  for (const r of runs) {
    const toRemove: Array<{g: PlannedGuest; result: GuestResult}> = []
    for (const g of r.guests) {
      const result = results.get(`${g.host}/${g.name}`)!
      const fb = g.firstBoot
      if (result.status !== 'created' || !fb?.secret || fb.files.length === 0) continue
      const outcome = (status: SeedMediaOutcome['status'], reason: string) => (result.seedMedia = {status, media: fb.media, reason})
      if (fb.keepMedia) outcome('kept', 'firstBoot.keepMedia: true in the template keeps it attached (ic status and list warn while it is)')
      else if (!waited) outcome('attached', 'created without --wait: it stays in the DVD drive until it is ejected ("hvguest create --wait" ejects and deletes it once the guest is ready)')
      else if (waited.error) outcome('attached', `kept: the wait failed (${waited.error}), so the guest may still need it`)
      else if (!waited.guests.find((x) => x.host === g.host && x.name === g.name)?.ready) outcome('attached', 'kept: the guest was not ready, so it may still need its first-boot media')
      else toRemove.push({g, result})
    }
    if (toRemove.length === 0) continue
    // One session per host, one request at a time: this host's guests one after another.
    work.push(
      (async () => {
        for (const {g, result} of toRemove) {
          const media = g.firstBoot!.media
          const removed = await removeSecretMedia(r, g, result.vmId, opts, emit)
          if (removed.ok) {
            result.seedMedia = {status: 'removed', media, reason: removed.reason}
            // What the wait saw (the media attached) is not so any more.
            const report = waited?.guests.find((x) => x.host === g.host && x.name === g.name)
            if (report) {
              report.warnings = report.warnings.filter((w) => w.code !== 'firstboot-secret-attached')
              if (report.seedMedia) report.seedMedia = {...report.seedMedia, attached: false, slot: null, onDisk: false}
            }
            emit({type: 'step', host: g.host, guest: g.name, step: 'seed-media', detail: `removed: ${removed.reason}`})
          } else {
            result.seedMedia = {status: 'attached', media, reason: `the removal failed: ${removed.message}`}
            result.warnings.push({
              code: 'firstboot-secret-attached',
              setting: null,
              message: `the seed media ${media} carries a secret and could not be ejected and deleted (${removed.message}); it is still attached: eject it (Set-VMDvdDrive -Path $null) and delete the file`,
            })
            emit({type: 'step', host: g.host, guest: g.name, step: 'seed-media', detail: `not removed: ${removed.message}`})
          }
        }
      })(),
    )
  }
  await Promise.all(work)
}

/**
 * Ejects and deletes one guest's seed media: begin, remove-seed-media, commit, as a run of its
 * own (lock and journal, so a killed run is finished by recover; docs/execution.md). A failure
 * rolls back only this removal (the media goes back into its drive while the file exists).
 */
async function removeSecretMedia(r: HostRun, g: PlannedGuest, vmId: string | null, opts: CreateOptions, emit: (e: RunEvent) => void): Promise<{ok: true; reason: string} | {ok: false; message: string}> {
  const session = r.session!
  const vmRoot = r.target.vmRoot
  const runId = newRunId()
  const say = (f: ReturnType<typeof failureOf>) => `${f!.step}${f!.cmdlet ? ` (${f!.cmdlet})` : ''}: ${f!.message}`
  let begun = false
  try {
    emit({type: 'step', host: g.host, guest: g.name, step: 'remove-seed-media', detail: g.firstBoot!.media})
    const began = checkedAnswer('begin', await session.request({action: 'begin', runId, host: {name: r.target.name, vmRoot}, vmRoot, lockTimeoutSeconds: opts.lockTimeoutSeconds ?? 60}))
    if (!began.ok) return {ok: false, message: `could not begin: ${say(failureOf(began))}`}
    begun = true
    const request: RuntimeRequest = {action: 'remove-seed-media', runId, vmRoot, name: g.name, vmId, media: g.firstBoot!.media}
    const res = checkedAnswer('remove-seed-media', await session.request(request, {onProgress: (e) => emit({type: 'step', host: g.host, guest: g.name, step: e.step, detail: e.detail}), timeoutMs: opts.timeoutMs}))
    const undo = async (why: string): Promise<{ok: false; message: string}> => {
      const back = await session.request({action: 'rollback', runId, vmRoot}).then((x) => checkedAnswer('rollback', x)).catch((error: Error) => ({ok: false, action: 'rollback', error: {message: error.message}}) as ResultLine)
      const left = back.ok ? '' : `; the undo left work (${failureOf(back)!.message}): run "hvguest recover --host ${r.target.name}"`
      return {ok: false, message: `${why}${left}`}
    }
    if (!res.ok) return await undo(say(failureOf(res)))
    const data = res.data as {ejected?: boolean; slot?: string | null; deleted?: boolean}
    const commit = checkedAnswer('commit', await session.request({action: 'commit', runId, vmRoot}))
    // Marked for commit: the removal is done and kept; recover finishes the commit.
    if (!commit.ok && (commit.data as {committing?: boolean} | undefined)?.committing !== true) return await undo(`commit: ${say(failureOf(commit))}`)
    const what = `${data.ejected ? `ejected from ${data.slot}` : 'no DVD drive held it'}, ${data.deleted ? 'deleted from the host' : 'the file was gone already'}`
    return {ok: true, reason: commit.ok ? what : `${what}; the run's commit did not complete (${failureOf(commit)!.message}): run "hvguest recover --host ${r.target.name}"`}
  } catch (error) {
    // A session lost mid-way: the removal's journal and lock stay on the host for recover.
    return {ok: false, message: `${(error as Error).message}${begun ? `; run "hvguest recover --host ${r.target.name}"` : ''}`}
  }
}

/** One progress line while waiting: what the guest shows now. */
function waitLine(g: IcReport): string {
  if (g.ready) return `ready: heartbeat ${g.heartbeat}, ${g.ipv4.join(', ')}`
  const why = g.problems[0]
  return `waiting: heartbeat ${g.heartbeat || 'no contact'}${g.ipv4.length ? `, ${g.ipv4.join(', ')}` : ', no IPv4 yet'}${why ? ` (${why.code})` : ''}`
}

interface CommitOutcome {
  /** Hosts whose journal is marked for commit but whose commit did not complete: the guests are kept there. */
  uncommitted: Array<{host: string; message: string}>
  /** Hosts that refused the commit before marking anything: the run can, and must, roll back. */
  refused: Array<{host: string; error: NonNullable<GuestResult['error']>}>
  rollBack: boolean
}

/**
 * Commits the run on every host (docs/execution.md section 4). A commit marks the host's journal
 * first: from then on the guests are kept and a retried commit or `recover` finishes the commit,
 * never a rollback. Over several hosts, every journal is marked ("prepare") before any commit
 * completes, so that the run either keeps its guests everywhere or rolls back everywhere.
 */
async function commitAll(runs: HostRun[], runId: string, emit: (e: RunEvent) => void): Promise<CommitOutcome> {
  const planned = (r: HostRun) => Object.fromEntries(r.guests.map((g) => [g.name, manifestGuest(g)]))
  const refused: CommitOutcome['refused'] = []
  const marked = new Set<HostRun>()
  const committing = (res: ResultLine) => (res.data as {committing?: boolean} | undefined)?.committing === true
  if (runs.length > 1) {
    await Promise.all(
      runs.map(async (r) => {
        const res = checkedAnswer('commit', await r.session!.request({action: 'commit', prepare: true, runId, vmRoot: r.target.vmRoot, guests: planned(r)}))
        if (res.ok || committing(res)) marked.add(r)
        else refused.push({host: r.target.name, error: failureOf(res)!})
      }),
    )
    if (refused.length > 0) return {uncommitted: [], refused, rollBack: true}
  }
  const uncommitted: CommitOutcome['uncommitted'] = []
  await Promise.all(
    runs.map(async (r) => {
      emit({type: 'host', host: r.target.name, message: 'committing'})
      const res = checkedAnswer('commit', await r.session!.request({action: 'commit', runId, vmRoot: r.target.vmRoot, guests: planned(r)}))
      if (res.ok) return
      const error = failureOf(res)!
      if (committing(res) || marked.has(r)) uncommitted.push({host: r.target.name, message: `${error.step}: ${error.message}`})
      else refused.push({host: r.target.name, error})
    }),
  )
  // One host only can refuse here (several hosts were all marked above).
  if (uncommitted.length === 0 && refused.length > 0) return {uncommitted, refused, rollBack: true}
  return {uncommitted, refused: [], rollBack: false}
}

class HostFailure extends Error {
  constructor(
    readonly host: string,
    readonly failure: NonNullable<GuestResult['error']>,
  ) {
    super(`${host}: ${failure.message}`)
  }
}

async function rollbackAll(runs: HostRun[], runId: string, emit: (e: RunEvent) => void): Promise<Array<{host: string; message: string}>> {
  const errors: Array<{host: string; message: string}> = []
  await Promise.all(
    runs
      .filter((r) => r.begun && r.session)
      .map(async (r) => {
        emit({type: 'host', host: r.target.name, message: 'rolling back this run'})
        try {
          const res = checkedAnswer('rollback', await r.session!.request({action: 'rollback', runId, vmRoot: r.target.vmRoot}))
          if (!res.ok) errors.push({host: r.target.name, message: failureOf(res)!.message})
          for (const e of ((res.data as {errors?: string[]})?.errors ?? [])) errors.push({host: r.target.name, message: e})
        } catch (error) {
          errors.push({host: r.target.name, message: `${(error as Error).message}; run "hvguest recover --host ${r.target.name}"`})
        }
      }),
  )
  return errors
}

