/**
 * zod schemas for the file kinds users write (README.md, 'Templates in one page' and 'Hardware
 * profiles and hosts'). They are the contract for
 * what users write: every object is strict (unknown keys are errors, with a "did you mean"
 * added by spec/zod-diagnostics.ts), and the inferred types are what later stages consume.
 *
 * The guest `spec` is checked AFTER rendering (src/render/render.ts), so sizes and counts
 * that came from `{{parameters}}` are checked like literal ones.
 */
import {z} from 'zod'
import {HOST_OS} from './host-os.js'
import {parseSize} from './sizes.js'

// zod 4 compiles a fast path with new Function() on an object schema's first parse; a CLI
// parses each schema a few times per run, so interpreting is faster than compiling.
z.config({jitless: true})

export const API_VERSION = 'hvguest/v1'

/** Size in bytes, written as `40GB` or a byte count. Output type: number (bytes). */
export const sizeSchema = z
  .union([z.number(), z.string()])
  .transform((value, ctx) => {
    const r = parseSize(value)
    if (!r.ok) {
      ctx.addIssue({code: 'custom', message: r.message})
      return z.NEVER
    }
    return r.bytes
  })
  .meta({description: 'A size: 512MB, 40GB, 2TB (binary units) or a number of bytes', examples: ['40GB']})

/** YAML reads `version: 2022` as a number; an OS version is a name, so accept both. */
const versionString = z.union([z.string(), z.number()]).transform((v) => String(v))

const metadataSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
})

// ---------------------------------------------------------------- GuestTemplate

export const PARAMETER_TYPES = ['string', 'integer', 'boolean', 'size'] as const
export type ParameterType = (typeof PARAMETER_TYPES)[number]

export const parameterSchema = z.strictObject({
  type: z.enum(PARAMETER_TYPES),
  description: z.string().optional(),
  default: z.union([z.string(), z.number(), z.boolean()]).optional(),
  /** Defaults to true when there is no default. */
  required: z.boolean().optional(),
  allowed: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1).optional(),
  minimum: z.union([z.number(), z.string()]).optional(),
  maximum: z.union([z.number(), z.string()]).optional(),
  pattern: z.string().optional(),
  /** Never shown: plans, output, errors, journals and manifests show (secret); only seed media carries it. */
  secret: z.boolean().optional(),
})
export type ParameterDef = z.output<typeof parameterSchema>

export const controllerPinSchema = z.strictObject({
  type: z.enum(['ide', 'scsi', 'IDE', 'SCSI']).transform((t) => t.toUpperCase() as 'IDE' | 'SCSI'),
  number: z.int().min(0),
  location: z.int().min(0),
})
export type ControllerPin = z.output<typeof controllerPinSchema>

const sectorSize = z.union([z.literal(512), z.literal(4096)])
const diskFormat = z.enum(['vhdx', 'vhd'])

export const bootDiskSchema = z
  .strictObject({
    size: sizeSchema.optional(),
    parent: z.string().min(1).optional(),
    copyFrom: z.string().min(1).optional(),
    path: z.string().min(1).optional(),
    type: z.enum(['dynamic', 'fixed', 'differencing']).optional(),
    format: diskFormat.optional(),
    blockSize: sizeSchema.optional(),
    sectorSize: sectorSize.optional(),
    controller: controllerPinSchema.optional(),
  })
  .refine((d) => [d.size, d.parent, d.copyFrom, d.path].filter((v) => v !== undefined).length === 1, {
    message: 'bootDisk needs exactly one of size (a new disk), parent (a differencing disk), copyFrom or path (an existing VHD)',
  })
export type BootDisk = z.output<typeof bootDiskSchema>

export const DATA_DISK_TYPES = ['dynamic', 'fixed', 'differencing', 'passthrough', 'existing'] as const

export const dataDiskSchema = z.strictObject({
  name: z.string().min(1),
  size: sizeSchema.optional(),
  type: z.enum(DATA_DISK_TYPES).optional(),
  format: diskFormat.optional(),
  parent: z.string().min(1).optional(),
  path: z.string().min(1).optional(),
  diskNumber: z.int().min(0).optional(),
  blockSize: sizeSchema.optional(),
  sectorSize: sectorSize.optional(),
  controller: controllerPinSchema.optional(),
})
export type DataDisk = z.output<typeof dataDiskSchema>

