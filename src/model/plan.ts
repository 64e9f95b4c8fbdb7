/**
 * The Plan: hvguest's public JSON contract (`apiVersion: hvguest/v1`, `kind: Plan`).
 * `plan --json` prints it, `create` executes it, `create --emit` embeds it. Fields are added,
 * never renamed; every optional setting is present as `null` rather than missing, so that
 * scripts can rely on the shape.
 */
import type {Diagnostic} from './diagnostic.js'
import type {HostOs} from './host-os.js'
import type {ChimneySetting, IntegrationServiceKey, Transport} from './schemas.js'

export type ControllerType = 'IDE' | 'SCSI'

export interface ControllerSlot {
  type: ControllerType
  number: number
  location: number
}

export type DriveRole = 'boot' | 'data' | 'integration-media' | 'firstboot-media' | 'media'

export interface DiskCreation {
  type: 'Dynamic' | 'Fixed' | 'Differencing'
  sizeBytes: number | null
  parentPath: string | null
  blockSizeBytes: number | null
  /** Logical and physical sector size (New-VHD -LogicalSectorSizeBytes/-PhysicalSectorSizeBytes). */
  sectorSizeBytes: number | null
  format: 'vhdx' | 'vhd'
}

export interface PlannedDrive {
  kind: 'hdd' | 'dvd'
  role: DriveRole
  name: string
  controller: ControllerSlot
  /** The VHD or ISO on the host; null for an empty DVD drive or a pass-through disk. */
  path: string | null
  /** Set for a disk this run creates. */
  create: DiskCreation | null
  /** Set for a disk copied from an existing VHD (bootDisk.copyFrom). */
  copyFrom: string | null
  /** Set for a pass-through physical disk. */
  diskNumber: number | null
  /** True when the controller slot came from the template (a pin) rather than the allocator. */
  pinned: boolean
}

export interface PlannedNetworkAdapter {
  name: string
  switch: string
  legacy: boolean
  vlan: number | null
  /** `*JumboPacket` value for the guest NIC; null = leave the driver default (1514). */
  jumboPacket: number | null
  vmq: boolean
  macAddress: string | null
  macSpoofing: boolean
  /**
   * Static IPv4 settings for the first-boot media, which match the adapter by its MAC address;
   * null = DHCP with no settings of its own. `addresses` empty with `dns` set = DHCP with these
   * DNS servers.
   */
  ipConfig: PlannedIpConfig | null
}

export interface PlannedIpConfig {
  /** CIDR, as the template wrote them: "10.200.1.10/24". */
  addresses: string[]
  gateway: string | null
  dns: string[]
}

export type IntegrationStrategy =
  | 'windows-update' // 2016+ guests: ICs arrive through Windows Update; nothing to inject
  | 'windows-ic-media' // 2008-2012 R2 era guests: host's vmguest.iso attached as a DVD
  | 'windows-offline' // 2008 R2-2012 R2 era guests: IC cab injected into the stopped boot VHD
  | 'linux-builtin' // in-kernel hv_* drivers; hyperv-daemons installed at first boot
  | 'linux-lis' // RHEL/CentOS 5-6 era: Linux Integration Services from media
  | 'none'

export interface PlannedIntegrationService {
  key: IntegrationServiceKey
  /** English display name, for people only; hosts are addressed by `id`. */
  name: string
  /** Locale-neutral GUID: the suffix of the service's Id (`Microsoft:<VMId>\<GUID>`). */
  id: string
  enabled: boolean
}

export interface PlannedIntegration {
  strategy: IntegrationStrategy
  install: 'auto' | 'attach-media' | 'offline' | 'none'
  /** Catalog entry that decided the strategy, e.g. `windows-2012r2` or `linux-centos-6`. */
  catalogEntry: string
  services: PlannedIntegrationService[]
  /** IC media (vmguest.iso, LIS iso) attached as a DVD, when the strategy uses media. */
  media: string | null
  /** Cab files for offline injection into the boot VHD (strategy windows-offline). */
  offlinePackages: string[]
  /** Kernel modules the initramfs must carry (Linux). */
  kernelModules: string[]
  /** The tool that rebuilds this distro's initramfs (Linux): first boot adds kernelModules with it. */
  initramfs: 'dracut' | 'initramfs-tools' | 'mkinitrd' | null
  /** Guest packages that provide the user-space daemons (KVP, VSS, file copy). */
  packages: string[]
  /** The services those packages install, which first boot enables (Linux). */
  daemonUnits: string[]
  /** One line a person can read: why this strategy, what happens. */
  summary: string
}

