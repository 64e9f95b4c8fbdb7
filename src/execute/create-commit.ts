/**
 * The commit of a create run on every host (docs/execution.md section 4, "Journal, manifest and
 * lock"). A commit marks the host's journal first: from then on the guests are kept and a retried
 * commit or `recover` finishes the commit, never a rollback. Over several hosts, every journal is
 * marked ("prepare") before any commit completes, so that the run either keeps its guests
 * everywhere or rolls back everywhere; so is every session's journal of a host with create --parallel.
 */
import {checkedAnswer} from '../powershell/answers.js'
import type {ResultLine} from '../powershell/protocol.js'
import {failureOf, resultOf, sessionsOf, type CreateRun, type Emit, type HostRun} from './create-run.js'
import {manifestGuest} from './guest-status.js'
import type {GuestResult} from './types.js'

export interface CommitOutcome {
  /** Hosts whose journal is marked for commit but whose commit did not complete: the guests are kept there. */
  uncommitted: Array<{host: string; message: string}>
  /** Hosts that refused the commit before marking anything: the run can, and must, roll back. */
  refused: Array<{host: string; error: NonNullable<GuestResult['error']>}>
  rollBack: boolean
}

export async function commitAll(runs: HostRun[], runId: string, emit: Emit): Promise<CommitOutcome> {
  const planned = (r: HostRun) => Object.fromEntries(r.guests.map((g) => [g.name, manifestGuest(g)]))
  // Every journal of the run: each host's lead, and its workers (create --parallel).
  const journals = runs.flatMap((r) =>
    sessionsOf(r)
      .filter((s) => !s.worker || s.begun)
      .map((s) => ({r, session: s.session!, worker: s.worker || undefined})),
  )
  const request = (j: (typeof journals)[number], prepare: boolean) => ({action: 'commit' as const, ...(prepare ? {prepare} : {}), runId, ...(j.worker ? {worker: j.worker} : {}), vmRoot: j.r.target.vmRoot, guests: planned(j.r)})
  const where = (j: (typeof journals)[number], message: string) => (j.worker ? `session ${j.worker}: ${message}` : message)
  const refused: CommitOutcome['refused'] = []
  const marked = new Set<(typeof journals)[number]>()
  const committing = (res: ResultLine) => (res.data as {committing?: boolean} | undefined)?.committing === true
  if (journals.length > 1) {
    await Promise.all(
      journals.map(async (j) => {
        const res = checkedAnswer('commit', await j.session.request(request(j, true)))
        if (res.ok || committing(res)) marked.add(j)
        else refused.push({host: j.r.target.name, error: failureOf(res)!})
      }),
    )
    if (refused.length > 0) return {uncommitted: [], refused, rollBack: true}
  }
  const uncommitted: CommitOutcome['uncommitted'] = []
  const complete = async (j: (typeof journals)[number]): Promise<void> => {
    const res = checkedAnswer('commit', await j.session.request(request(j, false)))
    if (res.ok) return
    const error = failureOf(res)!
    if (committing(res) || marked.has(j)) uncommitted.push({host: j.r.target.name, message: where(j, `${error.step}: ${error.message}`)})
    else refused.push({host: j.r.target.name, error})
  }
  await Promise.all(
    runs.map(async (r) => {
      emit({type: 'host', host: r.target.name, message: 'committing'})
      // A host's workers complete first: the lead's commit releases the lock, once no worker journal is left.
      const mine = journals.filter((j) => j.r === r)
      await Promise.all(mine.filter((j) => j.worker).map(complete))
      await complete(mine.find((j) => !j.worker)!)
    }),
  )
  // One journal only can refuse here (several were all marked above).
  if (uncommitted.length === 0 && refused.length > 0) return {uncommitted, refused, rollBack: true}
  return {uncommitted, refused: [], rollBack: false}
}

/** Every guest of a host that refused the commit carries the host's refusal as its error. */
export function blameRefusedHosts(run: CreateRun, refused: CommitOutcome['refused']): void {
  for (const f of refused) for (const g of run.hosts.find((r) => r.target.name === f.host)!.guests) resultOf(run, g).error = f.error
}
