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
 *   cluster-storage  every node's vmRoot is on a Cluster Shared Volume (Get-ClusterSharedVolume)
 *   cluster-switches every node of a cluster has the same virtual switch names (Live Migration)
 *   failover-ics     running guests of a cluster node have their integration services answering
 *   vmguest-iso      present where the host OS ships it (up to 2012 R2)
 *   free-space       under vmRoot; and vmRoot can be written
 *   nic-jumbo / nic-chimney / nic-vmq   the NIC behind each external switch against the profile
 *
 * The checks are a pure function of the facts (checkHosts), so each is tested on its own. A
 * host's checks are in doctor-host-checks.ts, a cluster's in doctor-cluster-checks.ts.
 */
import type {TargetHost} from '../model/target-host.js'
import type {HostSession} from '../powershell/session.js'
import type {HostOs} from '../model/host-os.js'
import {checkClusters} from './doctor-cluster-checks.js'
import {line, type DoctorCheck} from './doctor-check.js'
import {
  checkConfigVersions,
  checkExternalNics,
  checkFreeSpace,
  checkHostOs,
  checkHyperV,
  checkLocale,
  checkVmguestIso,
  checkVmRoot,
  checkWireless,
  type HostCheck,
  type HostCheckContext,
} from './doctor-host-checks.js'
import {askFacts, type HostFacts, type HostFactsAnswer} from './host-facts.js'

export type {CheckStatus, DoctorCheck} from './doctor-check.js'
export {FREE_SPACE_FAIL, FREE_SPACE_WARN} from './doctor-host-checks.js'
export {sameVersion} from './config-version.js'

export interface DoctorResult {
  ready: boolean
  hosts: Array<{name: string; reachable: boolean; os: string | null}>
  checks: DoctorCheck[]
}

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

/** The checks of a reachable host, in the order doctor prints them. */
const HOST_CHECKS: HostCheck[] = [checkHyperV, checkHostOs, checkConfigVersions, checkLocale, checkWireless, checkVmguestIso, checkVmRoot, checkFreeSpace, checkExternalNics]

function checkHost({host, facts, error}: HostFactsAnswer): DoctorCheck[] {
  if (!facts) {
    return [{host: host.name, ...line('connect', 'fail', 'host-unreachable', `cannot ask ${host.name} (${host.transport}): ${error}`, 'check the inventory entry (address, transport) and that PowerShell 7 runs there')}]
  }
  const detected = detectHostOs(facts.os)
  const ctx: HostCheckContext = {host, facts, detected, os: detected ?? host.os, external: facts.switches.filter((s) => /external/i.test(s.type))}
  return HOST_CHECKS.flatMap((check) => check(ctx)).map((l) => ({host: host.name, ...l}))
}