export const dvdDriveSchema = z.strictObject({
  iso: z.string().min(1).optional(),
  controller: controllerPinSchema.optional(),
})
export type DvdDrive = z.output<typeof dvdDriveSchema>

const MAC_RE = /^([0-9A-Fa-f]{2}[-:]?){5}[0-9A-Fa-f]{2}$/

export const networkAdapterSchema = z.strictObject({
  name: z.string().min(1).optional(),
  switch: z.string().min(1),
  legacy: z.boolean().optional(),
  vlan: z.int().min(1).max(4094).optional(),
  jumboPacket: z.int().min(1514).optional(),
  vmq: z.boolean().optional(),
  macAddress: z.string().regex(MAC_RE, 'a MAC address is 12 hex digits, e.g. 00155D010203 or 00-15-5D-01-02-03').optional(),
  macSpoofing: z.boolean().optional(),
  /**
   * Static IPv4 configuration, written onto the first-boot media and matched there by the
   * adapter's MAC address (so an adapter with addresses needs `macAddress`). No addresses = DHCP.
   */
  addresses: z
    .array(z.cidrv4({message: 'an address is IPv4 with its prefix length, e.g. 10.200.1.10/24'}))
    .min(1)
    .optional()
    .meta({description: 'Static IPv4 addresses with their prefix length (CIDR); none = DHCP', examples: [['10.200.1.10/24']]}),
  gateway: z
    .ipv4({message: 'a gateway is an IPv4 address, e.g. 10.200.1.1'})
    .optional()
    .meta({description: 'The default gateway (IPv4) of a statically addressed adapter'}),
  dns: z
    .array(z.ipv4({message: 'a DNS server is an IPv4 address, e.g. 10.200.1.10'}))
    .optional()
    .meta({description: 'DNS servers (IPv4), in order of preference'}),
})
export type NetworkAdapter = z.output<typeof networkAdapterSchema>

export const INTEGRATION_SERVICE_KEYS = [
  'guestServiceInterface',
  'heartbeat',
  'keyValuePairExchange',
  'shutdown',
  'timeSynchronization',
  'vss',
] as const
export type IntegrationServiceKey = (typeof INTEGRATION_SERVICE_KEYS)[number]

export const integrationSchema = z.strictObject({
  install: z.enum(['auto', 'attach-media', 'offline', 'none']).optional(),
  services: z.partialRecord(z.enum(INTEGRATION_SERVICE_KEYS), z.boolean()).optional(),
})
export type IntegrationSpec = z.output<typeof integrationSchema>

export const firstBootSchema = z
  .strictObject({
    cloudInit: z.string().min(1).optional(),
    kickstart: z.string().min(1).optional(),
    unattend: z.string().min(1).optional(),
    values: z.record(z.string(), z.unknown()).optional(),
    /** Keep seed media that carries a secret attached after --wait (it is ejected and deleted by default). */
    keepMedia: z.boolean().optional(),
  })
  .refine((f) => [f.cloudInit, f.kickstart, f.unattend].filter((v) => v !== undefined).length === 1, {
    message: 'firstBoot needs exactly one of cloudInit, kickstart or unattend',
  })
export type FirstBootSpec = z.output<typeof firstBootSchema>

export const BOOT_DEVICES = ['cd', 'ide', 'legacyNetworkAdapter', 'floppy', 'networkAdapter', 'vhd'] as const

export const firmwareSchema = z.strictObject({
  secureBoot: z.enum(['on', 'off']).optional(),
  secureBootTemplate: z.string().min(1).optional(),
  bootOrder: z.array(z.enum(BOOT_DEVICES)).min(1).optional(),
})

/**
 * VMSecurity (Get-VMSecurity): the virtual TPM. `tpm: true` gives the VM a local key protector
 * (Set-VMKeyProtector -NewLocalKeyProtector) and then a TPM (Enable-VMTPM): Generation 2 only,
 * on Windows Server 2016 / Windows 10 1511 and later hosts (docs/windows-11.md).
 */
export const securitySchema = z.strictObject({
  tpm: z.boolean().optional(),
})

export const OS_FAMILIES = ['windows', 'linux'] as const

export const osSchema = z.strictObject({
  family: z.enum(OS_FAMILIES),
  distro: z.string().min(1).optional(),
  version: versionString,
  edition: z.enum(['server', 'client']).optional(),
})
export type GuestOs = z.output<typeof osSchema>

