/**
 * Settings a generation cannot take (docs/hyperv-facts.md, 'Per VM' and 'How Generation 2 differs'): Secure Boot and >64 vCPUs/>1 TB
 * exist only on Gen2; floppy only on Gen1; nested virtualization needs static memory.
 */
import {report} from '../model/codes.js'
import type {GuestRule} from './types.js'
import {formatSize, TB} from '../model/sizes.js'
import type {Diagnostic} from '../model/diagnostic.js'

const LIMITS = {1: {processors: 64, memory: 1 * TB}, 2: {processors: 240, memory: 12 * TB}} as const

export const secureBootGen1Rule: GuestRule = ({guest, spec, locate}) =>
  guest.generation === 1 && (spec.firmware?.secureBoot === 'on' || spec.firmware?.secureBootTemplate !== undefined)
    ? [report('secure-boot-gen1', 'Secure Boot exists only on Generation 2 VMs; remove firmware.secureBoot or use generation: 2', {guest: guest.name, source: locate(['spec', 'firmware'])})]
    : []

export const floppyGen2Rule: GuestRule = ({guest, locate}) =>
  guest.generation === 2 && guest.floppy !== null
    ? [report('floppy-gen2', 'Generation 2 VMs have no floppy drive; use a DVD or first-boot media instead', {guest: guest.name, source: locate(['spec', 'floppy'])})]
    : []

export const nestedVirtRule: GuestRule = ({guest, locate}) =>
  guest.nestedVirtualization && guest.memory.dynamic
    ? [
        report('nested-virt-dynamic-memory', 'nested virtualization needs static memory: set memory.dynamic: false', {
          guest: guest.name,
          source: locate(['spec', 'memory', 'dynamic']),
        }),
      ]
    : []

export const memoryRangeRule: GuestRule = ({guest, locate}) => {
  const m = guest.memory
  if (!m.dynamic || m.minimumBytes === null || m.maximumBytes === null) return []
  if (m.minimumBytes <= m.startupBytes && m.startupBytes <= m.maximumBytes) return []
  return [
    report(
      'memory-range-invalid',
      `dynamic memory needs minimum <= startup <= maximum; got ${formatSize(m.minimumBytes)} <= ${formatSize(m.startupBytes)} <= ${formatSize(m.maximumBytes)}`,
      {guest: guest.name, source: locate(['spec', 'memory'])},
    ),
  ]
}

export const generationLimitsRule: GuestRule = ({guest, locate}) => {
  const lim = LIMITS[guest.generation]
  const out: Diagnostic[] = []
  if (guest.processors > lim.processors) {
    out.push(
      report('processors-exceed-generation', `${guest.processors} virtual processors; Generation ${guest.generation} allows ${lim.processors}`, {
        guest: guest.name,
        source: locate(['spec', 'processors']),
      }),
    )
  }
  const top = Math.max(guest.memory.startupBytes, guest.memory.maximumBytes ?? 0)
  if (top > lim.memory) {
    out.push(
      report('memory-exceeds-generation', `${formatSize(top)} of memory; Generation ${guest.generation} allows ${formatSize(lim.memory)}`, {
        guest: guest.name,
        source: locate(['spec', 'memory']),
      }),
    )
  }
  return out
}
