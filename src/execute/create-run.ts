/**
 * What one create run works on (docs/execution.md): its options, each host with its session
 * once opened and whether the run began there, every guest's result so far, and the RunResult
 * the run ends with. The steps (create-steps.ts, create-commit.ts, create-rollback.ts,
 * create-seed-media.ts) read and write this state; createGuests (create.ts) orders them.
 */
import type {Plan, PlannedGuest, PlannedHost} from '../model/plan.js'
import type {TargetHost} from '../model/target-host.js'
import type {PlanRequest} from '../plan/build-plan.js'
import type {HostSession} from '../powershell/session.js'
import type {ResultLine} from '../powershell/protocol.js'
import {newRunId} from './run-id.js'
import type {GuestResult, RunEvent, RunResult} from './types.js'

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
  /**
   * Sessions per host (create --parallel N, default 1): a host's guests are dealt round-robin to
   * its sessions, each creating its own one after another. The first (the lead) begins the run
   * (lock, journal, host settings); each other one (a worker) keeps a journal of its own under
   * that lock. Rollback and commit cover every session of every host.
   */
  parallel?: number
}

export type Emit = (e: RunEvent) => void

/** What the steps of a run (preflight, begin, a guest, the seed media) take of its options: create's and lab up's alike. */
export type StepOptions = Pick<CreateOptions, 'replace' | 'lockTimeoutSeconds' | 'timeoutMs' | 'signal'>

/**
 * A worker of create --parallel: the host's session `worker` (2..N), the guests it creates, and
 * whether its begin (its own journal under the lead's lock) succeeded.
 */
export interface WorkerRun {
  worker: number
  guests: PlannedGuest[]
  session?: HostSession
  begun: boolean
}

export interface HostRun {
  target: TargetHost
  planned: PlannedHost
  /** Every guest of the host, whichever of its sessions creates it. */
  guests: PlannedGuest[]
  /** The lead session: it begins and commits the run on this host, and creates the guests no worker has. */
  session?: HostSession
  begun: boolean
  /** The host's other sessions (create --parallel), none by default. */
  workers: WorkerRun[]
  /** begin's answer on this host (the host settings it changed): a lab keeps them in its record. */
  began?: unknown
  /** The host's own virtual switches, as its preflight saw them (a cluster's nodes are compared). */
  switches?: string[]
}

export interface CreateRun {
  id: string
  plan: Plan
  hosts: HostRun[]
  /** Every planned guest's result, by host/name, in plan order. */
  results: Map<string, GuestResult>
  /**
   * A begin, a guest or an interruption failed on some host: every other host stops before its
   * next guest, and the whole run is rolled back.
   */
  failed: boolean
  /** What a failed begin could not undo of itself: for recover, reported with the rollback's errors. */
  beginUndoErrors: Array<{host: string; message: string}>
}

/** The result of a run that never reached a host: a plan with errors, or with nothing to create. */
export function unstartedResult(plan: Plan): RunResult {
  return {status: 'invalid', runId: null, guests: [], problems: [], rollbackErrors: [], commitErrors: [], plan, sessions: [], emitted: null, wait: null}
}

export function startRun(plan: Plan, targets: TargetHost[], parallel = 1): CreateRun {
  const hosts: HostRun[] = plan.hosts.map((planned) => {
    const guests = plan.guests.filter((g) => g.host === planned.name)
    // Guest i goes to session i mod N; no session without a guest.
    const sessions = Math.max(1, Math.min(parallel, guests.length))
    const workers: WorkerRun[] = Array.from({length: sessions - 1}, (_, k) => ({worker: k + 2, guests: guests.filter((_, i) => i % sessions === k + 1), begun: false}))
    return {target: targets.find((t) => t.name === planned.name)!, planned, guests, begun: false, workers}
  })
  const results = new Map<string, GuestResult>(plan.guests.map((g) => [`${g.host}/${g.name}`, {name: g.name, host: g.host, status: 'not-started', vmId: null, error: null, warnings: [], seedMedia: null}]))
  return {id: newRunId(), plan, hosts, results, failed: false, beginUndoErrors: []}
}

/** One session of a host's run: the lead (worker 0) or a worker (2..N). */
export interface SessionOfHost {
  worker: number
  session?: HostSession
  begun: boolean
}

/** Every session of a host's run, the lead's first, then its workers' (create --parallel). */
export function sessionsOf(r: HostRun): SessionOfHost[] {
  return [{worker: 0, session: r.session, begun: r.begun}, ...r.workers]
}

/** The guests the lead session of a host creates: those no worker has. */
export function leadGuests(r: HostRun): PlannedGuest[] {
  const taken = new Set(r.workers.flatMap((w) => w.guests))
  return r.guests.filter((g) => !taken.has(g))
}

export const resultOf = (run: CreateRun, g: {host: string; name: string}): GuestResult => run.results.get(`${g.host}/${g.name}`)!

/** The run's RunResult as it stands: every guest's result and the sessions' counts now. */
export function finishRun(run: CreateRun, status: RunResult['status'], extra: Partial<RunResult> = {}): RunResult {
  return {
    ...unstartedResult(run.plan),
    status,
    runId: run.id,
    guests: [...run.results.values()],
    sessions: run.hosts.flatMap((r) =>
      sessionsOf(r)
        .filter((s) => s.session)
        .map((s) => ({host: r.target.name, ...(s.worker ? {worker: s.worker} : {}), ...s.session!.stats})),
    ),
    ...extra,
  }
}

/** A host's failed answer as a guest's error: the step, the cmdlet and the cmdlet's own message. */
export function failureOf(r: ResultLine): GuestResult['error'] {
  return {step: r.error?.step ?? r.action, cmdlet: r.error?.cmdlet ?? null, message: r.error?.message ?? 'the host returned no error message'}
}

/** A host that answered a step with a failure before anything changed: the run stops and rolls back. */
export class HostFailure extends Error {
  constructor(
    readonly host: string,
    readonly failure: NonNullable<GuestResult['error']>,
  ) {
    super(`${host}: ${failure.message}`)
  }
}
