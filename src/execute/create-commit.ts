/**
 * The commit of a create run on every host (docs/execution.md section 4, "Journal, manifest and
 * lock"). A commit marks the host's journal first: from then on the guests are kept and a retried
 * commit or `recover` finishes the commit, never a rollback. Over several hosts, every journal is
 * marked ("prepare") before any commit completes, so that the run either keeps its guests
 * everywhere or rolls back everywhere.
 */
import {checkedAnswer} from '../powershell/answers.js'
import type {ResultLine} from '../powershell/protocol.js'
import {failureOf, resultOf, type CreateRun, type Emit, type HostRun} from './create-run.js'
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

/** Every guest of a host that refused the commit carries the host's refusal as its error. */
export function blameRefusedHosts(run: CreateRun, refused: CommitOutcome['refused']): void {
  for (const f of refused) for (const g of run.hosts.find((r) => r.target.name === f.host)!.guests) resultOf(run, g).error = f.error
}