export const memorySchema = z.strictObject({
  startup: sizeSchema,
  dynamic: z.boolean().optional(),
  minimum: sizeSchema.optional(),
  maximum: sizeSchema.optional(),
})

export const ROLES = ['domain-controller'] as const

export const guestSpecSchema = z.strictObject({
  generation: z.union([z.literal(1), z.literal(2)]).optional(),
  os: osSchema,
  hostname: z.string().min(1).optional(),
  notes: z.string().optional(),
  roles: z.array(z.enum(ROLES)).optional(),
  processors: z.int().min(1).max(240).optional(),
  nestedVirtualization: z.boolean().optional(),
  memory: memorySchema.optional(),
  bootDisk: bootDiskSchema,
  dataDisks: z.array(dataDiskSchema).optional(),
  dvdDrives: z.array(dvdDriveSchema).optional(),
  floppy: z.string().min(1).optional(),
  networkAdapters: z.array(networkAdapterSchema).optional(),
  firmware: firmwareSchema.optional(),
  security: securitySchema.optional(),
  integration: integrationSchema.optional(),
  firstBoot: firstBootSchema.optional(),
  checkpoints: z.enum(['disabled', 'standard', 'production', 'productionOnly']).optional(),
  automaticStartAction: z.enum(['nothing', 'start', 'startIfRunning']).optional(),
  automaticStopAction: z.enum(['turnOff', 'save', 'shutDown']).optional(),
  start: z.boolean().optional(),
})
export type GuestSpec = z.output<typeof guestSpecSchema>

/**
 * The template document. `spec` is left open here: it is rendered first and then checked
 * with guestSpecSchema, so the header can be read before parameters have values.
 */
export const guestTemplateHeaderSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('GuestTemplate'),
  metadata: metadataSchema,
  parameters: z.record(z.string(), parameterSchema).optional(),
  spec: z.record(z.string(), z.unknown()),
})

/** The whole template as an editor sees it (for `hvguest schema`). */
export const guestTemplateSchema = guestTemplateHeaderSchema.extend({spec: guestSpecSchema})

// ---------------------------------------------------------------- HardwareProfile

export const CHIMNEY_VALUES = ['enabled', 'disabled', 'automatic'] as const
export type ChimneySetting = (typeof CHIMNEY_VALUES)[number]

export const hardwareProfileSchema = z
  .strictObject({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal('HardwareProfile'),
    metadata: metadataSchema,
    spec: z.strictObject({
      processors: z.int().min(1).max(240).optional(),
      memory: memorySchema.optional(),
      network: z
        .strictObject({
          jumboPacket: z.int().min(1514).optional(),
          chimney: z.enum(CHIMNEY_VALUES).optional(),
          vmq: z.boolean().optional(),
        })
        .optional(),
      capabilities: z
        .strictObject({
          jumboPacketValues: z.array(z.int().min(1514)).min(1).optional(),
          chimney: z.boolean().optional(),
          vmq: z.boolean().optional(),
          wireless: z.boolean().optional(),
        })
        .optional(),
    }),
  })
  .superRefine((profile, ctx) => {
    // A profile's defaults must be what its own NIC can do: otherwise every guest planned with
    // it would carry a warning, or an error, that belongs to this file. Only what the
    // capabilities say explicitly is checked.
    const net = profile.spec.network
    const cap = profile.spec.capabilities
    if (!net || !cap) return
    const at = (key: string) => ['spec', 'network', key]
    if (net.jumboPacket !== undefined && cap.jumboPacketValues && !cap.jumboPacketValues.includes(net.jumboPacket)) {
      ctx.addIssue({
        code: 'custom',
        path: at('jumboPacket'),
        message: `${net.jumboPacket} is not one of this profile's capabilities.jumboPacketValues (${cap.jumboPacketValues.join(', ')})`,
      })
    }
    // Chimney is left out on purpose: a profile may ask for it where the NIC cannot offload;
    // plan then reports chimney-unsupported-nic as a warning (a profile default that cannot
    // apply is a warning, and the run goes on without it).
    if (net.vmq === true && cap.vmq === false) {
      ctx.addIssue({code: 'custom', path: at('vmq'), message: 'true, but capabilities.vmq is false (the NIC has no VMQ); use false'})
    }
  })
