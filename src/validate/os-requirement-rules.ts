/**
 * What a guest OS needs of its VM, from its catalog entry's `requires:` (templates/catalog/os.yaml).
 * Windows 11 needs UEFI with Secure Boot and a TPM 2.0: on Hyper-V a Generation 2 VM with Secure
 * Boot on and a virtual TPM (docs/windows-11.md, with the sources). The TPM itself is Gen2-only
 * and arrived with Windows Server 2016 / Windows 10 1511 hosts (Enable-VMTPM, Set-VMKeyProtector).
 */
import {report} from '../model/codes.js'
import type {GuestRule} from './types.js'
import {atLeast} from '../model/host-os.js'
import type {Diagnostic} from '../model/diagnostic.js'

/** Where the template wrote a key, or the nearest written parent (so the error lands on a real line). */
function at(spec: unknown, path: string[]): string[] {
  let node: unknown = spec
  const found: string[] = []
  for (const key of path) {
    if (node === null || typeof node !== 'object' || !(key in (node as Record<string, unknown>))) break
    node = (node as Record<string, unknown>)[key]
    found.push(key)
  }
  return ['spec', ...found]
}

export const osRequirementsRule: GuestRule = ({guest, spec, osRequires: req, locate}) => {
  if (!req) return []
  const out: Diagnostic[] = []
  const os = `Windows ${guest.os.version}`
  if (req.generation === 2 && guest.generation !== 2) {
    out.push(
      report('os-requires-generation-2', `${os} runs only on Generation 2 VMs (it needs UEFI firmware with Secure Boot and a TPM 2.0, which Generation 1 VMs do not have; ${req.source}); set generation: 2`, {
        guest: guest.name,
        source: locate(at(spec, ['generation'])),
      }),
    )
    return out
  }
  if (req.secureBoot && guest.firmware.secureBoot === 'off') {
    out.push(
      report('os-requires-secure-boot', `${os} needs Secure Boot (${req.source}); remove firmware.secureBoot: off or set it to on, with secureBootTemplate: MicrosoftWindows`, {
        guest: guest.name,
        source: locate(at(spec, ['firmware', 'secureBoot'])),
      }),
    )
  } else if (req.secureBoot && guest.firmware.secureBootTemplate !== null && guest.firmware.secureBootTemplate.toLowerCase() !== 'microsoftwindows') {
    // Secure Boot with another template (MicrosoftUEFICertificateAuthority, OpenSourceShieldedVM)
    // does not trust the Windows boot loader: the guest would not boot.
    out.push(
      report('os-requires-secure-boot', `${os} boots only with the MicrosoftWindows Secure Boot template, which trusts the Windows boot loader (${req.source}); ${guest.firmware.secureBootTemplate} does not: set secureBootTemplate: MicrosoftWindows or remove it`, {
        guest: guest.name,
        source: locate(at(spec, ['firmware', 'secureBootTemplate'])),
      }),
    )
  }
  if (req.tpm && !guest.security.tpm) {
    out.push(
      report('os-requires-tpm', `${os} needs a TPM 2.0 (${req.source}); add security: {tpm: true} (a virtual TPM: Windows Server 2016 or Windows 10 1511 and later hosts)`, {
        guest: guest.name,
        source: locate(at(spec, ['security', 'tpm'])),
      }),
    )
  }
  return out
}

export const tpmGen1Rule: GuestRule = ({guest, locate}) =>
  guest.security.tpm && guest.generation === 1
    ? [
        report('tpm-gen1', 'security.tpm: a virtual TPM exists only on Generation 2 VMs (Enable-VMTPM fails on a Generation 1 VM); set generation: 2 or remove security.tpm', {
          guest: guest.name,
          source: locate(['spec', 'security', 'tpm']),
        }),
      ]
    : []

/** Enable-VMTPM, Set-VMKeyProtector and Get-VMSecurity arrived with Windows Server 2016 and Windows 10 1511. */
export const tpmHostRule: GuestRule = ({guest, host, locate}) =>
  guest.security.tpm && guest.generation === 2 && !atLeast(host.os, 'windows-server-2016')
    ? [
        report(
          'tpm-unsupported-host',
          `security.tpm: a ${host.os} host has no virtual TPM (Enable-VMTPM and Set-VMKeyProtector arrived with Windows Server 2016 and Windows 10 1511; ${host.name} is ${host.os}); use a Windows Server 2016 or later host, or remove security.tpm`,
          {guest: guest.name, source: locate(['spec', 'security', 'tpm'])},
        ),
      ]
    : []
