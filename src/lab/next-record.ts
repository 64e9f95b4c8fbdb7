/**
 * The lab's record after a run on one host: the previous record, with what this run made added
 * and nothing the lab made before forgotten (a guest or network since taken out of the file is
 * still the lab's, and `lab down` still removes it). A guest left alone with drift keeps the
 * shape it was made with, so that the drift keeps being reported.
 */
import type {LabPlan} from '../model/lab-plan.js'
import type {GuestResult} from '../execute/types.js'
import type {HostConvergence} from './converge.js'
import {hostAdapterName, normalMac, sameName} from './lab-facts.js'
import {guestShape, type LabRecord, type LabRecordHostSetting} from './lab-record.js'

/** What one lab-network request answered it made. */
export interface NetworkMade {
  switchId: string | null
  switchCreated: boolean
  addressCreated: boolean
  natCreated: boolean
  /** The NetNat the subnet goes through, as the host found it under its lock (null: none). */
  natName?: string | null
  /** The host settings it changed (the profile's jumbo frames on the new switch's adapters). */
  hostSettings?: unknown[]
}

export interface NextRecordInput {
  labPlan: LabPlan
  host: HostConvergence
  runId: string
  /** What each lab-network request made, by `<host>/<network>` (lower case). */
  made: Map<string, NetworkMade>
  results: Map<string, GuestResult>
  /** begin's answer on the host: the host settings it changed. */
  began: unknown
  now?: () => Date
}

export function nextRecord(input: NextRecordInput): LabRecord {
  const {labPlan, host, runId} = input
  const old = host.record
  const record: LabRecord = {
    apiVersion: 'hvguest/v1',
    kind: 'LabRecord',
    lab: labPlan.lab.name,
    file: labPlan.lab.file,
    runId,
    updated: (input.now ?? (() => new Date()))().toISOString(),
    switches: [...(old?.switches ?? [])],
    addresses: [...(old?.addresses ?? [])],
    nats: [...(old?.nats ?? [])],
    guests: [...(old?.guests ?? [])],
    hostSettings: [...(old?.hostSettings ?? []), ...changedSettings(input.began)],
  }
  // A new switch's jumbo frames on a physical NIC outlive the switch: lab down puts them back. Those
  // on its vEthernet adapter go with the switch.
  for (const m of input.made.values()) record.hostSettings.push(...changedSettings({hostSettings: m.hostSettings}).filter((x) => x.target === 'physical-nic'))
  const put = <T>(list: T[], match: (x: T) => boolean, entry: T) => {
    const i = list.findIndex(match)
    if (i >= 0) list[i] = entry
    else list.push(entry)
  }
  for (const n of host.networks) {
    const net = n.network
    const made = input.made.get(`${host.host}/${net.name}`.toLowerCase())
    const was = old?.switches.find((s) => sameName(s.name, net.switch))
    put(record.switches, (s) => sameName(s.name, net.switch), {
      network: net.name,
      name: net.switch,
      id: made?.switchId ?? n.switchId ?? was?.id ?? null,
      type: net.type,
      created: (made?.switchCreated ?? false) || (was?.created ?? false) || n.switch === 'owned',
    })
    if (net.gateway && net.prefixLength !== null && n.address !== 'none') {
      const alias = hostAdapterName(net.switch)
      const wasAddress = old?.addresses.find((a) => a.ipAddress === net.gateway && sameName(a.interfaceAlias, alias))
      put(record.addresses, (a) => a.ipAddress === net.gateway && sameName(a.interfaceAlias, alias), {
        network: net.name,
        interfaceAlias: alias,
        ipAddress: net.gateway,
        prefixLength: net.prefixLength,
        created: (made?.addressCreated ?? false) || (wasAddress?.created ?? false) || n.address === 'owned',
      })
    }
    const natName = made?.natName ?? n.natName
    if (n.nat !== 'none' && natName && n.natPrefix) {
      const wasNat = old?.nats.find((x) => sameName(x.name, natName))
      put(record.nats, (x) => sameName(x.name, natName), {
        network: net.name,
        name: natName,
        prefix: n.natPrefix,
        created: (made?.natCreated ?? false) || (wasNat?.created ?? false) || n.nat === 'owned',
      })
    }
  }
  for (const g of host.guests) {
    const result = input.results.get(`${host.host}/${g.guest.name}`)
    if (result?.status !== 'created') continue
    put(record.guests, (x) => sameName(x.name, g.guest.name), {
      name: g.guest.name,
      id: result.vmId,
      macAddresses: g.guest.adapters.map((a) => normalMac(a.macAddress)),
      shape: guestShape(g.planned),
    })
  }
  return record
}

/** The host settings begin changed (its answer's hostSettings whose action is set): lab down puts them back. */
function changedSettings(began: unknown): LabRecordHostSetting[] {
  const settings = (began as {hostSettings?: unknown} | null | undefined)?.hostSettings
  return Array.isArray(settings) ? (settings.filter((c) => c && typeof c === 'object' && (c as {action?: unknown}).action === 'set') as LabRecordHostSetting[]) : []
}
