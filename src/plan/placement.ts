/**
 * Placement by free memory (docs/placement.md): without --host, each guest goes to the host with
 * the most memory available, which is the host's free physical memory (read from
 * Win32_OperatingSystem, never from localized performance counters), less what this run already
 * placed there, less the host's reserve (inventory `memoryReserve`, default 2GB). Pure: the free
 * memory was read from the hosts before planning, one `memory` round trip each.
 */
import {report} from '../model/codes.js'
import type {Diagnostic} from '../model/diagnostic.js'
import {formatSize, GB} from '../model/sizes.js'
import type {PlannedPlacement} from '../model/plan.js'
import type {TargetHost} from '../model/target-host.js'

/** What a host said about its memory, or why it could not be asked. */
export type HostMemory = {freeBytes: number} | {error: string}

/** Host name → its memory, read before planning (src/execute/placement-facts.ts). */
export type HostMemoryFacts = Readonly<Record<string, HostMemory>>

export const DEFAULT_MEMORY_RESERVE_BYTES = 2 * GB

/** Why a guest is where it is, as the plan shows it (PlannedGuest.placement). */
export type Placement = PlannedPlacement

export type PlacementResult = {ok: true; host: TargetHost; placement: Placement} | {ok: false; message: string; best: TargetHost | null}

interface Candidate {
  host: TargetHost
  freeBytes: number
  reserveBytes: number
  placedBytes: number
}

const available = (c: Candidate): number => c.freeBytes - c.reserveBytes - c.placedBytes
/** A size as placement messages say it: whole GB where it is one, one decimal from 10GB up. */
export const sizeText = (bytes: number): string => (bytes < 0 ? `-${sizeText(-bytes)}` : bytes % GB === 0 || bytes >= 10 * GB ? `${(bytes / GB).toFixed(bytes % GB === 0 ? 0 : 1)}GB` : formatSize(bytes))

/** One run's placement: each call places one guest and counts its memory against its host. */
export class Placer {
  private readonly candidates: Candidate[]
  /** Hosts that could not be asked, with why (each gets a warning). */
  readonly unasked: Array<{host: TargetHost; error: string}> = []

  constructor(hosts: readonly TargetHost[], memory: HostMemoryFacts) {
    this.candidates = []
    for (const host of hosts) {
      const m = memory[host.name]
      if (m === undefined || 'error' in m) {
        this.unasked.push({host, error: m === undefined ? 'not asked' : m.error})
        continue
      }
      this.candidates.push({host, freeBytes: m.freeBytes, reserveBytes: host.entry?.memoryReserve ?? DEFAULT_MEMORY_RESERVE_BYTES, placedBytes: 0})
    }
  }

  /** The host for a guest of `bytes` startup memory: the most available, ties in inventory order. */
  place(guest: string, bytes: number): PlacementResult {
    // Stable: the first of equals stays first, so equal hosts fill in inventory order.
    const ranked = [...this.candidates].sort((a, b) => available(b) - available(a))
    const best = ranked[0]
    if (best === undefined) {
      return {ok: false, best: null, message: `guest "${guest}" cannot be placed: no host of the inventory could be asked its free memory (${this.unasked.map((u) => `${u.host.name}: ${u.error}`).join('; ')})`}
    }
    if (available(best) < bytes) {
      return {
        ok: false,
        best: best.host,
        message:
          `guest "${guest}" needs ${sizeText(bytes)} of memory and fits on no host: the most is on ${best.host.name}, ${sizeText(available(best))} (${describe(best)}), ${sizeText(bytes - available(best))} short. ` +
          'Give the guest less memory, add a host, stop guests there, lower memoryReserve, or name a host with --host.',
      }
    }
    const placement: Placement = {reason: '', freeBytes: best.freeBytes, reserveBytes: best.reserveBytes, placedBytes: best.placedBytes}
    const next = ranked[1]
    placement.reason =
      `the most memory available: ${sizeText(available(best))} on ${best.host.name} (${describe(best)}) for the ${sizeText(bytes)} it needs` +
      (next ? `; next ${next.host.name} with ${sizeText(available(next))}` : '')
    best.placedBytes += bytes
    return {ok: true, host: best.host, placement}
  }

  /**
   * Counts `bytes` against a host the run puts a guest on without asking the placer (a lab's
   * guest written with host:, or one that goes with the guests it shares a network with), and
   * says whether it fits there and what the host had before. A host that could not be asked
   * fits: nothing is known of it.
   */
  take(host: TargetHost, bytes: number): {fits: boolean; placement: Placement; availableBytes: number; before: string} {
    const c = this.candidates.find((x) => x.host === host)
    if (c === undefined) return {fits: true, placement: {reason: '', freeBytes: 0, reserveBytes: 0, placedBytes: 0}, availableBytes: 0, before: 'memory that could not be asked'}
    const placement: Placement = {reason: '', freeBytes: c.freeBytes, reserveBytes: c.reserveBytes, placedBytes: c.placedBytes}
    const availableBytes = available(c)
    const before = `${sizeText(availableBytes)} available (${describe(c)})`
    c.placedBytes += bytes
    return {fits: availableBytes >= bytes, placement, availableBytes, before}
  }

  /** A warning per host that could not be asked: no guest is placed there by memory (a lab's guest written for it, or made there, still is). */
  unaskedWarnings(): Diagnostic[] {
    return this.unasked.map((u) => report('placement-host-unasked', `host ${u.host.name} could not be asked its free memory, so no guest is placed there by memory: ${u.error}`, {host: u.host.name}))
  }
}

function describe(c: Candidate): string {
  return `${sizeText(c.freeBytes)} free, less the ${sizeText(c.reserveBytes)} reserve${c.placedBytes > 0 ? `, less ${sizeText(c.placedBytes)} this run placed there` : ''}`
}
