/**
 * Integration components: the catalog entry of the guest OS, the host OS and the template's
 * `integration.install` decide how the guest gets its ICs (docs/hyperv-facts.md, 'Integration services').
 *
 *   auto          Windows of the IC-media era (2008-2012 R2, 7-8.1): the host's vmguest.iso on
 *                 hosts up to 2012 R2; Windows Update on 2016+ / Windows 10+ hosts, which do not
 *                 ship vmguest.iso [IS][B14]. Windows 2016+/10+: in box, Windows Update.
 *                 Linux: in-kernel drivers, or LIS media for the RHEL 5/6 family.
 *   attach-media  vmguest.iso (Windows) or LIS media (LIS-era Linux), as a DVD.
 *   offline       the IC cab injected into the stopped boot VHD (Windows 2008 R2+ only) [B13].
 *   none          nothing installed; services are still configured.
 *
 * An explicit choice that cannot apply is an error, and the guest is planned as `auto` would
 * plan it, so the rest of the plan stays meaningful. Services are always listed with their
 * GUIDs, whatever the strategy: they are host-side switches (docs/hyperv-facts.md, 'Localized names and GUIDs').
 */
import type {Diagnostic} from '../../model/diagnostic.js'
import type {IntegrationStrategy, PlannedIntegration, PlannedIntegrationService} from '../../model/plan.js'
import type {Locate} from '../../model/source.js'
import {report} from '../../model/codes.js'
import {atLeast, type HostOs} from '../../model/host-os.js'
import type {GuestOs, IntegrationSpec} from '../../model/schemas.js'
import {winJoin} from '../../util/windows-path.js'
import {describeOs, lookupOs, type Catalog, type LinuxOsEntry, type WindowsOsEntry} from './catalog.js'
import type {OsRequirements} from './catalog-schema.js'
import {resolveServices} from './integration-services.js'

/** On WS2012/2012 R2 hosts [ASR03]; earlier hosts shipped it too [B14] (same path: inference). */
export const VMGUEST_ISO = 'C:\\Windows\\System32\\vmguest.iso'
/** Where hosts that ship vmguest keep the IC cabs: `[HostDrive]:\windows\vmguest\support\amd64` [B13]. */
export const VMGUEST_CAB_DIR = 'C:\\Windows\\vmguest\\support\\amd64'

/** vmguest.iso is not included on Windows 10 or WS2016/2019 hosts (and later) [IS]. */
export const hostShipsIcMedia = (hostOs: HostOs): boolean => !atLeast(hostOs, 'windows-server-2016')

export type InstallMode = PlannedIntegration['install']

export interface IntegrationInput {
  guest: string
  os: GuestOs
  spec?: IntegrationSpec
  hostOs: HostOs
  host: {isoRoot: string; imageRoot: string}
  catalog: Catalog
  locate: Locate
}

export interface IntegrationResult {
  integration: PlannedIntegration
  /** Whether the guest sees synthetic devices (SCSI disks, synthetic NICs) from first boot. */
  guestHasDrivers: boolean
  /** What the guest OS needs of its VM (its catalog entry's `requires:`); null when nothing, or the OS is unknown. */
  osRequires: OsRequirements | null
  diagnostics: Diagnostic[]
}

/** What a family resolver decides; services and the common fields are added around it. */
interface Decision {
  strategy: IntegrationStrategy
  media?: string
  offlinePackages?: string[]
  kernelModules?: string[]
  packages?: string[]
  /** Services first boot enables; default: the entry's, when packages are installed. */
  daemonUnits?: string[]
  guestHasDrivers: boolean
  summary: string
}

interface Ctx extends IntegrationInput {
  install: InstallMode
  services: PlannedIntegrationService[]
  diagnostics: Diagnostic[]
  /** Reports an explicit `install:` that cannot apply (always an error, as any explicit setting that cannot apply is). */
  reject: (code: 'ic-media-unavailable' | 'ic-offline-unsupported', message: string) => void
}

