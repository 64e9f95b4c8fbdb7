/**
 * The end of a run, for people: one line per guest, then what went wrong and what to do.
 */
import {formatDiagnostic} from '../model/diagnostic.js'
import type {IcReport} from '../execute/guest-status.js'
import type {RunResult} from '../execute/types.js'
import {MESSAGES} from '../model/messages.js'
import {renderTable} from './table.js'

/** After --wait: one line per guest with what it reported, and for a late one the likely cause. */
export function renderReadiness(guests: IcReport[]): string {
  const out = [
    renderTable(
      ['guest', 'host', 'ready', 'heartbeat', 'IPv4 (KVP)'],
      guests.map((g) => [g.name, g.host, g.ready ? 'yes' : 'no', g.heartbeat || '-', g.ipv4.join(', ') || '-']),
    ),
  ]
  for (const g of guests) if (!g.ready) for (const p of g.problems) out.push(`  ${g.name}: ${p.message} [${p.code}]`)
  return out.join('\n')
}

export function renderRun(r: RunResult): string {
  const out: string[] = []
  if (r.status === 'invalid' && r.problems.length === 0) {
    for (const d of r.plan.diagnostics) out.push(formatDiagnostic(d))
    out.push('The plan has errors: nothing was created.')
    return out.join('\n')
  }
  if (r.problems.length > 0) {
    for (const d of r.problems) out.push(formatDiagnostic(d))
    out.push('The hosts are not ready for this plan: nothing was changed.')
    return out.join('\n')
  }
  out.push(
    renderTable(
      ['guest', 'host', 'status', 'vm id', 'error'],
      r.guests.map((g) => [g.name, g.host, g.status, g.vmId ?? '-', g.error ? `${g.error.step}${g.error.cmdlet ? ` (${g.error.cmdlet})` : ''}: ${g.error.message}` : '']),
    ),
  )
  // What a host could not take as planned (a setting its cmdlets lack): said, never skipped silently.
  const warned = r.guests.flatMap((g) => (g.warnings ?? []).map((w) => ({g, w})))
  for (const {g, w} of warned) out.push(MESSAGES.hostWarning(g.name, g.host, w))
  for (const e of r.rollbackErrors) out.push(`rollback on ${e.host} left work undone: ${e.message}`)
  if (r.rollbackErrors.length > 0) out.push(`Run "hvguest recover" to finish undoing run ${r.runId}.`)
  if (r.wait) out.push('', r.wait.error ? `Waiting failed: ${r.wait.error}` : renderReadiness(r.wait.guests))
  // Seed media that carries a secret: removed after --wait, or why it is still there.
  const seeds = r.guests.filter((g) => g.seedMedia)
  if (seeds.length > 0) out.push('', ...seeds.map((g) => `${g.name}: seed media with a secret ${g.seedMedia!.status} (${g.seedMedia!.media}): ${g.seedMedia!.reason}`))
  if (r.status === 'ok') out.push(`${r.guests.length} guest${r.guests.length === 1 ? '' : 's'} created (run ${r.runId})${r.wait ? `, ready after ${(r.wait.elapsedMs / 1000).toFixed(0)} s` : ''}.`)
  if (r.status === 'not-ready') {
    const late = r.wait!.error ? r.guests.map((g) => g.name) : r.wait!.guests.filter((g) => !g.ready).map((g) => g.name)
    out.push(`${r.guests.length} guest${r.guests.length === 1 ? '' : 's'} created (run ${r.runId}), but ${late.join(', ')} ${late.length === 1 ? 'was' : 'were'} not ready after ${(r.wait!.elapsedMs / 1000).toFixed(0)} s. The guests are kept: see the causes above, "hvguest ic status ${late.join(' ')}", and the VM console.`)
  }
  if (r.status === 'commit-failed') out.push(...r.commitErrors.map((e) => MESSAGES.commitFailed(e.host, r.runId!, e.message, r.guests.filter((g) => g.host === e.host).map((g) => g.name))))
  if (r.status === 'failed') out.push(`The run failed and was rolled back: nothing it created is left${r.rollbackErrors.length ? ' except what is listed above' : ''}.`)
  return out.join('\n')
}
