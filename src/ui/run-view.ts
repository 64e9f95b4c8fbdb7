/**
 * The end of a run, for people: one line per guest, then what went wrong and what to do.
 */
import {formatDiagnostic} from '../model/diagnostic.js'
import type {RunResult} from '../provision/types.js'
import {renderTable} from './table.js'

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
  for (const e of r.rollbackErrors) out.push(`rollback on ${e.host} left work undone: ${e.message}`)
  if (r.rollbackErrors.length > 0) out.push(`Run "hvguest recover" to finish undoing run ${r.runId}.`)
  if (r.status === 'ok') out.push(`${r.guests.length} guest${r.guests.length === 1 ? '' : 's'} created (run ${r.runId}).`)
  if (r.status === 'failed') out.push(`The run failed and was rolled back: nothing it created is left${r.rollbackErrors.length ? ' except what is listed above' : ''}.`)
  return out.join('\n')
}
