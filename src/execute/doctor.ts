/**
 * `hvguest doctor`: is each host ready for a lab build? One `facts` round trip per host
 * (hosts in parallel), then these checks, each a line with a stable code and a fix:
 *
 *   hyper-v          the role and its PowerShell module answer, as the user hvguest runs as
 *   host-os          what the host runs (and whether the inventory says the same)
 *   config-versions  the VM configuration versions it supports; VMs it cannot run; cluster nodes
 *                    that disagree (a VM above a node's versions cannot move there)
 *   locale           a non-en-US host is fine (hvguest addresses integration services by GUID): info
 *   wireless         a Wi-Fi adapter bound to an external switch
 *   cluster-switches every node of a cluster has the same virtual switch names (Live Migration)
 *   failover-ics     running guests of a cluster node have their integration services answering
 *   vmguest-iso      present where the host OS ships it (up to 2012 R2)
 *   free-space       under vmRoot; and vmRoot can be written
 *   nic-jumbo / nic-chimney / nic-vmq   the NIC behind each external switch against the profile
 *
 * The checks are a pure function of the facts (checkHosts), so each is tested on its own.
 */
import {compareVersions, parseVersion} from '../resolve/integration/catalog.js'
import type {TargetHost} from '../model/target-host.js'
import type {HostSession} from '../powershell/session.js'
import {atLeast, type HostOs} from '../model/host-os.js'
import {formatSize, GB} from '../model/sizes.js'
import {askFacts, isWireless, nicOf, type HostFacts, type HostFactsAnswer} from './host-facts.js'

export type CheckStatus = 'ok' | 'fail' | 'warn' | 'info'

export interface DoctorCheck {
  host: string
  check: string
  status: CheckStatus
  /** Stable code for a line that is not ok (src/model/codes.ts); null when ok. */
  code: string | null
  message: string
  fix: string | null
}

export interface DoctorResult {
  ready: boolean
  hosts: Array<{name: string; reachable: boolean; os: string | null}>
  checks: DoctorCheck[]
}

/** Below this much free space under vmRoot a lab build fails; below the second, a warning. */
export const FREE_SPACE_FAIL = 10 * GB
export const FREE_SPACE_WARN = 50 * GB

export async function runDoctor(hosts: TargetHost[], open: (h: TargetHost) => Promise<HostSession>): Promise<DoctorResult> {
  const answers = await Promise.all(hosts.map((h) => askFacts(h, open, {probeWrite: true})))
  const checks = checkHosts(answers)
  return {
    ready: !checks.some((c) => c.status === 'fail'),
    hosts: answers.map((a) => ({name: a.host.name, reachable: a.facts !== null, os: a.facts?.os?.caption ?? null})),
    checks,
  }
}

/** Windows build number -> hvguest host OS name (server releases; clients by caption). */
const BUILDS: Array<[number, HostOs]> = [
  [26100, 'windows-server-2025'],
  [20348, 'windows-server-2022'],
  [17763, 'windows-server-2019'],
  [14393, 'windows-server-2016'],
  [9600, 'windows-server-2012r2'],
  [9200, 'windows-server-2012'],
  [7601, 'windows-server-2008r2'],
  [7600, 'windows-server-2008r2'],
  [6001, 'windows-server-2008'],
]

export function detectHostOs(os: HostFacts['os']): HostOs | null {
  if (!os) return null
  const build = Number(os.buildNumber || os.version.split('.')[2])
  if (/windows 11/i.test(os.caption)) return 'windows-11'
  if (/windows 10/i.test(os.caption)) return 'windows-10'
  return BUILDS.find(([b]) => build === b)?.[1] ?? BUILDS.find(([b]) => build >= b)?.[1] ?? null
}

export function checkHosts(answers: HostFactsAnswer[]): DoctorCheck[] {
  const out: DoctorCheck[] = []
  for (const a of answers) out.push(...checkHost(a))
  out.push(...checkClusters(answers))
  return out
}

