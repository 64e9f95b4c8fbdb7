/**
 * execute: a Plan becomes VMs (docs/execution.md). One session per host, hosts in parallel,
 * guests of a host one after another, one request per guest (--parallel N: N sessions per host,
 * each its own guests). Every host-side problem that
 * can be seen before a change (names taken, parents or switches missing) stops the run with
 * exit 2 and nothing changed; a failure during the run rolls back everything the run did on
 * every host and exits 1.
 */
import type {PlanRequest, PlanResult} from '../plan/build-plan.js'
import type {TargetHost} from '../model/target-host.js'
import type {HostSession} from '../powershell/session.js'
import {clusterSwitchProblems} from './cluster-preflight.js'
import {blameRefusedHosts, commitAll} from './create-commit.js'
import {rollBackAfterError, rollBackFailedRun} from './create-rollback.js'
import {finishRun, startRun, unstartedResult, type CreateOptions} from './create-run.js'
import {settleSeedMedia} from './create-seed-media.js'
import {beginAndCreateGuests, closeSessions, openSessions, preflight, waitUntilReady} from './create-steps.js'
import {closeAll, planWithPlacement} from './placement-facts.js'
import type {RunResult} from './types.js'

export type {CreateOptions} from './create-run.js'
export {newRunId} from './run-id.js'

export interface CreateDeps {
  plan: (req: PlanRequest) => PlanResult
  open: (host: TargetHost) => Promise<HostSession>
}

export async function createGuests(opts: CreateOptions, deps: CreateDeps): Promise<RunResult> {
  // Without --host and with several hosts, each host's free memory decides where guests go: the
  // sessions opened to ask it are the run's own. Whatever the run does not take (a host that gets
  // no guest, a run that never starts) is closed here, once.
  const {planned, sessions: asked} = await planWithPlacement(opts, deps.plan, deps.open)
  await closeAll(asked, (host) => !planned.plan.hosts.some((h) => h.name === host))
  const open = (h: TargetHost): Promise<HostSession> => {
    const session = asked.get(h.name)
    asked.delete(h.name)
    return session ? Promise.resolve(session) : deps.open(h)
  }
  try {
    return await createPlanned(planned, opts, open)
  } finally {
    await closeAll(asked)
  }
}

async function createPlanned({plan, targets}: PlanResult, opts: CreateOptions, open: (h: TargetHost) => Promise<HostSession>): Promise<RunResult> {
  const emit = opts.onEvent ?? (() => {})
  if (opts.start || opts.wait) for (const g of plan.guests) g.start = true
  if (plan.summary.errors > 0 || plan.guests.length === 0) return unstartedResult(plan)

  const run = startRun(plan, targets.hosts, opts.parallel)
  emit({type: 'work', hosts: run.hosts.map((r) => r.target.name), guests: plan.guests.map((g) => ({host: g.host, guest: g.name})), hostWork: 'connect, preflight, host settings and commit'})
  try {
    await openSessions(run, open, emit)
    const problems = await preflight(run, opts)
    problems.push(...(await clusterSwitchProblems(run, [...targets.hosts, ...(targets.clusterPeers ?? [])], new Map(run.hosts.map((r) => [r.target.name, r.switches ?? []])), open, emit)))
    if (problems.length > 0) return finishRun(run, 'invalid', {problems})

    await beginAndCreateGuests(run, opts, emit)
    if (run.failed) return await rollBackFailedRun(run, emit)

    const commit = await commitAll(run.hosts, run.id, emit)
    if (commit.uncommitted.length > 0) return finishRun(run, 'commit-failed', {commitErrors: commit.uncommitted})
    if (commit.rollBack) {
      blameRefusedHosts(run, commit.refused)
      return await rollBackFailedRun(run, emit)
    }

    if (!opts.wait) {
      await settleSeedMedia(run.hosts, run.results, null, opts, emit)
      return finishRun(run, 'ok')
    }
    const waited = await waitUntilReady(run, opts.wait, opts.signal, emit)
    await settleSeedMedia(run.hosts, run.results, waited, opts, emit)
    return finishRun(run, waited.ready ? 'ok' : 'not-ready', {wait: waited})
  } catch (error) {
    return await rollBackAfterError(run, error, emit)
  } finally {
    await closeSessions(run)
  }
}
