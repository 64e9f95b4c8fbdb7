/**
 * The readable view of a Plan (`hvguest plan` without --json): per guest its drives as
 * `IDE 0:0` / `SCSI 1:5`, adapters, integration strategy and boot order; per host the
 * settings the run applies; then every diagnostic with file:line:column.
 */
import {formatDiagnostic} from '../model/diagnostic.js'
import {escapeControl} from '../util/escape-control.js'
import type {ControllerType, Plan, PlannedDrive, PlannedGuest, PlannedHost, PlannedNetworkAdapter} from '../model/plan.js'
import {formatSize} from '../model/sizes.js'
import {MESSAGES} from '../model/messages.js'
import {renderTable} from './table.js'
import {hostAdapterName} from '../resolve/network/resolve-adapters.js'

export const slotLabel = (d: Pick<PlannedDrive, 'controller'>) => `${d.controller.type} ${d.controller.number}:${d.controller.location}`

/**
 * IDE before SCSI, then by controller and location: the order Hyper-V Manager lists them. An
 * explicit rank, not localeCompare: its first call builds ICU's collator, ~5 ms of a cold plan.
 */
const CONTROLLER_RANK: Record<ControllerType, number> = {IDE: 0, SCSI: 1}
const bySlot = (a: PlannedDrive, b: PlannedDrive) =>
  CONTROLLER_RANK[a.controller.type] - CONTROLLER_RANK[b.controller.type] || a.controller.number - b.controller.number || a.controller.location - b.controller.location

const shown = escapeControl // values in tables are data, never layout

function driveSource(d: PlannedDrive): string {
  if (d.diskNumber !== null) return `pass-through disk ${d.diskNumber}`
  if (d.copyFrom) return `copy of ${d.copyFrom}`
  const c = d.create
  if (c) {
    const bits = [c.type === 'Differencing' ? `differencing, parent ${c.parentPath}` : `new ${c.type.toLowerCase()} ${c.sizeBytes !== null ? formatSize(c.sizeBytes) : ''}`.trim()]
    if (c.blockSizeBytes) bits.push(`block ${formatSize(c.blockSizeBytes)}`)
    if (c.sectorSizeBytes) bits.push(`sector ${c.sectorSizeBytes}`)
    return bits.join(', ')
  }
  if (d.kind === 'dvd') return d.path ? 'ISO' : 'empty drive'
  return 'existing disk'
}

function memoryText(g: PlannedGuest): string {
  const m = g.memory
  return m.dynamic ? `${formatSize(m.startupBytes)} dynamic ${formatSize(m.minimumBytes ?? 0)}-${formatSize(m.maximumBytes ?? 0)}` : `${formatSize(m.startupBytes)} static`
}

