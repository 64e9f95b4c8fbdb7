/**
 * `lab up`, `lab status` and `lab down` for people: what changed (or would), what the hosts have,
 * and what was removed or kept. Their --json output is the result object itself.
 */
import {formatDiagnostic} from '../model/diagnostic.js'
import type {LabDownResult} from '../lab/lab-down.js'
import type {LabStatusResult} from '../lab/lab-status.js'
import type {LabUpResult} from '../lab/lab-up.js'
import {externalNote} from './lab-view.js'
import {renderTable} from './table.js'

const ACTION_WORDS: Record<string, string> = {create: 'create', owned: 'exists (lab)', existing: 'exists (not the lab\'s: left alone)', reuse: 'reuse (existing NetNat)', none: '-'}

export function renderLabUp(r: LabUpResult): string {
  const out: string[] = []
  const problems = [...r.diagnostics.filter((d) => d.severity !== 'info'), ...r.problems]
  if (r.networks.length > 0) {
    out.push('Networks')
    out.push(
      renderTable(
        ['host', 'network', 'switch', 'type', 'switch action', 'gateway', 'NAT'],
        r.networks.map((n) => [n.host, n.network, n.switch, n.type, ACTION_WORDS[n.actions.switch], ACTION_WORDS[n.actions.address], n.actions.nat === 'none' ? '-' : `${ACTION_WORDS[n.actions.nat]}${n.natName ? ` ${n.natName}` : ''}`]),
        '  ',
      ),
    )
  }
  for (const n of r.networks.filter((x) => x.type === 'external' && x.actions.switch === 'create')) {
    const planned = r.labPlan.networks.find((p) => p.name === n.network)
    if (planned) out.push(`  ${externalNote(planned)}`)
  }
  if (r.guests.length > 0) {
    out.push('Guests')
    out.push(
      renderTable(
        ['host', 'guest', 'action', 'result', 'drift'],
        r.guests.map((g) => [g.host, g.name, g.action === 'exists' ? 'exists' : g.action, g.result ? `${g.result.status}${g.result.error ? `: ${g.result.error.message}` : ''}` : '-', g.drift.join('; ') || '-']),
        '  ',
      ),
    )
  }
  for (const d of problems) out.push(formatDiagnostic(d))
  for (const e of r.rollbackErrors) out.push(`rollback on ${e.host}: ${e.message}`)
  for (const e of r.commitErrors) out.push(`commit on ${e.host}: ${e.message} (run "hvguest recover --host ${e.host}")`)
  const drifted = r.guests.filter((g) => g.action === 'drift')
  if (drifted.length > 0) out.push(`drift left alone: ${drifted.map((g) => g.name).join(', ')} (--recreate NAME makes one again as planned)`)
  out.push(LAB_UP_STATUS[r.status](r))
  return out.join('\n')
}

const LAB_UP_STATUS: Record<LabUpResult['status'], (r: LabUpResult) => string> = {
  ok: (r) => `lab ${r.lab} is up (run ${r.runId}).`,
  unchanged: (r) => `lab ${r.lab} is up to date: nothing to change.`,
  'dry-run': () => 'Nothing has changed (--dry-run).',
  invalid: () => 'Nothing has changed: fix the problems above.',
  failed: (r) => `lab ${r.lab}: the run failed; everything it changed was rolled back.`,
  'not-ready': (r) => `lab ${r.lab}: ${r.wait?.guests.filter((g) => !g.ready).map((g) => g.name).join(', ') || 'a guest'} not ready in time; what was made is kept (run "hvguest lab up" again to go on).`,
  'commit-failed': (r) => `lab ${r.lab}: made, but not committed on every host (run "hvguest recover").`,
}

export function renderLabStatus(r: LabStatusResult): string {
  const out: string[] = []
  out.push('Networks')
  out.push(
    renderTable(
      ['host', 'network', 'switch', 'type', 'exists', 'gateway', 'NAT', 'drift'],
      r.networks.map((n) => [
        n.host,
        n.network,
        n.switch,
        n.type,
        n.exists ? 'yes' : 'no',
        n.gateway ? `${n.gateway}${n.gatewayPresent ? '' : ' (missing)'}` : '-',
        n.nat ? `${n.nat}${n.natPresent ? '' : ' (missing)'}` : '-',
        n.drift.join('; ') || '-',
      ]),
      '  ',
    ),
  )
  out.push('Guests')
  out.push(
    renderTable(
      ['host', 'guest', 'state', 'heartbeat', 'addresses (KVP)', 'planned', 'drift'],
      r.guests.map((g) => [g.host, g.name, g.exists ? (g.state ?? '?') : 'missing', g.heartbeat ?? '-', g.ipv4.join(', ') || '-', g.planned.join(', ') || 'DHCP', g.drift.join('; ') || '-']),
      '  ',
    ),
  )
  for (const d of [...r.diagnostics.filter((x) => x.severity !== 'info'), ...r.problems]) out.push(formatDiagnostic(d))
  out.push(r.converged ? `lab ${r.lab} is up to date.` : `lab ${r.lab} differs from its file: "hvguest lab up" makes what is missing.`)
  return out.join('\n')
}

export function renderLabDown(r: LabDownResult): string {
  const out: string[] = []
  for (const h of r.hosts) {
    if (!h.record) {
      out.push(`${h.host}: lab ${r.lab} has nothing here`)
      continue
    }
    for (const w of h.wouldRemove) out.push(`${h.host}: would remove ${w.kind} ${w.name}`)
    for (const g of h.guests.removed) out.push(`${h.host}: removed guest ${g}`)
    for (const g of h.guests.refused) out.push(`${h.host}: kept guest ${g.name}: ${g.message}`)
    for (const x of h.removed) out.push(`${h.host}: removed ${x.kind} ${x.name}`)
    for (const x of h.kept) out.push(`${h.host}: kept ${x.kind} ${x.name}: ${x.reason}`)
    if (h.error) out.push(`${h.host}: stopped: ${h.error} (run "hvguest lab down" again to finish)`)
  }
  for (const d of r.problems) out.push(formatDiagnostic(d))
  out.push(
    r.status === 'dry-run'
      ? 'Nothing has changed (--dry-run).'
      : r.status === 'absent'
        ? `lab ${r.lab} is not on any host asked.`
        : r.status === 'ok'
          ? `lab ${r.lab} is down.`
          : `lab ${r.lab}: not everything was removed.`,
  )
  return out.join('\n')
}
