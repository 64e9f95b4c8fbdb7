/**
 * Seed media that carries a secret, once a create run is committed: removed from a guest that
 * --wait found ready, kept (and said why) on every other one.
 */
import type {PlannedGuest} from '../model/plan.js'
import {checkedAnswer} from '../powershell/answers.js'
import type {ResultLine, RuntimeRequest} from '../powershell/protocol.js'
import {failureOf, type StepOptions, type Emit, type HostRun} from './create-run.js'
import type {WaitResult} from './guest-status.js'
import {newRunId} from './run-id.js'
import type {GuestResult, SeedMediaOutcome} from './types.js'

/**
 * What becomes of each created guest's seed media that carries a secret (the Windows answer file
 * can only obfuscate a password; cloud-init and kickstart media carry its hash): a guest that
 * --wait found ready has it ejected and deleted, one request run of its own on its host
 * (removeSecretMedia); every other guest keeps it, and says why. A removal that fails leaves the
 * guest as created (never a rollback of the create run) with a firstboot-secret-attached warning,
 * and the exit code as the wait decided.
 */
export async function settleSeedMedia(runs: HostRun[], results: Map<string, GuestResult>, waited: WaitResult | null, opts: StepOptions, emit: Emit): Promise<void> {
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
async function removeSecretMedia(r: HostRun, g: PlannedGuest, vmId: string | null, opts: StepOptions, emit: Emit): Promise<{ok: true; reason: string} | {ok: false; message: string}> {
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