export type HardwareProfile = z.output<typeof hardwareProfileSchema>

// ---------------------------------------------------------------- HostInventory

export const TRANSPORTS = ['local', 'ssh', 'winrm', 'emulator'] as const
export type Transport = (typeof TRANSPORTS)[number]

/**
 * A host's name is a computer name, DNS or NetBIOS: letters, digits and hyphens, in labels of 1 to
 * 63 characters separated by dots, none starting with a hyphen, 253 characters in all. It names the
 * host in --host and in every message, so nothing else (spaces, quotes, `#>`, line breaks) can be
 * in it. (Scripts carry it as data all the same: src/execute/emit-script.ts.)
 */
export const HOST_NAME_PATTERN = /^(?=.{1,253}$)(?!-)[A-Za-z0-9-]{1,63}(?:\.(?!-)[A-Za-z0-9-]{1,63})*$/
export const HOST_NAME_RULE =
  'a host name is a computer name: letters, digits and hyphens in labels of 1 to 63 characters separated by dots, none starting with a hyphen, 253 characters at most (e.g. hv1 or hv1.lab.example.com)'

/**
 * ssh options an inventory may not set (README.md, "Remote hosts"): a prompt would block a run
 * (BatchMode, PasswordAuthentication's prompt), and host keys are always checked.
 */
const always = () => true
const SSH_OPTIONS_REFUSED: Readonly<Record<string, (value: string) => boolean>> = {
  batchmode: (v) => v !== 'yes' && v !== 'true',
  // accept-new with UserKnownHostsFile /dev/null would take any key: hvguest runs ssh with
  // StrictHostKeyChecking=yes, and an inventory cannot ask for less
  stricthostkeychecking: (v) => v !== 'yes' && v !== 'true',
  // options that run a command or load a library on this machine: an inventory is a project file,
  // and `hvguest plan` in a cloned project must not run what it says (ProxyJump is the way to a bastion)
  permitlocalcommand: always,
  localcommand: always,
  proxycommand: always,
  knownhostscommand: always,
  pkcs11provider: always,
  securitykeyprovider: always,
  remotecommand: always,
}

export const hostEntrySchema = z.strictObject({
  name: z.string().regex(HOST_NAME_PATTERN, HOST_NAME_RULE),
  transport: z.enum(TRANSPORTS).optional(),
  /** ssh: the host's DNS name or address (default: name). Never an option: a leading '-' is refused. */
  address: z.string().min(1).regex(/^[^-\s]\S*$/, 'an address is a host name or IP address (no spaces, not starting with "-")').optional(),
  user: z.string().min(1).regex(/^[^-\s@]\S*$/, 'a user name (no spaces or "@", not starting with "-")').optional(),
  port: z.int().min(1).max(65535).optional(),
  /** ssh: the private key to log in with (~ and paths relative to the inventory's folder allowed); it must exist. */
  identityFile: z.string().min(1).optional(),
  /** ssh: seconds to wait for the TCP connection and the ssh handshake (ssh -o ConnectTimeout). */
  connectTimeoutSeconds: z.int().min(1).max(600).optional(),
  /**
   * ssh: more OpenSSH client options (ssh_config keywords → values), e.g. `UserKnownHostsFile`,
   * `ProxyJump`. The options that would let a prompt block a run or stop host keys from being
   * checked are refused (SSH_OPTIONS_REFUSED).
   */
  sshOptions: z
    .record(z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/, 'an ssh_config keyword, e.g. UserKnownHostsFile'), z.union([z.string().min(1), z.int(), z.boolean()]))
    .superRefine((opts, ctx) => {
      for (const [key, value] of Object.entries(opts)) {
        const refused = SSH_OPTIONS_REFUSED[key.toLowerCase()]
        if (refused && refused(String(value).toLowerCase())) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `${key}=${String(value)} is refused: hvguest always runs ssh with BatchMode=yes (no prompt can block a run) and StrictHostKeyChecking=yes (host keys checked against known_hosts), and an inventory may not make ssh run a command or load a library on this machine (for a bastion, use ProxyJump)`,
          })
        }
        if (typeof value === 'string' && /[\r\n]/.test(value)) ctx.addIssue({code: 'custom', path: [key], message: `${key}: a value is one line`})
      }
    })
    .optional(),
  os: z.enum(HOST_OS).optional(),
  vmRoot: z.string().min(1).optional(),
  imageRoot: z.string().min(1).optional(),
  isoRoot: z.string().min(1).optional(),
  profile: z.string().min(1).optional(),
  cluster: z.string().min(1).optional(),
  /**
   * Placement (docs/placement.md): memory a run leaves free on this host for the host itself.
   * A guest goes here only if the host's free memory, less what the run already placed, less
   * this, holds the guest's startup memory. Default 2GB.
   */
  memoryReserve: sizeSchema.optional(),
  /**
   * ssh: PowerShell remoting over SSH (New-PSSession -HostName) to the host's `Subsystem
   * powershell`, instead of the remote shell's stdin (docs/remote-hosts.md). Needs pwsh 7 here.
   */
  psRemoting: z.boolean().optional(),
  /** Virtual switch names known on this host; when given, plans check adapters against them. */
  switches: z.array(z.string().min(1)).optional(),
  emulator: z.strictObject({stateFile: z.string().min(1)}).optional(),
  /**
   * The PowerShell of the session (README.md, 'Hardware profiles and hosts'): pwsh (PowerShell 7), powershell (Windows
   * PowerShell 5.1, Windows only) or an absolute path. Default: pwsh, and on Windows powershell.exe
   * when pwsh 7 is absent. Used by the local transport (src/powershell/find-pwsh.ts).
   */
  shell: z
    .string()
    .min(1)
    .refine((v) => v === 'pwsh' || v === 'powershell' || /^([A-Za-z]:[\\/]|\\\\|\/)/.test(v), {
      message: 'shell is pwsh, powershell, or an absolute path to a PowerShell executable',
    })
    .optional(),
})
export type HostEntry = z.output<typeof hostEntrySchema>

