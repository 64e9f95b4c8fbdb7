/**
 * Rolling a create run back: on every host where it began, everything the run did is undone
 * (the host's journal says what); an undo step that fails stays in the journal for `recover`.
 */
import {checkedAnswer} from '../powershell/answers.js'
import type {HostSession} from '../powershell/session.js'
import {failureOf, finishRun, HostFailure, sessionsOf, type CreateRun, type Emit, type HostRun} from './create-run.js'
import type {RunResult} from './types.js'

export async function rollbackAll(runs: HostRun[], runId: string, emit: Emit): Promise<Array<{host: string; message: string}>> {
  const errors: Array<{host: string; message: string}> = []
  const rollBack = async (r: HostRun, session: HostSession, worker?: number): Promise<void> => {
    const host = r.target.name
    try {
      const res = checkedAnswer('rollback', await session.request({action: 'rollback', runId, ...(worker ? {worker} : {}), vmRoot: r.target.vmRoot}))
      if (!res.ok) errors.push({host, message: failureOf(res)!.message})
      for (const e of ((res.data as {errors?: string[]})?.errors ?? [])) errors.push({host, message: e})
    } catch (error) {
      errors.push({host, message: `${(error as Error).message}; run "hvguest recover --host ${host}"`})
    }
  }
  await Promise.all(
    runs.map(async (r) => {
      const begun = sessionsOf(r).filter((s) => s.begun && s.session)
      if (begun.length === 0) return
      emit({type: 'host', host: r.target.name, message: 'rolling back this run'})
      // A host's workers first (create --parallel), then the lead, which undoes the host settings;
      // the lock goes with the run's last journal.
      await Promise.all(begun.filter((s) => s.worker).map((s) => rollBack(r, s.session!, s.worker)))
      for (const s of begun.filter((x) => !x.worker)) await rollBack(r, s.session!)
    }),
  )
  return errors
}

/**
 * A begin, a guest, an interruption or a refused commit failed the run: it is rolled back on
 * every host, and what it had created is reported rolled back. What a failed begin could not undo
 * of itself (run.beginUndoErrors) comes first in the run's rollbackErrors.
 */
export async function rollBackFailedRun(run: CreateRun, emit: Emit): Promise<RunResult> {
  const rollbackErrors = [...run.beginUndoErrors, ...(await rollbackAll(run.hosts, run.id, emit))]
  for (const g of run.results.values()) if (g.status === 'created') g.status = 'rolled-back'
  return finishRun(run, 'failed', {rollbackErrors})
}

/**
 * A step threw (a session that could not be opened or was lost, a host that failed its
 * preflight): the run is rolled back on every host where it began. A host's failed preflight
 * is the run's failure, reported on that host's guests; anything else (no pwsh, a bad state
 * file) is input to fix, and is thrown on.
 */
export async function rollBackAfterError(run: CreateRun, error: unknown, emit: Emit): Promise<RunResult> {
  if (error instanceof HostFailure) {
    const rollbackErrors = await rollbackAll(run.hosts, run.id, emit)
    for (const g of run.results.values()) if (g.host === error.host && !g.error) g.error = error.failure
    return finishRun(run, 'failed', {rollbackErrors})
  }
  await rollbackAll(run.hosts, run.id, emit)
  throw error
}