export function resolveIntegration(input: IntegrationInput): IntegrationResult {
  const diagnostics: Diagnostic[] = []
  const match = lookupOs(input.catalog, input.os)
  if (!match.known) {
    diagnostics.push(
      report(
        'os-unknown',
        `the OS catalog does not know ${describeOs(input.os)}; planned as ${match.entry.id}, the most conservative ${input.os.family} strategy (${match.reason})`,
        {guest: input.guest, source: input.locate(['spec', 'os'])},
      ),
    )
  }
  const ctx: Ctx = {
    ...input,
    install: input.spec?.install ?? 'auto',
    services: resolveServices(input.spec?.services),
    diagnostics,
    reject: (code, message) =>
      diagnostics.push(report(code, message, {guest: input.guest, source: input.locate(['spec', 'integration', 'install'])})),
  }
  const entry = match.entry
  const d = entry.family === 'windows' ? windows(ctx, entry) : linux(ctx, entry)
  const prefix = match.known ? '' : `unknown OS, planned as ${entry.id}: `
  return {
    integration: {
      strategy: d.strategy,
      install: ctx.install,
      catalogEntry: entry.id,
      services: ctx.services,
      media: d.media ?? null,
      offlinePackages: d.offlinePackages ?? [],
      kernelModules: d.kernelModules ?? [],
      initramfs: entry.family === 'linux' ? entry.initramfs : null,
      packages: d.packages ?? [],
      daemonUnits: d.daemonUnits ?? (d.packages?.length && entry.family === 'linux' ? entry.daemonUnits : []),
      summary: prefix + d.summary,
    },
    guestHasDrivers: d.guestHasDrivers,
    osRequires: match.known && entry.family === 'windows' ? (entry.requires ?? null) : null,
    diagnostics,
  }
}

// ------------------------------------------------------------------------------ Windows

function windows(ctx: Ctx, e: WindowsOsEntry): Decision {
  switch (ctx.install) {
    case 'none':
      return {strategy: 'none', guestHasDrivers: e.inboxDrivers, summary: noneSummary(e.name, e.inboxDrivers)}
    case 'attach-media':
      if (!hostShipsIcMedia(ctx.hostOs)) {
        ctx.reject(
          'ic-media-unavailable',
          `install: attach-media needs vmguest.iso, which ${ctx.hostOs} hosts do not ship (only hosts up to Windows Server 2012 R2 do); use install: auto (Windows Update)${e.offlineCab ? ' or install: offline' : ''}`,
        )
        return windowsAuto(ctx, e)
      }
      return icMedia(e)
    case 'offline': {
      if (!e.offlineCab) {
        const why =
          e.icDelivery === 'windows-update'
            ? `${e.name} has its integration components in box and updates them through Windows Update; there is no offline IC package for it`
            : `offline IC injection works only for Windows Server 2008 R2 / Windows 7 and later guests, not ${e.name}`
        ctx.reject('ic-offline-unsupported', `${why}; use install: auto`)
        return windowsAuto(ctx, e)
      }
      // Hosts up to 2012 R2 carry the cabs; on 2016+ they come from KB3071740 [B15], and the run
      // expects the downloaded cab beside the images it is injected into.
      const dir = hostShipsIcMedia(ctx.hostOs) ? VMGUEST_CAB_DIR : ctx.host.imageRoot
      const cab = winJoin(dir, e.offlineCab)
      return {
        strategy: 'windows-offline',
        offlinePackages: [cab],
        guestHasDrivers: true,
        summary: `${e.name}: ${e.offlineCab} is injected into the stopped boot VHD (Add-WindowsPackage) before first start`,
      }
    }
    case 'auto':
      return windowsAuto(ctx, e)
  }
}

function windowsAuto(ctx: Ctx, e: WindowsOsEntry): Decision {
  if (e.icDelivery === 'windows-update') {
    return {
      strategy: 'windows-update',
      guestHasDrivers: e.inboxDrivers,
      summary: `${e.name}: integration components are in box and updated through Windows Update; nothing to inject`,
    }
  }
  if (hostShipsIcMedia(ctx.hostOs)) return icMedia(e)
  // 2016+ hosts: IC-media-era guests get their ICs from Windows Update [IS][B14].
  ctx.diagnostics.push(
    report(
      'ic-via-windows-update',
      `${ctx.hostOs} hosts do not ship vmguest.iso; ${e.name} gets its integration components through Windows Update${e.updateNeedsKvp ? ', which needs the Data Exchange (KVP) service' : ''}`,
      {guest: ctx.guest, source: ctx.locate(['spec', 'integration', 'install'])},
    ),
  )
  const kvp = ctx.services.find((s) => s.key === 'keyValuePairExchange')
  if (e.updateNeedsKvp && kvp && !kvp.enabled) {
    ctx.diagnostics.push(
      report(
        'ic-kvp-needed-for-update',
        `${e.name} gets integration components through Windows Update only with the Data Exchange (KVP) service on, and the template turns keyValuePairExchange off; turn it on, or use install: offline (the KB3071740 cab)`,
        {guest: ctx.guest, source: ctx.locate(['spec', 'integration', 'services', 'keyValuePairExchange'])},
      ),
    )
  }
  return {
    strategy: 'windows-update',
    guestHasDrivers: e.inboxDrivers,
    summary: `${e.name} on ${ctx.hostOs}: no vmguest.iso on this host, so integration components come through Windows Update${e.updateNeedsKvp ? ' (Data Exchange needed)' : ''}; nothing to inject`,
  }
}