function checkHost({host, facts, error}: HostFactsAnswer): DoctorCheck[] {
  const out: DoctorCheck[] = []
  const add = (check: string, status: CheckStatus, code: string | null, message: string, fix: string | null = null) =>
    out.push({host: host.name, check, status, code: status === 'ok' ? null : code, message, fix})
  if (!facts) {
    add('connect', 'fail', 'host-unreachable', `cannot ask ${host.name} (${host.transport}): ${error}`, 'check the inventory entry (address, transport) and that PowerShell 7 runs there')
    return out
  }

  // -- Hyper-V, as this user
  const hvFailure = facts.errors.find((e) => e.fact === 'hyperV')
  const hvError = (hvFailure?.message ?? '').replace(/\s+/g, ' ').trim()
  if (facts.hyperV) {
    add('hyper-v', 'ok', null, `Hyper-V answers to ${facts.user}${facts.hyperVFeature ? ` (feature ${facts.hyperVFeature})` : ''}`)
  } else if (hvFailure?.category === 'PermissionDenied' || /permission|access is denied|unauthori[sz]ed/i.test(hvError)) {
    add('hyper-v', 'fail', 'hyperv-access-denied', `Hyper-V refuses ${facts.user}: ${hvError}`, `run hvguest as an administrator, or add ${facts.user} to the local "Hyper-V Administrators" group (Add-LocalGroupMember -SID S-1-5-32-578 -Member ...)`)
  } else {
    add(
      'hyper-v',
      'fail',
      'hyperv-unavailable',
      `the Hyper-V role or its PowerShell module is not there${facts.hyperVFeature ? ` (feature Microsoft-Hyper-V: ${facts.hyperVFeature})` : ''}: ${hvError || 'Get-VMHost gave nothing'}`,
      'Install-WindowsFeature -Name Hyper-V -IncludeManagementTools -Restart (Server), or Enable-WindowsOptionalFeature -Online -FeatureName Microsoft-Hyper-V -All (Windows 10/11)',
    )
  }

  // -- host OS
  const detected = detectHostOs(facts.os)
  const caption = facts.os ? `${facts.os.caption} (${facts.os.version})` : 'unknown'
  if (detected && host.osSource === 'inventory' && detected !== host.os) {
    add('host-os', 'warn', 'host-os-mismatch', `the host runs ${caption}, ${detected}; the inventory says ${host.os}, and plans follow the inventory`, `set os: ${detected} for ${host.name} in the inventory`)
  } else {
    add('host-os', 'ok', null, `${caption}${detected ? `: ${detected}` : ''}`)
  }

  // -- configuration versions
  if (facts.hyperV && facts.configurationVersions) {
    const supported = facts.configurationVersions
    // Whole versions, number by number: "0.0" is not in "10.0", and "9" is "9.0".
    const stranded = facts.vms.filter((v) => v.version && !supported.some((s) => sameVersion(s, v.version)))
    if (stranded.length > 0) {
      add(
        'config-versions',
        'fail',
        'config-version-unsupported',
        `${stranded.map((v) => `${v.name} (version ${v.version})`).join(', ')}: configuration version${stranded.length > 1 ? 's' : ''} this host does not support (it runs ${supported.join(', ')})`,
        'move the VM back to a host that runs its version, or re-create it here; Update-VMVersion only raises a version',
      )
    } else {
      add('config-versions', 'ok', null, `VM configuration versions ${supported.join(', ')}`)
    }
  }

  // -- locale: informational only, integration services are addressed by GUID
  if (facts.locale && facts.locale.toLowerCase() !== 'en-us') {
    add('locale', 'info', 'host-locale-not-en-us', `system locale ${facts.locale}: Hyper-V shows localized integration service names here; hvguest addresses them by GUID, so nothing changes`)
  } else {
    add('locale', 'ok', null, `system locale ${facts.locale ?? 'unknown'}`)
  }

  // -- wireless adapters behind external switches
  const external = facts.switches.filter((s) => /external/i.test(s.type))
  const wirelessSwitches = external.filter((s) => {
    const nic = nicOf(facts, s)
    return nic !== null && isWireless(nic)
  })
  if (wirelessSwitches.length > 0) {
    for (const s of wirelessSwitches) {
      add(
        'wireless',
        'fail',
        'wireless-adapter-switch',
        `external switch ${s.name} is bound to the wireless adapter ${nicOf(facts, s)!.name} (${nicOf(facts, s)!.interfaceDescription}): Wi-Fi cannot bridge the guests' MAC addresses, so they get no network or an unstable one`,
        `bind ${s.name} to a wired NIC (Set-VMSwitch -NetAdapterName), or make it Internal with NAT (New-NetNat), or use the Default Switch`,
      )
    }
  } else if (facts.hyperV) {
    add('wireless', 'ok', null, `no external switch is bound to a wireless adapter`)
  }

  // -- vmguest.iso where the host should ship it (the OS it runs, else the inventory's)
  const os = detected ?? host.os
  if (!atLeast(os, 'windows-server-2016')) {
    if (facts.vmguestIso.present) add('vmguest-iso', 'ok', null, `${facts.vmguestIso.path} is there`)
    else {
      add('vmguest-iso', 'fail', 'ic-media-missing', `${facts.vmguestIso.path} is missing: ${os} hosts ship the integration services disk there, and guests planned with IC media need it`, 'restore it from the host\'s installation media or a host of the same build (it belongs to the Hyper-V role)')
    }
  }

  // -- space and vmRoot
  if (facts.vmRootWritable === false) {
    add('vm-root', 'fail', 'vmroot-unavailable', `${host.vmRoot} exists but ${facts.user} cannot write there`, `give ${facts.user} write access to ${host.vmRoot}, or set another vmRoot in the inventory`)
  } else if (facts.vmRootExists === false) {
    add('vm-root', 'info', 'vmroot-created-on-first-run', `${host.vmRoot} does not exist yet: the first create makes it`)
  } else if (facts.vmRootExists) {
    add('vm-root', 'ok', null, `${host.vmRoot} can be written`)
  }
  if (facts.freeBytes !== null) {
    const free = `${formatSize(facts.freeBytes)} free under ${host.vmRoot}`
    if (facts.freeBytes < FREE_SPACE_FAIL) add('free-space', 'fail', 'disk-space-low', `${free}: less than ${formatSize(FREE_SPACE_FAIL)}`, 'free space on that volume, or point vmRoot at a larger one')
    else if (facts.freeBytes < FREE_SPACE_WARN) add('free-space', 'warn', 'disk-space-low', `${free}: less than ${formatSize(FREE_SPACE_WARN)}, enough for a few differencing guests only`, 'free space, or point vmRoot at a larger volume')
    else add('free-space', 'ok', null, free)
  }

  // -- the NIC behind each external switch, against the profile
  const profile = host.profile.profile
  const net = profile.spec.network ?? {}
  for (const s of external) {
    const nic = nicOf(facts, s)
    if (!nic || isWireless(nic)) continue
    const jumbo = net.jumboPacket
    if (jumbo !== undefined) {
      if (!nic.jumboPacket) {
        if (jumbo > 1514) add('nic-jumbo', 'fail', 'jumbo-unsupported', `${nic.name} behind switch ${s.name} has no *JumboPacket property; profile ${host.profile.name} wants ${jumbo}`, 'use a profile that fits this NIC (jumboPacket: 1514), or a NIC with jumbo frames')
      } else if (nic.jumboPacket.valid.length > 0 && !nic.jumboPacket.valid.includes(String(jumbo))) {
        // (a driver that gives a numeric range lists no values: Set-NetAdapterAdvancedProperty is the judge)
        add('nic-jumbo', 'fail', 'jumbo-unsupported', `${nic.name} behind switch ${s.name} accepts *JumboPacket ${nic.jumboPacket.valid.join(', ')}, not ${jumbo} (profile ${host.profile.name})`, `set jumboPacket to one of ${nic.jumboPacket.valid.join(', ')} in the profile, or pick the profile that matches this NIC`)
      } else {
        const now = nic.jumboPacket.value === String(jumbo) ? `already ${jumbo}` : `now ${nic.jumboPacket.value}; "hvguest net apply" sets ${jumbo}`
        add('nic-jumbo', 'ok', null, `${nic.name} behind switch ${s.name} accepts *JumboPacket ${jumbo} (${now})`)
      }
    }
    if (net.chimney === 'enabled' || net.chimney === 'automatic') {
      if (os !== 'windows-server-2008r2') {
        add('nic-chimney', 'warn', 'chimney-unsupported-host', `profile ${host.profile.name} asks for TCP Chimney, but VMs use it only on Windows Server 2008 R2 hosts; ${os} leaves it alone (global state ${facts.chimney ?? 'unknown'})`, 'set chimney: disabled in the profile for this host')
      } else if (!nic.tcpOffload) {
        add('nic-chimney', 'warn', 'chimney-unsupported-nic', `${nic.name} behind switch ${s.name} has no TCP Connection Offload property: chimney cannot offload through it`, 'set chimney: disabled in the profile, or use a NIC with TCP Chimney offload')
      } else {
        add('nic-chimney', 'ok', null, `${nic.name} offers TCP Connection Offload (${nic.tcpOffload.value === '1' ? 'on' : 'off'}); global chimney ${facts.chimney ?? 'unknown'}`)
      }
    }
    if (net.vmq === true) {
      if (!nic.vmq) add('nic-vmq', 'warn', 'vmq-unsupported-nic', `${nic.name} behind switch ${s.name} has no VMQ; profile ${host.profile.name} asks for it`, 'set vmq: false in the profile for this NIC')
      else add('nic-vmq', 'ok', null, `${nic.name} has VMQ (${nic.vmqEnabled ? 'enabled' : 'disabled'})`)
    }
  }
  return out
}