export const hostInventorySchema = z
  .strictObject({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal('HostInventory'),
    metadata: z.strictObject({name: z.string().optional(), description: z.string().optional()}).optional(),
    hosts: z.array(hostEntrySchema).min(1),
  })
  .superRefine((inv, ctx) => {
    const seen = new Set<string>()
    inv.hosts.forEach((h, i) => {
      const key = h.name.toLowerCase()
      if (seen.has(key)) ctx.addIssue({code: 'custom', path: ['hosts', i, 'name'], message: `host "${h.name}" is listed twice`})
      seen.add(key)
      if (h.transport === 'emulator' && !h.emulator) {
        ctx.addIssue({code: 'custom', path: ['hosts', i], message: 'an emulator host needs emulator: { stateFile: PATH }'})
      }
      if (h.psRemoting !== undefined && h.transport !== 'ssh') {
        ctx.addIssue({code: 'custom', path: ['hosts', i, 'psRemoting'], message: 'psRemoting is PowerShell remoting over SSH: it goes with transport: ssh (winrm is PowerShell remoting already)'})
      }
      // over ssh, shell: is part of the remote command line: a path, nothing a shell would read
      if (h.transport === 'ssh' && h.shell !== undefined && /["'`$%&|<>^;\r\n]/.test(h.shell)) {
        ctx.addIssue({code: 'custom', path: ['hosts', i, 'shell'], message: 'over ssh, shell is pwsh, powershell or a path without quotes or the characters $ % & | < > ^ ; `'})
      }
      if (h.psRemoting === true && h.shell !== undefined) {
        ctx.addIssue({code: 'custom', path: ['hosts', i, 'shell'], message: "with psRemoting, the host's PowerShell is the one its sshd_config Subsystem powershell line starts; shell: does not apply"})
      }
    })
  })
export type HostInventory = z.output<typeof hostInventorySchema>

// ---------------------------------------------------------------- Lab

const ipv4Schema = z.ipv4({message: 'an IPv4 address, e.g. 10.200.1.1'})
/** An IPv4 address with its prefix length: 10.200.1.0/24. */
const ipv4CidrSchema = z.cidrv4({message: 'an IPv4 address with its prefix length, e.g. 10.200.1.0/24'})

export const LAB_NETWORK_TYPES = ['internal', 'private', 'external', 'existing'] as const
export type LabNetworkType = (typeof LAB_NETWORK_TYPES)[number]

export const labNetworkSchema = z
  .strictObject({
    /** The switch is the lab's prefix + this name (an existing network: this name as is). */
    name: z.string().min(1),
    type: z.enum(LAB_NETWORK_TYPES),
    subnet: ipv4CidrSchema.optional(),
    /** Internal: the host's address on vEthernet (<switch>); default the first usable address. */
    gateway: ipv4Schema.optional(),
    /** Internal: a NetNat for the subnet. */
    nat: z.boolean().optional(),
    /** Default DNS servers of the adapters on this network. */
    dns: z.array(ipv4Schema).optional(),
    /** External: the physical NIC the switch binds. */
    adapter: z.string().min(1).optional(),
    allowManagementOS: z.boolean().optional(),
  })
  .superRefine((n, ctx) => {
    if (n.type === 'external' && n.adapter === undefined) ctx.addIssue({code: 'custom', path: ['adapter'], message: 'an external network needs adapter: the physical NIC its switch binds'})
    if (n.type !== 'external' && n.adapter !== undefined) ctx.addIssue({code: 'custom', path: ['adapter'], message: 'only an external network binds a physical adapter'})
    if (n.type !== 'external' && n.allowManagementOS !== undefined) ctx.addIssue({code: 'custom', path: ['allowManagementOS'], message: 'allowManagementOS applies to an external network only'})
    if (n.type !== 'internal' && n.gateway !== undefined) ctx.addIssue({code: 'custom', path: ['gateway'], message: 'only an internal network has a host-side gateway; give a guest adapter its gateway instead'})
    if (n.type === 'internal' && n.nat === true && n.subnet === undefined) ctx.addIssue({code: 'custom', path: ['nat'], message: 'nat needs the network\'s subnet'})
    if (n.gateway !== undefined && n.subnet === undefined) ctx.addIssue({code: 'custom', path: ['gateway'], message: 'a gateway needs the network\'s subnet'})
  })
export type LabNetwork = z.output<typeof labNetworkSchema>

export const labGuestNetworkSchema = z.strictObject({
  network: z.string().min(1),
  /** A static address with its prefix length; none = DHCP. With count, it grows by one per guest. */
  address: ipv4CidrSchema.optional(),
  gateway: ipv4Schema.optional(),
  dns: z.array(ipv4Schema).optional(),
})
export type LabGuestNetwork = z.output<typeof labGuestNetworkSchema>

const labValuesSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))

