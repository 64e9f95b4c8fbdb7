/**
 * The doctor checks of one reachable host, each a pure function of the host's facts: lines with
 * a stable code and a fix. checkHost (doctor.ts) runs them in the order `hvguest doctor` prints.
 */
import type {TargetHost} from '../model/target-host.js'
import {atLeast, type HostOs} from '../model/host-os.js'
import {formatSize, GB} from '../model/sizes.js'
import {sameVersion} from './config-version.js'
import {line, type CheckLine} from './doctor-check.js'
import {isWireless, nicOf, type HostFacts, type NicFacts, type SwitchFacts} from './host-facts.js'

/** Below this much free space under vmRoot a lab build fails; below the second, a warning. */
export const FREE_SPACE_FAIL = 10 * GB
export const FREE_SPACE_WARN = 50 * GB

/** What every host check reads: the host as the inventory has it, and what it answered. */
export interface HostCheckContext {
  host: TargetHost
  facts: HostFacts
  /** The OS the host's facts show, null when they do not say. */
  detected: HostOs | null
  /** The OS the host runs, else the inventory's. */
  os: HostOs
  /** The host's external virtual switches. */
  external: SwitchFacts[]
}

export type HostCheck = (ctx: HostCheckContext) => CheckLine[]

/** Hyper-V, as the user hvguest runs as. */
export function checkHyperV({facts}: HostCheckContext): CheckLine[] {
  const hvFailure = facts.errors.find((e) => e.fact === 'hyperV')
  const hvError = (hvFailure?.message ?? '').replace(/\s+/g, ' ').trim()
  if (facts.hyperV) {
    return [line('hyper-v', 'ok', null, `Hyper-V answers to ${facts.user}${facts.hyperVFeature ? ` (feature ${facts.hyperVFeature})` : ''}`)]
  }
  if (hvFailure?.category === 'PermissionDenied' || /permission|access is denied|unauthori[sz]ed/i.test(hvError)) {
    return [line('hyper-v', 'fail', 'hyperv-access-denied', `Hyper-V refuses ${facts.user}: ${hvError}`, `run hvguest as an administrator, or add ${facts.user} to the local "Hyper-V Administrators" group (Add-LocalGroupMember -SID S-1-5-32-578 -Member ...)`)]
  }
  return [
    line(
      'hyper-v',
      'fail',
      'hyperv-unavailable',
      `the Hyper-V role or its PowerShell module is not there${facts.hyperVFeature ? ` (feature Microsoft-Hyper-V: ${facts.hyperVFeature})` : ''}: ${hvError || 'Get-VMHost gave nothing'}`,
      'Install-WindowsFeature -Name Hyper-V -IncludeManagementTools -Restart (Server), or Enable-WindowsOptionalFeature -Online -FeatureName Microsoft-Hyper-V -All (Windows 10/11)',
    ),
  ]
}

/** What the host runs, and whether the inventory says the same (plans follow the inventory). */
export function checkHostOs({host, facts, detected}: HostCheckContext): CheckLine[] {
  const caption = facts.os ? `${facts.os.caption} (${facts.os.version})` : 'unknown'
  if (detected && host.osSource === 'inventory' && detected !== host.os) {
    return [line('host-os', 'warn', 'host-os-mismatch', `the host runs ${caption}, ${detected}; the inventory says ${host.os}, and plans follow the inventory`, `set os: ${detected} for ${host.name} in the inventory`)]
  }
  return [line('host-os', 'ok', null, `${caption}${detected ? `: ${detected}` : ''}`)]
}

/** The VM configuration versions the host supports, and its VMs it cannot run. */
export function checkConfigVersions({facts}: HostCheckContext): CheckLine[] {
  if (!facts.hyperV || !facts.configurationVersions) return []
  const supported = facts.configurationVersions
  // Whole versions, number by number: "0.0" is not in "10.0", and "9" is "9.0".
  const stranded = facts.vms.filter((v) => v.version && !supported.some((s) => sameVersion(s, v.version)))
  if (stranded.length > 0) {
    return [
      line(
        'config-versions',
        'fail',
        'config-version-unsupported',
        `${stranded.map((v) => `${v.name} (version ${v.version})`).join(', ')}: configuration version${stranded.length > 1 ? 's' : ''} this host does not support (it runs ${supported.join(', ')})`,
        'move the VM back to a host that runs its version, or re-create it here; Update-VMVersion only raises a version',
      ),
    ]
  }
  return [line('config-versions', 'ok', null, `VM configuration versions ${supported.join(', ')}`)]
}

