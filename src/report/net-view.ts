/**
 * `hvguest net show|apply|restore` for people: the host's NICs, switches and offload state, and
 * for apply/restore each setting before and after.
 */
import {formatDiagnostic} from '../model/diagnostic.js'
import type {HostFacts} from '../execute/host-facts.js'
import type {NetApplyResult, NetRestoreResult, NetSetting} from '../execute/host-network.js'
import {renderTable} from './table.js'

export function renderNetShow(host: string, f: HostFacts): string {
  const physical = f.nics.filter((n) => !n.virtual && !/^vEthernet \(/i.test(n.name))
  const vEthernet = f.nics.filter((n) => /^vEthernet \(/i.test(n.name))
  const jumbo = (n: HostFacts['nics'][number]) => (n.jumboPacket ? `${n.jumboPacket.value} (valid ${n.jumboPacket.valid.join(', ')})` : '-')
  const out = [`${host}: ${f.os?.caption ?? 'OS unknown'}${f.os ? ` (${f.os.version})` : ''}`, '', 'Physical network adapters']
  out.push(
    renderTable(
      ['name', 'description', 'status', 'speed', 'media', '*JumboPacket', 'VMQ', 'TCP offload'],
      physical.map((n) => [n.name, n.interfaceDescription, n.status, n.linkSpeed, n.physicalMediaType || n.mediaType || '-', jumbo(n), n.vmq ? (n.vmqEnabled ? 'enabled' : 'disabled') : 'no', n.tcpOffload ? (n.tcpOffload.value === '1' ? 'on' : 'off') : 'no']),
      '  ',
    ),
  )
  out.push('', 'Virtual switches')
  out.push(renderTable(['switch', 'type', 'bound to', 'host adapter'], f.switches.map((s) => [s.name, s.type, s.nics.join(', ') || s.nicDescriptions.join(', ') || '-', s.hostAdapter ?? '-']), '  '))
  if (vEthernet.length > 0) {
    out.push('', 'Host vEthernet adapters')
    out.push(renderTable(['name', 'status', '*JumboPacket'], vEthernet.map((n) => [n.name, n.status, jumbo(n)]), '  '))
  }
  out.push('', `TCP Chimney (global): ${f.chimney ?? 'unknown'}`)
  return out.join('\n')
}

function restartedLine(adapters: string[]): string {
  return `Restarted once for the new values: ${adapters.join(', ')} (traffic through ${adapters.length === 1 ? 'it' : 'them'} paused for a few seconds).`
}

function settingsTable(settings: NetSetting[]): string {
  return renderTable(
    ['setting', 'switch', 'adapter', 'before', 'after', 'action'],
    settings.map((s) => [s.setting === 'jumbo' ? '*JumboPacket' : s.setting === 'vmq' ? 'VMQ' : 'TCP Chimney', s.switch ?? '-', s.adapter ?? '(host)', s.before ?? '-', s.after ?? '-', s.action + (s.reason && s.action === 'skipped' ? ` (${s.reason})` : '')]),
  )
}

export function renderNetApply(r: NetApplyResult): string {
  const out: string[] = [`${r.host}: profile ${r.profile} on switch${r.switches.length === 1 ? '' : 'es'} ${r.switches.join(', ') || '(none)'}`]
  if (r.settings.length > 0) out.push(settingsTable(r.settings))
  for (const d of r.diagnostics) out.push(formatDiagnostic(d))
  if (r.status === 'dry-run' && r.settings.some((s) => (s.setting === 'jumbo' || s.setting === 'vmq') && s.action === 'set')) {
    out.push('Note: each adapter whose *JumboPacket or VMQ changes is restarted once: traffic through it (host and guests) pauses for a few seconds.')
  }
  if (r.status === 'ok' && r.restartedAdapters.length > 0) out.push(restartedLine(r.restartedAdapters))
  switch (r.status) {
    case 'dry-run':
      out.push(`Dry run: ${r.settings.filter((s) => s.action === 'set').length} setting(s) would change; nothing was changed.`)
      break
    case 'unchanged':
      out.push('Nothing to change: the host already has the profile\'s settings.')
      break
    case 'ok':
      out.push(`Applied (run ${r.runId}). The values before are kept on the host (${r.record}): "hvguest net restore --host ${r.host}" puts them back.`)
      break
    case 'failed':
      out.push(`Failed at ${r.error?.step}${r.error?.cmdlet ? ` (${r.error.cmdlet})` : ''}: ${r.error?.message}. What this run changed was put back.`)
  }
  return out.join('\n')
}

export function renderNetRestore(r: NetRestoreResult): string {
  if (r.status === 'nothing-recorded') return `${r.host}: hvguest has recorded no host network setting to restore; nothing changed.`
  if (r.status === 'failed') return `${r.host}: restore failed at ${r.error?.step}${r.error?.cmdlet ? ` (${r.error.cmdlet})` : ''}: ${r.error?.message}. What this run changed was put back; the record is kept.`
  return [`${r.host}: the recorded values are back (run ${r.runId}).`, settingsTable(r.settings), ...(r.restartedAdapters.length > 0 ? [restartedLine(r.restartedAdapters)] : [])].join('\n')
}