export const labGuestSchema = z.strictObject({
  /** A guest name; with count, {{index}} numbers them (web{{index}} -> web1, web2). */
  name: z.string().min(1),
  count: z.int().min(0).optional(),
  template: z.string().min(1),
  host: z.string().min(1).optional(),
  values: labValuesSchema.optional(),
  dependsOn: z.array(z.string().min(1)).optional(),
  /** The guest's adapters, in order; absent = the template's own adapters. */
  networks: z.array(labGuestNetworkSchema).optional(),
})
export type LabGuest = z.output<typeof labGuestSchema>

export const labSchema = z
  .strictObject({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal('Lab'),
    metadata: metadataSchema,
    spec: z.strictObject({
      prefix: z.string().optional(),
      networks: z.array(labNetworkSchema).optional(),
      defaults: z
        .strictObject({
          profile: z.string().min(1).optional(),
          host: z.string().min(1).optional(),
          values: labValuesSchema.optional(),
        })
        .optional(),
      guests: z.array(labGuestSchema).min(1),
    }),
  })
  .superRefine((lab, ctx) => {
    const networks = new Set<string>()
    lab.spec.networks?.forEach((n, i) => {
      if (networks.has(n.name.toLowerCase())) ctx.addIssue({code: 'custom', path: ['spec', 'networks', i, 'name'], message: `network "${n.name}" is listed twice`})
      networks.add(n.name.toLowerCase())
    })
    const guests = new Set<string>()
    lab.spec.guests.forEach((g, i) => {
      if (guests.has(g.name.toLowerCase())) ctx.addIssue({code: 'custom', path: ['spec', 'guests', i, 'name'], message: `guest "${g.name}" is listed twice`})
      guests.add(g.name.toLowerCase())
    })
  })
export type Lab = z.output<typeof labSchema>

export const SCHEMAS = {
  GuestTemplate: guestTemplateSchema,
  HardwareProfile: hardwareProfileSchema,
  HostInventory: hostInventorySchema,
  Lab: labSchema,
} as const
export type Kind = keyof typeof SCHEMAS