function icMedia(e: WindowsOsEntry): Decision {
  return {
    strategy: 'windows-ic-media',
    media: VMGUEST_ISO,
    guestHasDrivers: e.inboxDrivers,
    summary: `${e.name}: the host's Integration Services setup disk (vmguest.iso) is attached as a DVD for the guest to install`,
  }
}

// -------------------------------------------------------------------------------- Linux

function linux(ctx: Ctx, e: LinuxOsEntry): Decision {
  switch (ctx.install) {
    case 'none':
      return {strategy: 'none', guestHasDrivers: e.inboxDrivers, summary: noneSummary(e.name, e.inboxDrivers)}
    case 'attach-media':
      if (e.strategy !== 'linux-lis' && e.lisOption) return optionalLis(ctx, e, e.lisOption)
      if (e.strategy !== 'linux-lis') {
        ctx.reject(
          'ic-media-unavailable',
          `there is no integration media for ${describeOs(ctx.os)}: its Hyper-V drivers are in the kernel and its daemons come from the distro; use install: auto`,
        )
      }
      return linuxAuto(ctx, e)
    case 'offline':
      ctx.reject(
        'ic-offline-unsupported',
        `offline IC injection (Add-WindowsPackage into the boot VHD) is for Windows guests; ${describeOs(ctx.os)} gets its drivers from the kernel or LIS; use install: auto`,
      )
      return linuxAuto(ctx, e)
    case 'auto':
      return linuxAuto(ctx, e)
  }
}

function linuxAuto(ctx: Ctx, e: LinuxOsEntry): Decision {
  const modules = e.kernelModules.join(', ')
  if (e.strategy === 'linux-lis') {
    const media = winJoin(ctx.host.isoRoot, e.lisMedia!)
    return {
      strategy: 'linux-lis',
      media,
      kernelModules: e.kernelModules,
      packages: e.packages,
      guestHasDrivers: true,
      summary: `${e.name}: Linux Integration Services from ${media} (${e.packages.join(', ')}), installed at first boot; the ${e.initramfs ?? 'initramfs'} image must carry ${modules}`,
    }
  }
  const daemons = e.packages.length > 0 ? `; first boot installs ${e.packages.join(', ')}` : '; no daemon package known'
  return {
    strategy: 'linux-builtin',
    kernelModules: e.kernelModules,
    packages: e.packages,
    guestHasDrivers: e.inboxDrivers,
    summary: `${e.name}: in-kernel Hyper-V drivers (${modules} in the ${e.initramfs ?? 'initramfs'} image)${daemons}`,
  }
}

/** LIS asked for where the kernel has the drivers already: the media's extras (online backup, newer fixes). */
function optionalLis(ctx: Ctx, e: LinuxOsEntry, lis: NonNullable<LinuxOsEntry['lisOption']>): Decision {
  const media = winJoin(ctx.host.isoRoot, lis.media)
  return {
    strategy: 'linux-lis',
    media,
    kernelModules: e.kernelModules,
    packages: lis.packages,
    daemonUnits: lis.daemonUnits,
    guestHasDrivers: true,
    summary: `${e.name}: the kernel has the Hyper-V drivers; Linux Integration Services from ${media} (${lis.packages.join(', ')}) are installed at first boot for their extras, as install: attach-media asks; the ${e.initramfs ?? 'initramfs'} image must carry ${e.kernelModules.join(', ')}`,
  }
}

function noneSummary(name: string, inbox: boolean): string {
  return `${name}: integration components are not installed (install: none)${inbox ? '; the OS has in-box drivers' : '; the guest has no drivers for synthetic devices'}`
}
