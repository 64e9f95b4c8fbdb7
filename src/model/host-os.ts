/**
 * Host operating systems, in release order. Rules compare hosts with `atLeast` rather
 * than listing versions, so that a new release only has to be appended here.
 */
export const HOST_OS = [
  'windows-server-2008',
  'windows-server-2008r2',
  'windows-server-2012',
  'windows-server-2012r2',
  'windows-10',
  'windows-server-2016',
  'windows-server-2019',
  'windows-11',
  'windows-server-2022',
  'windows-server-2025',
] as const

export type HostOs = (typeof HOST_OS)[number]

export const DEFAULT_HOST_OS: HostOs = 'windows-server-2022'

/**
 * Hyper-V platform level of each host OS: client Windows 10 shares the 2016 platform
 * (no vmguest.iso, no VM chimney), Windows 11 the 2022 one.
 */
const LEVEL: Record<HostOs, number> = {
  'windows-server-2008': 2008.0,
  'windows-server-2008r2': 2008.5,
  'windows-server-2012': 2012.0,
  'windows-server-2012r2': 2012.5,
  'windows-10': 2016.0,
  'windows-server-2016': 2016.0,
  'windows-server-2019': 2019.0,
  'windows-11': 2022.0,
  'windows-server-2022': 2022.0,
  'windows-server-2025': 2025.0,
}

export function hostLevel(os: HostOs): number {
  return LEVEL[os]
}

/** True when `os` is the same Hyper-V platform as `ref` or newer. */
export function atLeast(os: HostOs, ref: HostOs): boolean {
  return LEVEL[os] >= LEVEL[ref]
}

export function isHostOs(value: string): value is HostOs {
  return (HOST_OS as readonly string[]).includes(value)
}

/**
 * Whether the host OS has the Hyper-V PowerShell module, which is all hvguest drives a host
 * with. Windows Server 2008 and 2008 R2 manage Hyper-V through WMI v1 (root\virtualization)
 * only; the module arrived with Windows Server 2012 and Windows 8. hvguest plans for every
 * host OS, and acts only on these.
 */
export function hasHyperVModule(os: HostOs): boolean {
  return atLeast(os, 'windows-server-2012')
}

/** What hvguest can act on, for messages (the same words in the README). */
export const MANAGED_HOSTS =
  'hvguest manages hosts that have the Hyper-V PowerShell module: Windows Server 2012, 2012 R2, 2016, 2019, 2022 and 2025, and Windows 10 and 11 (Generation 2 guests need 2012 R2 or later)'
