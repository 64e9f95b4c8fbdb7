/**
 * The readable view of a LabPlan (`hvguest lab plan` without --json): the networks the lab
 * creates or uses, its guests in the order they are created (host, template, adapters with MAC
 * and address, what each waits for), then every diagnostic with file:line:column.
 */
import {formatDiagnostic} from '../model/diagnostic.js'
import type {LabPlan, LabPlannedNetwork} from '../model/lab-plan.js'
import {MESSAGES} from '../model/messages.js'
import {escapeControl} from '../util/escape-control.js'
import {renderTable} from './table.js'

const shown = escapeControl // values in tables are data, never layout

/** 00155D0A0B0C → 00-15-5D-0A-0B-0C, as Hyper-V Manager and Get-VMNetworkAdapter show it. */
const macText = (mac: string) => mac.match(/../g)!.join('-')

function natText(n: LabPlannedNetwork): string {
  return n.nat ? `NetNat ${shown(n.natName ?? '')}` : '-'
}

/** What making an external switch does to the host's own network, said before it happens. */
export function externalNote(n: Pick<LabPlannedNetwork, 'name' | 'switch' | 'adapter' | 'allowManagementOS'>): string {
  return n.allowManagementOS === false
    ? `external network ${shown(n.name)}: making switch ${shown(n.switch)} binds ${shown(n.adapter ?? '?')}, and the host stops using that adapter itself (allowManagementOS: false)`
    : `external network ${shown(n.name)}: making switch ${shown(n.switch)} moves the host's addresses on ${shown(n.adapter ?? '?')} to vEthernet (${shown(n.switch)}); the host's connection through that adapter drops for a moment`
}

export function renderLabPlan(labPlan: LabPlan): string {
  const {lab, networks, guests, plan} = labPlan
  const out: string[] = [`Lab ${shown(lab.name)}${lab.description ? `: ${shown(lab.description)}` : ''}${lab.prefix ? `  (prefix ${shown(lab.prefix)})` : ''}`, '']
  if (networks.length) {
    out.push('Networks')
    out.push(
      renderTable(
        ['network', 'switch', 'type', 'subnet', 'gateway', 'NAT', 'hosts'],
        networks.map((n) => [
          shown(n.name),
          shown(n.switch) + (n.type === 'existing' ? ' (existing)' : ''),
          n.type + (n.adapter ? ` on ${shown(n.adapter)}` : ''),
          n.subnet ?? '-',
          n.gateway ?? '-',
          natText(n),
          n.hosts.join(', ') || '-',
        ]),
        '  ',
      ),
    )
    for (const n of networks.filter((x) => x.type === 'external')) out.push(`  ${externalNote(n)}`)
    out.push('')
  } else out.push('Networks: none (the guests keep their templates\' adapters)', '')
  out.push('Guests (in the order they are created)')
  for (const g of guests) {
    out.push(`  ${shown(g.name)}  (template ${shown(g.template)}, host ${g.host}${g.dependsOn.length ? `, after ${g.dependsOn.map(shown).join(', ')}` : ''})`)
    if (g.adapters.length) {
      out.push(
        renderTable(
          ['network', 'switch', 'mac', 'address', 'gateway', 'dns'],
          g.adapters.map((a) => [shown(a.network), shown(a.switch), macText(a.macAddress), a.address ?? 'DHCP', a.gateway ?? '-', a.dns.join(', ') || '-']),
          '    ',
        ),
      )
    } else out.push('    adapters: the template\'s own')
  }
  if (guests.length === 0) out.push('  none')
  out.push('')
  if (plan.diagnostics.length) {
    out.push('Diagnostics')
    for (const d of plan.diagnostics) out.push(`  ${formatDiagnostic(d)}`)
    out.push('')
  }
  const s = plan.summary
  out.push(`${s.guests} guest${s.guests === 1 ? '' : 's'} on ${networks.length} network${networks.length === 1 ? '' : 's'} planned; ${MESSAGES.summary(s.errors, s.warnings, s.infos)}`)
  return out.join('\n')
}
