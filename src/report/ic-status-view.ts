/**
 * `hvguest ic status` for people: per guest, what it reports (state, heartbeat, IC version,
 * addresses, host name), each integration service by GUID with its status, then the problems
 * with what to do about them.
 */
import type {IcReport} from '../execute/guest-status.js'
import type {IcInjectResult} from '../execute/ic-inject.js'
import {MESSAGES} from '../model/messages.js'
import {renderTable} from './table.js'

export function renderIcStatus(guests: IcReport[], missing: string[], hostErrors: Array<{host: string; message: string}>): string {
  const out: string[] = []
  for (const g of guests) {
    const os = g.os ? `${g.os.family}${g.os.distro ? ` ${g.os.distro}` : ''} ${g.os.version}` : g.kvp.OSName ?? 'OS unknown'
    out.push(`${g.host}/${g.name}  ${g.state}  ${os}${g.managed ? '' : '  (not created by hvguest)'}`)
    out.push(`  heartbeat: ${g.heartbeat || '-'}    IC version (guest): ${g.integrationServicesVersion ?? '-'}    ready: ${g.ready ? 'yes' : 'no'}`)
    out.push(`  addresses (KVP): ${[...g.ipv4, ...g.ipv6].join(', ') || '-'}${g.kvp.FullyQualifiedDomainName ? `    host name: ${g.kvp.FullyQualifiedDomainName}` : ''}`)
    out.push(
      renderTable(
        ['service', 'id', 'enabled', 'status', 'in a Linux guest'],
        g.services.map((s) => [s.name, s.id, s.enabled ? 'yes' : 'no', s.status || '-', s.linux ?? '-']),
        '  ',
      ),
    )
    for (const p of g.problems) out.push(`  ! ${p.message} [${p.code}]`)
    for (const w of g.warnings ?? []) out.push(`  ! warning: ${w.message} [${w.code}]`)
  }
  for (const e of hostErrors) out.push(`${e.host}: failed: ${e.message}`)
  if (missing.length > 0) out.push(`not found on any host asked: ${missing.join(', ')}`)
  return out.join('\n')
}

export function renderIcInject(r: IcInjectResult): string {
  const out: string[] = []
  for (const c of r.changes as Array<{action?: string; slot?: string; path?: string; previous?: string | null; disk?: string; packages?: string[]}>) {
    if (c.action === 'offline') out.push(`${r.name}: added ${c.packages?.join(', ')} to ${c.disk}`)
    else if (c.action === 'already-attached') out.push(`${r.name}: ${c.path} is already in the DVD drive at ${c.slot}; nothing to do`)
    else if (c.action === 'set-media') out.push(`${r.name}: ${c.slot} now holds ${c.path}${c.previous ? ` (was ${c.previous})` : ''}`)
    else out.push(`${r.name}: new DVD drive at ${c.slot} with ${c.path}`)
  }
  if (r.status === 'ok') {
    out.push(`Done on ${r.host} (run ${r.runId}).${r.steps.some((s) => s.mode === 'seed') ? ' The guest reads new seed media at its next boot; cloud-init runs again because the instance-id changed.' : ''}`)
    if (r.seedSecret) out.push(`The new seed media carries a secret (a password, or its hash) and stays attached: once ${r.name} has booted from it, eject it (Set-VMDvdDrive -Path $null) and delete the file; "hvguest ic status ${r.name}" warns while it is attached [firstboot-secret-attached].`)
  } else if (r.status === 'commit-failed') out.push(MESSAGES.commitLeftToRecover(r.runId, `${r.error?.step}: ${r.error?.message}`))
  else if (r.rollbackErrors.length > 0) out.push(`Failed on ${r.host} at ${r.error?.step}${r.error?.cmdlet ? ` (${r.error.cmdlet})` : ''}: ${r.error?.message}. The undo left work: ${r.rollbackErrors.join('; ')}. Run "hvguest recover --host ${r.host}" to finish undoing run ${r.runId}.`)
  else out.push(`Failed on ${r.host} at ${r.error?.step}${r.error?.cmdlet ? ` (${r.error.cmdlet})` : ''}: ${r.error?.message}. What this run changed was undone.`)
  return out.join('\n')
}
