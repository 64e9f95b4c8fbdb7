/**
 * A lab's guests placed by free memory (docs/placement.md, "Labs"), for the guests its file gives
 * no host (no host:, no defaults.host), when the run targets two or more hosts:
 * - a guest an earlier `lab up` made stays on the host whose lab record lists it: placed again by
 *   today's memory, it could be planned on another host and made a second time;
 * - guests joined by a network that exists on one host only (internal, private) go to one host
 *   together, or they could not reach each other: such a group goes where one of its guests
 *   already is (made there, or written there with host:), else it is placed as one guest of
 *   their summed startup memory, where the most is available (src/plan/placement.ts);
 * - a guest written with host: counts against that host's memory, so the others go elsewhere.
 * Pure: the memory and the records were read before planning (src/lab/lab-run.ts).
 */
import {report} from '../model/codes.js'
import type {Diagnostic} from '../model/diagnostic.js'
import type {PlannedPlacement} from '../model/plan.js'
import type {TargetHost} from '../model/target-host.js'
import {Placer, sizeText, type HostMemoryFacts} from '../plan/placement.js'

/** What the hosts said before planning: their memory, and where the lab's guests already are. */
export interface LabPlacementInput {
  /** Each target host's free memory (the `memory` round trip). */
  memory: HostMemoryFacts
  /** The lab's guests that exist: VM name in lower case → the host whose lab record lists it. */
  made: ReadonlyMap<string, string>
}

export interface PlaceableGuest {
  /** The VM name (prefix + the lab file's name). */
  name: string
  /** The host its file gives it (host:, defaults.host), or null: this placement decides. */
  pinned: TargetHost | null
  /** The lab networks its adapters are on that exist on one host only (internal, private). */
  hostLocalNetworks: string[]
  /** The startup memory it needs, as planned. */
  startupBytes: number
}

export interface GuestPlacement {
  host: TargetHost
  /** Why it is there; null for a guest its file gives a host. */
  placement: PlannedPlacement | null
}

export function placeLabGuests(guests: readonly PlaceableGuest[], hosts: readonly TargetHost[], input: LabPlacementInput): {placed: GuestPlacement[]; diagnostics: Diagnostic[]} {
  const placer = new Placer(hosts, input.memory)
  const diagnostics = placer.unaskedWarnings()
  const hostNamed = (name: string | undefined) => (name === undefined ? undefined : hosts.find((h) => h.name.toLowerCase() === name.toLowerCase()))
  const recorded = guests.map((g) => hostNamed(input.made.get(g.name.toLowerCase())))
  // host: is the file's choice and wins, as it does when no guest is placed; the record places the others.
  const madeOn = guests.map((g, i) => (g.pinned ? undefined : recorded[i]))
  const placed: GuestPlacement[] = guests.map((g, i) => ({host: g.pinned ?? madeOn[i] ?? hosts[0], placement: null}))

  // A guest written with host: counts against that host first (unless it is made there already),
  // whatever order the file has. Its host is the file's choice, as --host is create's: it is not
  // checked against the memory.
  guests.forEach((g, i) => {
    if (g.pinned && recorded[i] !== g.pinned) placer.take(g.pinned, g.startupBytes)
  })

  for (const group of groupsOf(guests)) {
    const members = group.map((i) => guests[i])
    const shared = [...new Set(members.flatMap((g) => g.hostLocalNetworks))].join(', ')
    const others = (i: number) => group.filter((k) => k !== i).map((k) => guests[k].name).join(', ')
    const anchorIndex = group.find((i) => madeOn[i]) ?? group.find((i) => guests[i].pinned)
    if (anchorIndex === undefined) {
      const need = members.reduce((sum, g) => sum + g.startupBytes, 0)
      const res = placer.place(members.map((g) => g.name).join(' + '), need)
      if (!res.ok) {
        const why = group.length > 1 ? ` They go together: network ${shared} exists on one host only.` : ''
        diagnostics.push(report('placement-no-fit', res.message + why, {guest: members[0].name, host: res.best?.name}))
        continue
      }
      for (const i of group) {
        const together = group.length > 1 ? `with ${others(i)} (network ${shared} exists on one host only), ${sizeText(need)} together: ` : ''
        placed[i] = {host: res.host, placement: {...res.placement, reason: together + res.placement.reason}}
      }
      continue
    }
    const anchor = madeOn[anchorIndex] ?? guests[anchorIndex].pinned!
    const anchorWhy = madeOn[anchorIndex] ? `where an earlier lab up made ${guests[anchorIndex].name}` : `where ${guests[anchorIndex].name} is written to go (host:)`
    for (const i of group) {
      const g = guests[i]
      const made = madeOn[i]
      if (made) {
        placed[i] = {host: made, placement: {...placer.take(made, 0).placement, reason: `an earlier lab up made it on ${made.name}, and a lab's guest stays where it was made`}}
        continue
      }
      if (g.pinned) continue
      const took = placer.take(anchor, g.startupBytes)
      if (!took.fits) {
        diagnostics.push(
          report(
            'placement-no-fit',
            `guest "${g.name}" needs ${sizeText(g.startupBytes)} of memory and must go on ${anchor.name}, ${anchorWhy} (network ${shared} exists on one host only), which has ${took.before}, ${sizeText(g.startupBytes - took.availableBytes)} short. Give these guests less memory, stop guests there, or lower memoryReserve.`,
            {guest: g.name, host: anchor.name},
          ),
        )
        continue
      }
      placed[i] = {host: anchor, placement: {...took.placement, reason: `with ${others(i)} (network ${shared} exists on one host only): on ${anchor.name}, ${anchorWhy}, with ${took.before} for the ${sizeText(g.startupBytes)} it needs`}}
    }
  }
  return {placed, diagnostics}
}

/** The guests joined by host-local networks, each group in file order, groups in the order of their first guest. */
function groupsOf(guests: readonly PlaceableGuest[]): number[][] {
  const parent = guests.map((_, i) => i)
  const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i])))
  const firstOn = new Map<string, number>()
  guests.forEach((g, i) => {
    for (const n of g.hostLocalNetworks) {
      const key = n.toLowerCase()
      const first = firstOn.get(key)
      if (first === undefined) firstOn.set(key, i)
      else parent[root(i)] = root(first)
    }
  })
  const groups = new Map<number, number[]>()
  guests.forEach((_, i) => {
    const r = root(i)
    groups.set(r, [...(groups.get(r) ?? []), i])
  })
  return [...groups.values()].sort((a, b) => a[0] - b[0])
}
