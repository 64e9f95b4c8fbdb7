/**
 * resolve: one rendered, schema-valid GuestSpec plus its target host and profile become a
 * PlannedGuest. Each concern lives in its own module (layout/, integration/, network/); this
 * file only wires them together in the order the plan needs.
 */
import type {Diagnostic} from '../model/diagnostic.js'
import type {PlannedDrive, PlannedGuest} from '../model/plan.js'
import type {Locate} from '../model/source.js'
import {allocateSlots} from './layout/allocate-slots.js'
import {resolveBootOrder} from './layout/boot-order.js'
import type {Catalog} from './integration/catalog.js'
import type {OsRequirements} from './integration/catalog-schema.js'
import {resolveIntegration} from './integration/resolve-integration.js'
import {guestChimney} from './network/guest-chimney.js'
import {resolveAdapters} from './network/resolve-adapters.js'
import {GB, MB} from '../model/sizes.js'
import type {GuestSpec} from '../model/schemas.js'
import {winJoin} from '../util/windows-path.js'
import {draftDrives} from './drives.js'
import {resolveFirstBoot} from './firstboot/index.js'
import type {TargetHost} from '../model/target-host.js'

/** Hyper-V's own defaults for dynamic memory (New-VM / Set-VMMemory). */
const DYNAMIC_MIN_DEFAULT = 512 * MB
const DYNAMIC_MAX_DEFAULT = 1024 * GB
const STARTUP_DEFAULT = 1 * GB

/** Every drive the template asked for, placed or not, with where it was written. */
export interface DriveFact {
  drive: Omit<PlannedDrive, 'controller'>
  /** Null when the allocator could not place it (already reported). */
  slot: PlannedDrive['controller'] | null
  /** The drive's path in the rendered template, e.g. ['spec', 'dataDisks', 3]. */
  path: Array<string | number>
}

export interface ResolvedGuest {
  guest: PlannedGuest
  /** Inputs the rules read that the plan itself does not carry. */
  spec: GuestSpec
  drives: DriveFact[]
  locate: Locate
  host: TargetHost
  guestHasDrivers: boolean
  /** What the guest OS needs of the VM, from its catalog entry (`requires:`); null when nothing. */
  osRequires: OsRequirements | null
  diagnostics: Diagnostic[]
}

export function resolveGuest(input: {
  name: string
  template: {name: string; file: string | null}
  spec: GuestSpec
  locate: Locate
  host: TargetHost
  catalog: Catalog
}): ResolvedGuest {
  const {name, spec, locate, host} = input
  const profile = host.profile.profile
  const diagnostics: Diagnostic[] = []
  const generation = spec.generation ?? 1
  const guestDir = winJoin(host.vmRoot, name)

  const ic = resolveIntegration({
    guest: name,
    os: spec.os,
    spec: spec.integration,
    hostOs: host.os,
    host: {isoRoot: host.isoRoot, imageRoot: host.imageRoot},
    catalog: input.catalog,
    locate,
  })
  diagnostics.push(...ic.diagnostics)

  const firstBoot = resolveFirstBoot(name, guestDir, spec)
  const drafted = draftDrives({guest: name, guestDir, spec, integration: ic.integration, firstBoot, locate, hostOs: host.os})
  diagnostics.push(...drafted.diagnostics)

  const layout = allocateSlots(
    generation,
    drafted.drafts.map((d) => d.request),
    name,
  )
  diagnostics.push(...layout.diagnostics)
  const drives: PlannedDrive[] = []
  const facts: DriveFact[] = drafted.drafts.map((d, i) => {
    const slot = layout.slots[i] ?? null
    const drive = {...d.drive, pinned: d.request.pin !== undefined}
    if (slot) drives.push({...drive, controller: slot})
    return {drive, slot, path: d.path}
  })

  const net = resolveAdapters({
    guest: name,
    generation,
    os: spec.os,
    hostOs: host.os,
    profile,
    adapters: spec.networkAdapters ?? [],
    locate,
  })
  diagnostics.push(...net.diagnostics)

  const boot = resolveBootOrder({
    generation,
    requested: spec.firmware?.bootOrder,
    drives,
    adapters: net.adapters,
    hasFloppy: spec.floppy !== undefined,
    bootDiskIsBlank: spec.bootDisk.size !== undefined,
    guest: name,
    source: locate(['spec', 'firmware', 'bootOrder']),
  })
  diagnostics.push(...boot.diagnostics)

  const memory = spec.memory ?? profile.spec.memory
  const dynamic = memory?.dynamic ?? false
  const guest: PlannedGuest = {
    name,
    host: host.name,
    placement: null,
    template: input.template.name,
    templateFile: input.template.file,
    profile: host.profile.name,
    generation,
    os: {
      family: spec.os.family,
      distro: spec.os.distro ?? null,
      version: spec.os.version,
      edition: spec.os.edition ?? null,
    },
    roles: spec.roles ?? [],
    hostname: spec.hostname ?? name,
    notes: spec.notes ?? null,
    processors: spec.processors ?? profile.spec.processors ?? 1,
    memory: {
      startupBytes: memory?.startup ?? STARTUP_DEFAULT,
      dynamic,
      minimumBytes: dynamic ? (memory?.minimum ?? DYNAMIC_MIN_DEFAULT) : null,
      maximumBytes: dynamic ? (memory?.maximum ?? DYNAMIC_MAX_DEFAULT) : null,
    },
    path: guestDir,
    drives,
    networkAdapters: net.adapters,
    chimney: guestChimney({os: spec.os, hostOs: host.os, profile}),
    integration: ic.integration,
    firstBoot,
    bootOrder: boot.bootOrder,
    firmware: {secureBoot: spec.firmware?.secureBoot ?? null, secureBootTemplate: spec.firmware?.secureBootTemplate ?? null},
    security: {tpm: spec.security?.tpm ?? false},
    floppy: spec.floppy ?? null,
    nestedVirtualization: spec.nestedVirtualization ?? false,
    checkpoints: spec.checkpoints ?? null,
    automaticStartAction: spec.automaticStartAction ?? null,
    automaticStopAction: spec.automaticStopAction ?? null,
    start: spec.start ?? false,
  }
  return {guest, spec, drives: facts, locate, host, guestHasDrivers: ic.guestHasDrivers, osRequires: ic.osRequires, diagnostics}
}
