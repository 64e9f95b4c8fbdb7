/**
 * Every diagnostic code hvguest emits, with its default severity and a one-line meaning.
 * Codes are a public contract (scripts match on them): add freely, never rename or remove.
 * test/unit/validate/diagnostic-codes.test.ts fails when a code here has no triggering case.
 */
import {diagnostic, type Diagnostic, type Severity, type SourceRef} from './diagnostic.js'

export interface CodeInfo {
  severity: Severity
  summary: string
}

export const CODES = {
  // -- input files
  'file-not-found': {severity: 'error', summary: 'A template, profile, inventory or values file does not exist or cannot be read.'},
  'yaml-syntax': {severity: 'error', summary: 'The YAML does not parse.'},
  schema: {severity: 'error', summary: 'A value has the wrong type or shape, or a key is unknown.'},
  'kind-mismatch': {severity: 'error', summary: 'The file is not of the kind expected here (GuestTemplate, HardwareProfile, HostInventory, Lab).'},
  'template-syntax': {severity: 'error', summary: 'A Handlebars expression does not parse.'},
  'template-undefined-variable': {severity: 'error', summary: 'A Handlebars expression names a variable that has no value.'},
  'firstboot-template-not-found': {severity: 'error', summary: 'firstBoot names a first-boot template (or cloud-init folder) that is not next to the guest template, in the project or built in.'},
  'firstboot-value-invalid': {severity: 'error', summary: 'A value holds characters its first-boot file format cannot carry (a line break in a kickstart line, a control character in XML).'},
  'template-helper-error': {severity: 'error', summary: 'A template helper was called with arguments it cannot use (e.g. {{pad index}} without a width).'},
  'parameter-missing': {severity: 'error', summary: 'A required template parameter has no value.'},
  'parameter-unknown': {severity: 'error', summary: '--set or --values names a parameter the template does not declare.'},
  'parameter-invalid': {severity: 'error', summary: 'A parameter value does not fit its type, allowed list or range.'},
  'parameter-looks-secret': {severity: 'warning', summary: 'A parameter whose name holds password, secret or token is not declared secret: true, so its value is shown in plans and output.'},
  'parameter-secret-default': {severity: 'warning', summary: 'A secret: true parameter has a default value: a default secret is a secret shared by every guest made from the template.'},
  'secret-outside-firstboot': {severity: 'error', summary: 'A secret: true parameter is used in the guest template itself; a secret may reach only first-boot templates, which write it (hashed where the format allows) onto the seed media alone.'},
  'firstboot-secret-attached': {severity: 'warning', summary: 'The guest\'s seed media, which carries a secret (an answer file password, or a hash), is still attached and on the host\'s disk.'},
  'name-invalid': {severity: 'error', summary: 'A guest name is not a valid host name or file name (or is over 15 characters for Windows).'},
  'name-duplicate': {severity: 'error', summary: 'Two guests of one run have the same name on the same host.'},
  'template-not-found': {severity: 'error', summary: 'No built-in or project template has that name.'},
  'profile-not-found': {severity: 'error', summary: 'No built-in or project hardware profile has that name.'},
  'host-not-found': {severity: 'error', summary: 'The inventory has no host of that name.'},
  'input-invalid': {severity: 'error', summary: 'The command\'s arguments or flags cannot be used as given.'},
  // -- controller layout
  'ide-slots-exhausted': {severity: 'error', summary: 'Gen1 has 2 IDE controllers x 2 locations, DVD drives included; more devices were asked for.'},
  'controller-slot-conflict': {severity: 'error', summary: 'Two devices are pinned to the same controller slot.'},
  'boot-disk-not-ide00': {severity: 'warning', summary: 'The Gen1 boot disk is pinned to an IDE slot other than 0:0.'},
  'scsi-boot-gen1': {severity: 'error', summary: 'A Generation 1 VM cannot boot from SCSI.'},
  'ide-on-gen2': {severity: 'error', summary: 'Generation 2 VMs have no IDE controller.'},
  'legacy-nic-gen2': {severity: 'error', summary: 'Generation 2 VMs have no legacy network adapter.'},
  'scsi-controllers-exceeded': {severity: 'error', summary: 'More than 4 SCSI controllers (256 disks) would be needed, or a pin names controller 4 or higher.'},
  'scsi-location-out-of-range': {severity: 'error', summary: 'A SCSI pin names a location outside 0-63.'},
  'ide-location-out-of-range': {severity: 'error', summary: 'An IDE pin names a controller outside 0-1 or a location outside 0-1.'},
  'boot-order-device-missing': {severity: 'warning', summary: 'The boot order names a device class the VM does not have.'},
  'dvd-scsi-gen1': {severity: 'error', summary: 'Generation 1 DVD drives are IDE devices; a DVD cannot be pinned to SCSI.'},
  // -- disks
  'disk-size-exceeds-format': {severity: 'error', summary: 'A VHD is over 2040 GB or a VHDX over 64 TB.'},
  'boot-disk-exceeds-gen1': {severity: 'warning', summary: 'A Gen1 boot volume over 2 TB (VHDX) cannot be fully used by BIOS boot.'},
  'disk-spec-invalid': {severity: 'error', summary: 'A disk lacks what its type needs (size, parent, path or diskNumber) or has what it cannot use.'},
  'block-size-invalid': {severity: 'error', summary: 'A VHDX block size must be a power of 2 from 1 MB to 256 MB.'},
  'disk-path-duplicate': {severity: 'error', summary: 'Two drives of one guest resolve to the same file.'},
  // -- network
  'nic-limit-exceeded': {severity: 'error', summary: 'More adapters than the host allows (8 synthetic + 4 legacy before 2019, 64 + 4 from 2019).'},
  'jumbo-unsupported': {severity: 'error', summary: 'A jumbo packet value the profile NIC does not list in its valid values.'},
  'jumbo-legacy-adapter': {severity: 'error', summary: 'Jumbo frames do not apply to a legacy (emulated) adapter.'},
  'jumbo-linux-host-too-old': {severity: 'error', summary: 'Linux guests get jumbo frames only on Windows Server 2012 R2 and later hosts.'},
  'chimney-unsupported-host': {severity: 'warning', summary: 'TCP Chimney for VMs exists only on Windows Server 2008 R2 hosts.'},
  'chimney-unsupported-nic': {severity: 'warning', summary: 'The profile NIC does not support TCP Chimney offload.'},
  'vmq-unsupported-nic': {severity: 'warning', summary: 'The profile NIC does not support VMQ.'},
  'vmq-legacy-adapter': {severity: 'error', summary: 'VMQ does not apply to a legacy (emulated) adapter.'},
  'wireless-adapter-switch': {severity: 'error', summary: 'A wireless NIC cannot back an external virtual switch.'},
  'switch-name-mismatch': {severity: 'error', summary: 'An adapter names a switch that the host (or another node of its cluster) does not have.'},
  'mac-address-duplicate': {severity: 'error', summary: 'Two adapters of one run have the same static MAC address.'},
  'nic-name-duplicate': {severity: 'error', summary: 'Two network adapters of one guest have the same name (the run addresses adapters by name).'},
  'network-address-needs-mac': {severity: 'error', summary: 'An adapter with static IPv4 settings (addresses, dns) has no macAddress; first-boot media find the adapter by its MAC address.'},
  'network-address-invalid': {severity: 'error', summary: 'An adapter\'s static IPv4 settings do not fit together: the gateway outside every address\'s subnet or equal to one of them, a gateway without addresses, or an address that is its subnet\'s network or broadcast address.'},
  'network-address-duplicate': {severity: 'error', summary: 'Two adapters of one run have the same static IPv4 address.'},
  'network-address-unsupported': {severity: 'warning', summary: 'The guest\'s first boot cannot apply all of an adapter\'s static IPv4 settings: it has no first-boot media, or a kickstart, whose network command takes one address per adapter.'},
  // -- labs (hvguest lab plan): found in the lab file, before any host is asked
  'lab-address-invalid': {severity: 'error', summary: 'A lab adapter\'s address is outside its network\'s subnet (or its count runs past it), has another prefix length, or is the network, broadcast or gateway address.'},
  'lab-address-duplicate': {severity: 'error', summary: 'Two adapters of a lab have the same address.'},
  'lab-subnet-conflict': {severity: 'error', summary: 'A lab network\'s subnet overlaps another network of the lab, or (lab up) an address the host already has on another interface (a NIC, another switch\'s vEthernet adapter).'},
  'lab-nat-conflict': {severity: 'error', summary: 'nat: true on a lab network that is not internal (only an internal switch has a host address to translate for); or (lab up) a NetNat of the host overlaps the subnet without holding it, the host already has the one NetNat Windows Server allows, or it cannot NAT an internal switch (no NetNat module on Windows Server 2012, no -InternalIPInterfaceAddressPrefix on 2012 R2).'},
  'lab-dependency-invalid': {severity: 'error', summary: 'A lab guest\'s dependsOn names no guest of the lab, or the dependencies form a cycle.'},
  'lab-network-unknown': {severity: 'error', summary: 'A lab guest\'s adapter names a network the lab does not declare; or (lab up) a network of type existing names a switch the host does not have.'},
  'lab-no-dhcp': {severity: 'warning', summary: 'A lab adapter has no address on an internal or private network, where nothing hands out addresses unless the host runs DHCP.'},
  'lab-network-split': {severity: 'warning', summary: 'An internal or private network\'s guests are on more than one host (their host:, or where an earlier lab up made them): each host gets a switch of its own, and guests on different hosts cannot reach each other over it.'},
  // -- labs (hvguest lab up): found on the host from its facts, before any change (exit 2)
  'lab-name-taken': {severity: 'error', summary: 'The host has a switch or VM of a name the lab would create that the lab did not create (no record of it, no hvguest lab note on the switch).'},
  'lab-adapter-unavailable': {severity: 'error', summary: 'An external network\'s physical adapter is missing, not Up, wireless, or already bound to another switch (one external switch per adapter).'},
  'lab-record-damaged': {severity: 'error', summary: 'The host\'s record of the lab (<vmRoot>\\.hvguest\\labs\\<lab>.json) cannot be read: what the lab made cannot be told from what it did not, so nothing is changed.'},
  'lab-mac-conflict': {severity: 'error', summary: 'A static MAC the lab derived for an adapter is already used by another VM on the host.'},
  // -- integration components
  'ic-required-for-synthetic-devices': {severity: 'warning', summary: 'Without integration components the guest cannot see SCSI disks or synthetic NICs.'},
  'ic-media-unavailable': {severity: 'error', summary: 'IC media (vmguest.iso) is not shipped on Windows Server 2016 and later hosts (nor Windows 10/11).'},
  'ic-offline-unsupported': {severity: 'error', summary: 'Offline IC injection needs a Windows 2008 R2 or later guest with a boot VHD the run can mount.'},
  'ic-via-windows-update': {severity: 'info', summary: 'Integration components reach this guest through Windows Update; nothing is injected.'},
  'ic-kvp-needed-for-update': {severity: 'warning', summary: 'ICs through Windows Update need the Data Exchange (KVP) service, which the template turns off.'},
  'os-unknown': {severity: 'warning', summary: 'The OS catalog does not know this guest OS; the family\'s most conservative strategy is planned.'},
  // -- roles and settings
  'dc-guidance': {severity: 'warning', summary: 'Domain controller guidance: NTDS on SCSI, no differencing disks, time sync off, no checkpoints.'},
  'secure-boot-gen1': {severity: 'error', summary: 'Secure Boot exists only on Generation 2 VMs.'},
  'tpm-gen1': {severity: 'error', summary: 'A virtual TPM (security.tpm) exists only on Generation 2 VMs.'},
  'os-requires-generation-2': {severity: 'error', summary: 'The guest OS runs only on Generation 2 VMs (Windows 11: UEFI); the template asks for Generation 1.'},
  'os-requires-secure-boot': {severity: 'error', summary: 'The guest OS needs Secure Boot (Windows 11); the template turns it off.'},
  'os-requires-tpm': {severity: 'error', summary: 'The guest OS needs a TPM 2.0 (Windows 11); the template has no security.tpm: true.'},
  'floppy-gen2': {severity: 'error', summary: 'Generation 2 VMs have no floppy drive.'},
  'nested-virt-dynamic-memory': {severity: 'error', summary: 'Nested virtualization needs static memory.'},
  'memory-range-invalid': {severity: 'error', summary: 'Dynamic memory needs minimum <= startup <= maximum.'},
  'processors-exceed-generation': {severity: 'error', summary: 'More virtual processors than the generation allows (64 on Gen1).'},
  'memory-exceeds-generation': {severity: 'error', summary: 'More memory than the generation allows (1 TB on Gen1, 12 TB on Gen2).'},
  'host-os-assumed': {severity: 'info', summary: 'The host OS is not known; the plan assumes --host-os.'},
  'vhdx-unsupported-host': {severity: 'error', summary: 'VHDX needs a Windows Server 2012 or later host.'},
  'generation-unsupported-host': {severity: 'error', summary: 'Generation 2 VMs need a Windows Server 2012 R2 or later host.'},
  'guest-newer-than-host': {severity: 'warning', summary: 'A Windows guest newer than its host\'s own release is not supported there.'},
  'disk-size-too-small': {severity: 'error', summary: 'A new virtual disk must be at least 3 MB.'},
  'vhd-format-gen2': {severity: 'error', summary: 'Generation 2 VMs boot only from VHDX.'},
  'jumbo-unsupported-host': {severity: 'error', summary: 'Jumbo frames need a Windows Server 2008 R2 or later host (Hyper-V R2 added them).'},
  'vmq-unsupported-host': {severity: 'error', summary: 'VMQ needs a Windows Server 2008 R2 or later host (Hyper-V R2 added it).'},
  'checkpoints-unsupported-host': {severity: 'error', summary: 'Checkpoint types (production, disabled) need a Windows Server 2016 or Windows 10 or later host; 2012 and 2012 R2 take only standard checkpoints.'},
  'secure-boot-template-unsupported-host': {severity: 'error', summary: 'A Secure Boot template (Set-VMFirmware -SecureBootTemplate) needs a Windows Server 2016 or Windows 10 or later host.'},
  'tpm-unsupported-host': {severity: 'error', summary: 'A virtual TPM (security.tpm: Set-VMKeyProtector, Enable-VMTPM) needs a Windows Server 2016 or Windows 10 1511 or later host; 2012 and 2012 R2 have none.'},
  'nested-virt-unsupported-host': {severity: 'error', summary: 'Nested virtualization needs a Windows Server 2016 or Windows 10 or later host.'},
  // -- host preflight (ps/HvGuest, action `preflight`): found on the host before any change, exit 2
  'vm-exists': {severity: 'error', summary: 'A VM of that name exists on the host (use --replace to replace it).'},
  'target-exists': {severity: 'error', summary: 'A file the run would create exists already; hvguest never overwrites a file.'},
  'target-duplicate': {severity: 'error', summary: 'Two drives of the run would create the same file.'},
  'parent-missing': {severity: 'error', summary: 'The parent VHD of a differencing disk is not on the host.'},
  'copy-source-missing': {severity: 'error', summary: 'The VHD a boot disk is copied from is not on the host.'},
  'disk-missing': {severity: 'error', summary: 'An existing disk the template attaches is not on the host.'},
  'passthrough-disk-missing': {severity: 'error', summary: 'The host has no physical disk with that number.'},
  'passthrough-disk-online': {severity: 'error', summary: 'A pass-through disk must be offline on the host first.'},
  'iso-missing': {severity: 'error', summary: 'An ISO a DVD drive should hold is not on the host.'},
  'ic-media-missing': {severity: 'error', summary: 'The integration-component media (vmguest.iso or LIS media) is not on the host.'},
  'offline-package-missing': {severity: 'error', summary: 'An integration-component cab for offline injection is not on the host.'},
  'floppy-unsupported': {severity: 'error', summary: 'Floppy images are not supported by this version of the runtime.'},
  'switch-missing': {severity: 'error', summary: 'The host has no virtual switch of that name.'},
  'jumbo-value-invalid': {severity: 'error', summary: 'The NIC bound to the switch does not accept that *JumboPacket value.'},
  'vmroot-unavailable': {severity: 'error', summary: 'The host\'s vmRoot cannot be created or written.'},
  'disk-space-insufficient': {severity: 'error', summary: 'The volume under vmRoot has less free space than the new fixed disks need.'},
  // -- failover clusters (preflight and doctor; docs/clusters.md)
  'vmroot-not-csv': {severity: 'error', summary: 'A cluster node\'s vmRoot is not on a Cluster Shared Volume (Get-ClusterSharedVolume): another node could not start its guests after a failover.'},
  'cluster-unavailable': {severity: 'error', summary: 'A host the inventory names as a cluster node cannot read its cluster (the cluster service is not running, or the host is a node of another cluster).'},
  // -- placement by free memory (plan, create: found before any change, exit 2)
  'placement-no-fit': {severity: 'error', summary: 'No host has the memory a guest needs, after what the run already placed there and the host\'s reserve (memoryReserve, default 2GB).'},
  'placement-host-unasked': {severity: 'warning', summary: 'A host could not be asked its free memory, so no guest was placed there by memory.'},
  // -- the host and its shell (found before any change, exit 2)
  'hyperv-module-missing': {severity: 'error', summary: 'The host has no Hyper-V PowerShell module (Windows Server 2008 / 2008 R2, a machine without Hyper-V, Linux or macOS): hvguest can plan for it, not act on it.'},
  'shell-missing': {severity: 'error', summary: 'The PowerShell the inventory\'s shell names (pwsh, powershell or a path) is not on the machine that would run the session.'},
  // -- ic inject (found before any change, exit 2)
  'guest-not-found': {severity: 'error', summary: 'No VM of that name on the hosts asked.'},
  'ic-inject-guest-running': {severity: 'error', summary: 'Offline IC injection mounts the boot disk: the guest must be shut down.'},
  'firstboot-missing': {severity: 'error', summary: 'The guest\'s template has no firstBoot, so there is no seed media to write.'},
  // -- doctor (host readiness): DoctorCheck.code of a line that is not ok
  'host-unreachable': {severity: 'error', summary: 'The host could not be asked at all (session or transport failed; over ssh: no connection, refused, timed out, or the name does not resolve).'},
  'ssh-auth-failed': {severity: 'error', summary: 'The ssh host refused the key (hvguest logs in with keys only, BatchMode): the public key is not in the user\'s authorized_keys (administrators_authorized_keys for an administrator on Windows).'},
  'ssh-host-key-unknown': {severity: 'error', summary: 'The ssh host\'s key is not in known_hosts, or differs from the one recorded there; hvguest never turns host key checking off.'},
  'remote-shell-missing': {severity: 'error', summary: 'The PowerShell the inventory\'s shell names (pwsh by default) is not on the ssh host, or does not answer as PowerShell.'},
  'hyperv-unavailable': {severity: 'error', summary: 'The Hyper-V role or its PowerShell module is not installed on the host.'},
  'hyperv-access-denied': {severity: 'error', summary: 'Hyper-V refuses the user hvguest runs as (not an administrator nor in Hyper-V Administrators).'},
  'host-os-mismatch': {severity: 'warning', summary: 'The host runs another OS than the inventory says; plans follow the inventory.'},
  'config-version-unsupported': {severity: 'error', summary: 'A VM on the host has a configuration version the host does not support.'},
  'cluster-config-version-mismatch': {severity: 'warning', summary: 'Cluster nodes support different VM configuration versions: a newer VM cannot move to the older node.'},
  'host-locale-not-en-us': {severity: 'info', summary: 'The host is not en-US: integration service names are localized (hvguest uses GUIDs).'},
  'vmroot-created-on-first-run': {severity: 'info', summary: 'vmRoot does not exist yet; the first create makes it.'},
  'disk-space-low': {severity: 'warning', summary: 'Little free space under vmRoot (an error below 10 GB).'},
  'cluster-node-unchecked': {severity: 'warning', summary: 'A cluster node is not in the inventory, so its switches were not compared.'},
  'cluster-node-down': {severity: 'warning', summary: 'A cluster node is not up.'},
  'ic-not-ready-for-failover': {severity: 'error', summary: 'A running guest on a cluster node has no heartbeat or silent integration services.'},
  // -- what a running guest reports (ic status, create --wait): problems[].code, never plan diagnostics
  'guest-not-running': {severity: 'info', summary: 'The guest is not running: it reports nothing.'},
  'heartbeat-disabled': {severity: 'warning', summary: 'The Heartbeat integration service is off for the VM.'},
  'heartbeat-no-contact': {severity: 'error', summary: 'No heartbeat: the guest is booting, has nothing bootable, or lacks the Hyper-V drivers.'},
  'kvp-daemon-missing': {severity: 'error', summary: 'Linux guest without hv_kvp_daemon: it never reports its IP address or host name.'},
  'vss-daemon-missing': {severity: 'warning', summary: 'Linux guest without hv_vss_daemon: host backups are not application-consistent.'},
  'fcopy-daemon-missing': {severity: 'warning', summary: 'Linux guest without hv_fcopy_daemon: Copy-VMFile cannot reach it.'},
  'ic-service-no-contact': {severity: 'warning', summary: 'An enabled integration service does not answer in a Windows guest (ICs missing or outdated).'},
  'kvp-disabled': {severity: 'warning', summary: 'Key-Value Pair Exchange is off: the guest cannot report its addresses.'},
  'no-ipv4': {severity: 'warning', summary: 'KVP answers but the guest reports no IPv4 address (no adapter connected, or no DHCP).'},
} as const satisfies Record<string, CodeInfo>

export type Code = keyof typeof CODES



/**
 * Build a diagnostic for a registered code, with its default severity unless told otherwise
 * (a profile default that cannot apply is a warning; the same setting written explicitly in
 * a template is an error: docs/plan-checks.md).
 */
export function report(
  code: Code,
  message: string,
  extra: {guest?: string; host?: string; source?: SourceRef; severity?: Severity} = {},
): Diagnostic {
  return diagnostic(code, extra.severity ?? CODES[code].severity, message, extra)
}
