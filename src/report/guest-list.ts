/**
 * `hvguest list` for people: per host, each guest with its state and generation, then its
 * drives by slot, its adapters and its integration services.
 */
import type {HostAnswer} from '../execute/host-actions.js'
import {seedMediaWarnings, type ListedGuest} from '../execute/listed-guest.js'
import {renderTable} from './table.js'

export function renderGuestList(answers: Array<HostAnswer<{guests: unknown[]}>>): string {
  const out: string[] = []
  for (const a of answers) {
    if (!a.ok) {
      out.push(`${a.host}: failed: ${a.error?.message}`)
      continue
    }
    const guests = (a.data?.guests ?? []) as ListedGuest[]
    out.push(`${a.host}: ${guests.length} guest${guests.length === 1 ? '' : 's'}`)
    for (const g of guests) {
      out.push(`  ${g.name}  ${g.state ?? '?'}  Gen${g.generation ?? '?'}${g.managed ? '  (created by hvguest)' : ''}`)
      if (g.clusterRole) out.push(`    cluster role ${g.clusterRole.name}, owner node ${g.clusterRole.ownerNode}`)
      if (g.drives?.length) {
        out.push(
          renderTable(
            ['slot', 'kind', 'path'],
            g.drives.map((d) => [`${d.controller.type} ${d.controller.number}:${d.controller.location}`, d.kind ?? '', d.path ?? (d.diskNumber !== null && d.diskNumber !== undefined ? `disk ${d.diskNumber}` : '(empty)')]),
            '    ',
          ),
        )
      }
      for (const n of g.networkAdapters ?? []) {
        out.push(`    adapter ${n.name}${n.legacy ? ' (legacy)' : ''} on ${n.switch ?? '(not connected)'}${n.macAddress ? ` MAC ${n.macAddress}` : ''}`)
      }
      if (g.integrationServices?.length) out.push(`    services: ${g.integrationServices.map((s) => `${s.name} ${s.enabled ? 'on' : 'off'}`).join(', ')}`)
      for (const w of seedMediaWarnings(g.name, g.seedMedia)) out.push(`    ! ${w.message} [${w.code}]`)
    }
  }
  return out.join('\n')
}