export function renderGuest(g: PlannedGuest): string {
  const out: string[] = []
  const os = [g.os.family, g.os.distro, g.os.version].filter(Boolean).join(' ')
  out.push(`Guest ${shown(g.name)}  (template ${g.template}, host ${g.host}, profile ${g.profile})`)
  out.push(`  Generation ${g.generation}, ${g.processors} vCPU, ${memoryText(g)}, ${os}${g.roles.length ? `, roles: ${g.roles.join(', ')}` : ''}`)
  if (g.placement) out.push(`  Placed on ${g.host}: ${g.placement.reason}`)
  out.push(`  Folder ${shown(g.path)}`)
  out.push('  Drives')
  out.push(
    renderTable(
      ['slot', 'kind', 'role', 'name', 'path', 'source'],
      [...g.drives].sort(bySlot).map((d) => [slotLabel(d) + (d.pinned ? '*' : ''), d.kind, d.role, shown(d.name), shown(d.path ?? '-'), shown(driveSource(d))]),
      '    ',
    ),
  )
  if (g.drives.some((d) => d.pinned)) out.push('    (* pinned in the template)')
  if (g.networkAdapters.length) {
    out.push('  Network adapters')
    out.push(
      renderTable(
        ['name', 'switch', 'type', 'vlan', 'jumbo', 'vmq', 'mac', 'ipv4'],
        g.networkAdapters.map((a) => [
          shown(a.name),
          shown(a.switch),
          a.legacy ? 'legacy' : 'synthetic',
          a.vlan === null ? '-' : String(a.vlan),
          a.jumboPacket === null ? 'standard' : String(a.jumboPacket),
          a.vmq ? 'on' : 'off',
          a.macAddress ?? 'dynamic',
          ipv4Shown(a.ipConfig),
        ]),
        '    ',
      ),
    )
  } else out.push('  Network adapters: none')
  if (g.chimney) out.push(`  TCP Chimney in the guest: ${g.chimney}`)
  const ic = g.integration
  out.push(`  Integration: ${ic.strategy} (install ${ic.install}) - ${ic.summary}`)
  out.push(`    services: ${ic.services.map((s) => `${s.name} ${s.enabled ? 'on' : 'off'}`).join(', ')}`)
  if (ic.kernelModules.length) out.push(`    initramfs modules: ${ic.kernelModules.join(' ')}`)
  if (ic.packages.length) out.push(`    guest packages: ${ic.packages.join(' ')}`)
  if (ic.offlinePackages.length) out.push(`    offline packages: ${ic.offlinePackages.join(', ')}`)
  if (g.firstBoot) {
    out.push(`  First boot: ${g.firstBoot.kind} from ${g.firstBoot.template} on ${g.firstBoot.media} (label ${g.firstBoot.label})`)
    if (g.firstBoot.files.length) out.push(`    files: ${g.firstBoot.files.map((f) => `${f.name} (${Buffer.byteLength(f.content)} bytes)`).join(', ')}`)
    if (g.firstBoot.bootHint) out.push(`    at the installer's boot prompt add: ${g.firstBoot.bootHint}`)
  }
  out.push(`  Boot order: ${g.bootOrder.join(', ')}`)
  if (g.security.tpm) {
    const sb = g.firmware.secureBoot === 'off' ? 'Secure Boot off' : `Secure Boot on${g.firmware.secureBootTemplate ? ` (${g.firmware.secureBootTemplate})` : ''}`
    out.push(`  Security: virtual TPM (new local key protector), ${sb}`)
  }
  const extras = [
    g.checkpoints && `checkpoints ${g.checkpoints}`,
    g.automaticStartAction && `start action ${g.automaticStartAction}`,
    g.automaticStopAction && `stop action ${g.automaticStopAction}`,
    g.nestedVirtualization && 'nested virtualization',
    g.floppy && `floppy ${g.floppy}`,
    g.start && 'start after creation',
  ].filter(Boolean)
  if (extras.length) out.push(`  Settings: ${extras.join(', ')}`)
  return out.join('\n')
}

export function renderHost(h: PlannedHost): string {
  const out = [`Host ${h.name}  (${h.os}${h.osSource === 'inventory' ? '' : `, ${h.osSource === 'flag' ? 'from --host-os' : 'assumed'}`}, ${h.transport}, profile ${h.profile})`]
  if (h.network.jumbo.length === 0) out.push('  jumbo frames: none to set (standard 1514)')
  for (const j of h.network.jumbo) {
    out.push(`  jumbo ${j.value} for switch ${j.switch}: ${j.targets.map((t) => (t === 'physical-nic' ? 'its physical NIC' : hostAdapterName(j.switch))).join(' and ')}`)
  }
  const chimneyWhy = h.os === 'windows-server-2008r2' ? 'the profile sets none' : 'VM chimney exists only on 2008 R2 hosts'
  out.push(`  TCP Chimney (host-global): ${h.network.chimney ?? `left alone (${chimneyWhy})`}`)
  out.push(`  VMQ: ${h.network.vmq === null ? 'left alone' : h.network.vmq ? 'on' : 'off'}`)
  return out.join('\n')
}

export function renderPlan(plan: Plan): string {
  const out: string[] = []
  for (const g of plan.guests) out.push(renderGuest(g), '')
  // Host settings matter only for what will be created there.
  for (const h of plan.hosts) if (plan.guests.some((g) => g.host === h.name)) out.push(renderHost(h), '')
  if (plan.diagnostics.length) {
    out.push('Diagnostics')
    for (const d of plan.diagnostics) out.push(`  ${formatDiagnostic(d)}`)
    out.push('')
  }
  const s = plan.summary
  out.push(`${s.guests} guest${s.guests === 1 ? '' : 's'} planned on ${plan.hosts.length} host${plan.hosts.length === 1 ? '' : 's'}; ${MESSAGES.summary(s.errors, s.warnings, s.infos)}`)
  return out.join('\n')
}

/** `10.200.1.10/24 via 10.200.1.1, dns 10.200.1.53`, or `dhcp` (with its own DNS servers, if any). */
function ipv4Shown(ip: PlannedNetworkAdapter['ipConfig']): string {
  if (ip === null) return 'dhcp'
  const address = ip.addresses.length === 0 ? 'dhcp' : `${ip.addresses.join(' ')}${ip.gateway === null ? '' : ` via ${ip.gateway}`}`
  return ip.dns.length === 0 ? address : `${address}, dns ${ip.dns.join(' ')}`
}