export interface PlannedFirstBoot {
  kind: 'cloudInit' | 'kickstart' | 'unattend'
  /** The first-boot template, as written in the guest template. */
  template: string
  /** Seed media written by the run and attached as the firstboot-media DVD. */
  media: string
  /** Volume label the guest looks for: cidata, OEMDRV, or UNATTEND. */
  label: string
  values: Record<string, unknown>
  /** The rendered first-boot files written to the seed media, in media order. */
  files: PlannedFirstBootFile[]
  /**
   * What the installer must be told to find the media, from the template's `# boot-hint:` line
   * (kickstart: `ks=cdrom:/ks.cfg`); null when the guest finds it by itself.
   */
  bootHint: string | null
  /**
   * The media carries the value of a `secret: true` parameter (hashed, encoded or as it is):
   * `files` show it as (secret), the media alone has the real bytes (src/resolve/firstboot/seed-files.ts).
   */
  secret: boolean
  /** firstBoot.keepMedia: keep media with a secret attached after --wait (default: eject and delete it). */
  keepMedia: boolean
}

export interface PlannedFirstBootFile {
  /** File name at the root of the media: user-data, meta-data, network-config, ks.cfg, autounattend.xml, unattend.xml. */
  name: string
  /** The first-boot template it was rendered from. */
  template: string
  content: string
}

/** Why a guest is on its host, when hvguest chose it by free memory (docs/placement.md). */
export interface PlannedPlacement {
  /** One sentence: the host's numbers, and the runner-up's. */
  reason: string
  /** The host's free memory when asked (Win32_OperatingSystem FreePhysicalMemory). */
  freeBytes: number
  /** What the host keeps for itself (inventory memoryReserve, default 2GB). */
  reserveBytes: number
  /** What this run placed on the host before this guest. */
  placedBytes: number
}

export interface PlannedGuest {
  name: string
  host: string
  /** null: the host was given (--host, a lab's host:) or is the only one. */
  placement: PlannedPlacement | null
  template: string
  templateFile: string | null
  profile: string
  generation: 1 | 2
  os: {family: 'windows' | 'linux'; distro: string | null; version: string; edition: 'server' | 'client' | null}
  roles: string[]
  hostname: string
  notes: string | null
  processors: number
  memory: {startupBytes: number; dynamic: boolean; minimumBytes: number | null; maximumBytes: number | null}
  /** Directory on the host that holds the VM's configuration and new disks. */
  path: string
  drives: PlannedDrive[]
  networkAdapters: PlannedNetworkAdapter[]
  /**
   * Guest-side TCP Chimney (netsh inside the guest): Windows guests on 2008 R2 hosts only, the
   * one release where VM chimney exists (docs/hyperv-facts.md, 'VMQ and TCP Chimney'); null everywhere else.
   */
  chimney: ChimneySetting | null
  integration: PlannedIntegration
  firstBoot: PlannedFirstBoot | null
  /**
   * Gen1: BootDevice names for Set-VMBios -StartupOrder (CD, IDE, LegacyNetworkAdapter, Floppy).
   * Gen2: device references for Set-VMFirmware -BootOrder (`SCSI 0:0`, `network:<adapter>`).
   */
  bootOrder: string[]
  firmware: {secureBoot: 'on' | 'off' | null; secureBootTemplate: string | null}
  /**
   * VMSecurity: tpm = a local key protector and a virtual TPM (Gen2, 2016+ hosts; docs/windows-11.md).
   */
  security: {tpm: boolean}
  floppy: string | null
  nestedVirtualization: boolean
  checkpoints: 'disabled' | 'standard' | 'production' | 'productionOnly' | null
  automaticStartAction: 'nothing' | 'start' | 'startIfRunning' | null
  automaticStopAction: 'turnOff' | 'save' | 'shutDown' | null
  start: boolean
}

export interface HostJumboSetting {
  switch: string
  /** `*JumboPacket` value for the physical NIC bound to the switch and for `vEthernet (<switch>)`. */
  value: number
  targets: Array<'physical-nic' | 'host-vethernet'>
}

export interface PlannedHost {
  name: string
  os: HostOs
  /** Where `os` came from: the inventory, --host-os, or the default. */
  osSource: 'inventory' | 'flag' | 'default'
  transport: Transport
  profile: string
  vmRoot: string
  imageRoot: string
  isoRoot: string
  cluster: string | null
  network: {
    jumbo: HostJumboSetting[]
    /** Host-global TCP Chimney (Set-NetOffloadGlobalSetting / netsh); null = left alone. */
    chimney: ChimneySetting | null
    vmq: boolean | null
  }
}

/** A diagnostic as the plan carries it: `guest` and `host` always present, null when none. */
export type PlanDiagnostic = Omit<Diagnostic, 'guest' | 'host'> & {guest: string | null; host: string | null}

export interface Plan {
  apiVersion: 'hvguest/v1'
  kind: 'Plan'
  guests: PlannedGuest[]
  hosts: PlannedHost[]
  diagnostics: PlanDiagnostic[]
  summary: {guests: number; errors: number; warnings: number; infos: number}
}