/** Cluster checks compare the nodes the inventory lists under the same `cluster:`. */
function checkClusters(answers: HostFactsAnswer[]): DoctorCheck[] {
  const out: DoctorCheck[] = []
  const byCluster = new Map<string, HostFactsAnswer[]>()
  for (const a of answers) if (a.host.cluster && a.facts) byCluster.set(a.host.cluster.toLowerCase(), [...(byCluster.get(a.host.cluster.toLowerCase()) ?? []), a])
  for (const nodes of byCluster.values()) {
    const cluster = nodes[0].host.cluster!
    const first = nodes[0].host.name
    const add = (check: string, status: CheckStatus, code: string | null, message: string, fix: string | null = null) =>
      out.push({host: first, check, status, code: status === 'ok' ? null : code, message: `cluster ${cluster}: ${message}`, fix})

    // Nodes the cluster has that the inventory does not list cannot be compared.
    const known = new Set(nodes.map((n) => n.host.name.toLowerCase()))
    const reported = nodes.flatMap((n) => n.facts!.clusterNodes ?? [])
    const unlisted = [...new Set(reported.map((n) => n.name).filter((n) => !known.has(n.toLowerCase()) && !nodes.some((x) => x.facts!.computerName.toLowerCase() === n.toLowerCase())))]
    if (unlisted.length > 0) add('cluster-nodes', 'warn', 'cluster-node-unchecked', `node${unlisted.length > 1 ? 's' : ''} ${unlisted.join(', ')} ${unlisted.length > 1 ? 'are' : 'is'} not in the inventory, so ${unlisted.length > 1 ? 'their' : 'its'} switches were not compared`, `add ${unlisted.join(', ')} to the inventory with cluster: ${cluster}`)
    const down = [...new Set(reported.filter((n) => !/^up$/i.test(n.state)).map((n) => `${n.name} (${n.state})`))]
    if (down.length > 0) add('cluster-nodes', 'warn', 'cluster-node-down', `node${down.length > 1 ? 's' : ''} ${down.join(', ')} cannot take guests now`, 'bring the node up (Start-ClusterNode / Resume-ClusterNode) before relying on failover')

    // The same virtual switch names on every node.
    const names = (a: HostFactsAnswer) => new Set(a.facts!.switches.map((s) => s.name))
    const all = [...new Set(nodes.flatMap((n) => [...names(n)]))].sort()
    const differences = nodes
      .map((n) => ({node: n.host.name, missing: all.filter((s) => !names(n).has(s))}))
      .filter((d) => d.missing.length > 0)
    if (nodes.length > 1 && differences.length > 0) {
      add(
        'cluster-switches',
        'fail',
        'switch-name-mismatch',
        `virtual switch names differ between nodes: ${differences.map((d) => `${d.node} lacks ${d.missing.join(', ')}`).join('; ')}`,
        'create the missing switches with the same names on those nodes (Live Migration and failover need identical names)',
      )
    } else if (nodes.length > 1) {
      add('cluster-switches', 'ok', null, `every node has the switches ${all.join(', ')}`)
    }

    // Running guests must have their integration services answering before a failover.
    const notReady = nodes.flatMap((n) =>
      n.facts!.vms
        .filter((v) => v.state === 'Running' && (!/^ok/i.test(v.heartbeat) || v.silentServices.length > 0))
        .map((v) => `${v.name} on ${n.host.name} (${!/^ok/i.test(v.heartbeat) ? `heartbeat ${v.heartbeat || 'none'}` : `${v.silentServices.map((x) => x.name).join(', ')} not answering`})`),
    )
    if (notReady.length > 0) {
      add('failover-ics', 'fail', 'ic-not-ready-for-failover', `${notReady.join('; ')}: after a failover these guests would not report heartbeat or shut down cleanly`, 'install or update their integration components ("hvguest ic status NAME" shows what is missing, "hvguest ic inject NAME" fixes it)')
    } else {
      add('failover-ics', 'ok', null, 'every running guest answers its heartbeat and enabled integration services')
    }

    // Configuration versions the nodes disagree on.
    const tops = nodes.map((n) => ({node: n.host.name, top: topVersion(n.facts!.configurationVersions ?? [])}))
    const lowest = tops.reduce((a, b) => (compare(a.top, b.top) <= 0 ? a : b))
    const highest = tops.reduce((a, b) => (compare(a.top, b.top) >= 0 ? a : b))
    if (nodes.length > 1 && compare(lowest.top, highest.top) < 0) {
      add('config-versions', 'warn', 'cluster-config-version-mismatch', `${lowest.node} runs VM configuration versions up to ${lowest.top}, ${highest.node} up to ${highest.top}: a guest above ${lowest.top} cannot move to ${lowest.node}`, `create guests at version ${lowest.top} or lower (New-VM -Version), or upgrade ${lowest.node}`)
    }
  }
  return out
}

/** Configuration versions ("9.0", "10.0") compare number by number, as the OS catalog's versions do. */
const compare = (a: string, b: string): number => compareVersions(parseVersion(a) ?? [0], parseVersion(b) ?? [0])
const VERSION = /^\d+(\.\d+)*$/
/** Two configuration versions are the same when every number is ("9.0" and "9"); text that is no version only equals itself. */
export function sameVersion(a: string, b: string): boolean {
  const x = a.trim()
  const y = b.trim()
  if (VERSION.test(x) && VERSION.test(y)) return compareVersions(parseVersion(x)!, parseVersion(y)!) === 0
  return x.toLowerCase() === y.toLowerCase()
}
const topVersion = (versions: string[]) => versions.reduce((a, b) => (compare(a, b) >= 0 ? a : b), '0.0')