/** Informational only: integration services are addressed by GUID, whatever the locale. */
export function checkLocale({facts}: HostCheckContext): CheckLine[] {
  if (facts.locale && facts.locale.toLowerCase() !== 'en-us') {
    return [line('locale', 'info', 'host-locale-not-en-us', `system locale ${facts.locale}: Hyper-V shows localized integration service names here; hvguest addresses them by GUID, so nothing changes`)]
  }
  return [line('locale', 'ok', null, `system locale ${facts.locale ?? 'unknown'}`)]
}

/** A wireless adapter bound to an external switch. */
export function checkWireless({facts, external}: HostCheckContext): CheckLine[] {
  const wirelessSwitches = external.filter((s) => {
    const nic = nicOf(facts, s)
    return nic !== null && isWireless(nic)
  })
  if (wirelessSwitches.length > 0) {
    return wirelessSwitches.map((s) =>
      line(
        'wireless',
        'fail',
        'wireless-adapter-switch',
        `external switch ${s.name} is bound to the wireless adapter ${nicOf(facts, s)!.name} (${nicOf(facts, s)!.interfaceDescription}): Wi-Fi cannot bridge the guests' MAC addresses, so they get no network or an unstable one`,
        `bind ${s.name} to a wired NIC (Set-VMSwitch -NetAdapterName), or make it Internal with NAT (New-NetNat), or use the Default Switch`,
      ),
    )
  }
  if (facts.hyperV) return [line('wireless', 'ok', null, `no external switch is bound to a wireless adapter`)]
  return []
}

/** vmguest.iso where the host should ship it (up to Windows Server 2012 R2): the OS it runs, else the inventory's. */
export function checkVmguestIso({facts, os}: HostCheckContext): CheckLine[] {
  if (atLeast(os, 'windows-server-2016')) return []
  if (facts.vmguestIso.present) return [line('vmguest-iso', 'ok', null, `${facts.vmguestIso.path} is there`)]
  return [line('vmguest-iso', 'fail', 'ic-media-missing', `${facts.vmguestIso.path} is missing: ${os} hosts ship the integration services disk there, and guests planned with IC media need it`, 'restore it from the host\'s installation media or a host of the same build (it belongs to the Hyper-V role)')]
}

/** vmRoot can be written (or the first create makes it). */
export function checkVmRoot({host, facts}: HostCheckContext): CheckLine[] {
  if (facts.vmRootWritable === false) {
    return [line('vm-root', 'fail', 'vmroot-unavailable', `${host.vmRoot} exists but ${facts.user} cannot write there`, `give ${facts.user} write access to ${host.vmRoot}, or set another vmRoot in the inventory`)]
  }
  if (facts.vmRootExists === false) return [line('vm-root', 'info', 'vmroot-created-on-first-run', `${host.vmRoot} does not exist yet: the first create makes it`)]
  if (facts.vmRootExists) return [line('vm-root', 'ok', null, `${host.vmRoot} can be written`)]
  return []
}

/** Free space under vmRoot. */
export function checkFreeSpace({host, facts}: HostCheckContext): CheckLine[] {
  if (facts.freeBytes === null) return []
  const free = `${formatSize(facts.freeBytes)} free under ${host.vmRoot}`
  if (facts.freeBytes < FREE_SPACE_FAIL) return [line('free-space', 'fail', 'disk-space-low', `${free}: less than ${formatSize(FREE_SPACE_FAIL)}`, 'free space on that volume, or point vmRoot at a larger one')]
  if (facts.freeBytes < FREE_SPACE_WARN) return [line('free-space', 'warn', 'disk-space-low', `${free}: less than ${formatSize(FREE_SPACE_WARN)}, enough for a few differencing guests only`, 'free space, or point vmRoot at a larger volume')]
  return [line('free-space', 'ok', null, free)]
}

