/**
 * The lab's record on a host (`<vmRoot>\.hvguest\labs\<lab>.json`): what the lab made there and
 * what it only uses, so that `lab down` removes what it made and nothing else, and `lab up` tells
 * its own switches and VMs from ones of the same name that it did not make. Node writes it
 * through the runtime's lab-record action, under the run's journal; the runtime stores it as it is.
 */
import type {PlannedGuest} from '../model/plan.js'

export interface LabRecordSwitch {
  network: string
  name: string
  id: string | null
  type: string
  /** The lab created it (lab down removes it); false: it existed, the lab uses it. */
  created: boolean
}

export interface LabRecordAddress {
  network: string
  interfaceAlias: string
  ipAddress: string
  prefixLength: number
  created: boolean
}

export interface LabRecordNat {
  network: string
  name: string
  prefix: string
  created: boolean
}

/** What `lab up` compares to tell drift: the settings a guest was created with. */
export interface GuestShape {
  processors: number
  memoryBytes: number
  adapters: Array<{switch: string; macAddress: string | null; address: string | null}>
  drives: Array<{controller: string; role: string; sizeBytes: number | null}>
}

export interface LabRecordGuest {
  name: string
  id: string | null
  macAddresses: string[]
  shape: GuestShape
}

/** A host setting one of the lab's runs changed, as begin's answer gives it: lab down puts it back. */
export type LabRecordHostSetting = Record<string, unknown>

export interface LabRecord {
  apiVersion: 'hvguest/v1'
  kind: 'LabRecord'
  lab: string
  file: string
  runId: string
  updated: string
  switches: LabRecordSwitch[]
  addresses: LabRecordAddress[]
  nats: LabRecordNat[]
  guests: LabRecordGuest[]
  hostSettings: LabRecordHostSetting[]
}

/** The shape of a planned guest that drift is judged on. */
export function guestShape(g: PlannedGuest): GuestShape {
  return {
    processors: g.processors,
    memoryBytes: g.memory.startupBytes,
    adapters: g.networkAdapters.map((a) => ({switch: a.switch, macAddress: a.macAddress, address: a.ipConfig?.addresses[0] ?? null})),
    drives: g.drives.map((d) => ({controller: `${d.controller.type} ${d.controller.number}:${d.controller.location}`, role: d.role, sizeBytes: d.create?.sizeBytes ?? null})),
  }
}

/** What differs between the shape a guest was created with and the shape planned now, in words. */
export function shapeDrift(was: GuestShape, now: GuestShape): string[] {
  const out: string[] = []
  if (was.processors !== now.processors) out.push(`processors ${was.processors} → ${now.processors}`)
  if (was.memoryBytes !== now.memoryBytes) out.push(`memory ${was.memoryBytes} → ${now.memoryBytes} bytes`)
  const adapters = (s: GuestShape) => s.adapters.map((a) => `${a.switch}${a.address ? ` ${a.address}` : ''}`).join(', ')
  if (adapters(was) !== adapters(now)) out.push(`adapters [${adapters(was)}] → [${adapters(now)}]`)
  const drives = (s: GuestShape) => s.drives.map((d) => `${d.role}@${d.controller}${d.sizeBytes ? `:${d.sizeBytes}` : ''}`).join(', ')
  if (drives(was) !== drives(now)) out.push(`drives [${drives(was)}] → [${drives(now)}]`)
  return out
}