/** The wired NIC behind each external switch against the profile: jumbo frames, TCP Chimney, VMQ, switch by switch. */
export function checkExternalNics(ctx: HostCheckContext): CheckLine[] {
  return ctx.external.flatMap((s) => {
    const nic = nicOf(ctx.facts, s)
    if (!nic || isWireless(nic)) return []
    return [...checkNicJumbo(ctx, s, nic), ...checkNicChimney(ctx, s, nic), ...checkNicVmq(ctx, s, nic)]
  })
}

function checkNicJumbo({host}: HostCheckContext, s: SwitchFacts, nic: NicFacts): CheckLine[] {
  const jumbo = (host.profile.profile.spec.network ?? {}).jumboPacket
  if (jumbo === undefined) return []
  if (!nic.jumboPacket) {
    if (jumbo > 1514) return [line('nic-jumbo', 'fail', 'jumbo-unsupported', `${nic.name} behind switch ${s.name} has no *JumboPacket property; profile ${host.profile.name} wants ${jumbo}`, 'use a profile that fits this NIC (jumboPacket: 1514), or a NIC with jumbo frames')]
    return []
  }
  if (nic.jumboPacket.valid.length > 0 && !nic.jumboPacket.valid.includes(String(jumbo))) {
    // (a driver that gives a numeric range lists no values: Set-NetAdapterAdvancedProperty is the judge)
    return [line('nic-jumbo', 'fail', 'jumbo-unsupported', `${nic.name} behind switch ${s.name} accepts *JumboPacket ${nic.jumboPacket.valid.join(', ')}, not ${jumbo} (profile ${host.profile.name})`, `set jumboPacket to one of ${nic.jumboPacket.valid.join(', ')} in the profile, or pick the profile that matches this NIC`)]
  }
  const now = nic.jumboPacket.value === String(jumbo) ? `already ${jumbo}` : `now ${nic.jumboPacket.value}; "hvguest net apply" sets ${jumbo}`
  return [line('nic-jumbo', 'ok', null, `${nic.name} behind switch ${s.name} accepts *JumboPacket ${jumbo} (${now})`)]
}

function checkNicChimney({host, facts, os}: HostCheckContext, s: SwitchFacts, nic: NicFacts): CheckLine[] {
  const chimney = (host.profile.profile.spec.network ?? {}).chimney
  if (chimney !== 'enabled' && chimney !== 'automatic') return []
  if (os !== 'windows-server-2008r2') {
    return [line('nic-chimney', 'warn', 'chimney-unsupported-host', `profile ${host.profile.name} asks for TCP Chimney, but VMs use it only on Windows Server 2008 R2 hosts; ${os} leaves it alone (global state ${facts.chimney ?? 'unknown'})`, 'set chimney: disabled in the profile for this host')]
  }
  if (!nic.tcpOffload) {
    return [line('nic-chimney', 'warn', 'chimney-unsupported-nic', `${nic.name} behind switch ${s.name} has no TCP Connection Offload property: chimney cannot offload through it`, 'set chimney: disabled in the profile, or use a NIC with TCP Chimney offload')]
  }
  return [line('nic-chimney', 'ok', null, `${nic.name} offers TCP Connection Offload (${nic.tcpOffload.value === '1' ? 'on' : 'off'}); global chimney ${facts.chimney ?? 'unknown'}`)]
}

function checkNicVmq({host}: HostCheckContext, s: SwitchFacts, nic: NicFacts): CheckLine[] {
  if ((host.profile.profile.spec.network ?? {}).vmq !== true) return []
  if (!nic.vmq) return [line('nic-vmq', 'warn', 'vmq-unsupported-nic', `${nic.name} behind switch ${s.name} has no VMQ; profile ${host.profile.name} asks for it`, 'set vmq: false in the profile for this NIC')]
  return [line('nic-vmq', 'ok', null, `${nic.name} has VMQ (${nic.vmqEnabled ? 'enabled' : 'disabled'})`)]
}
