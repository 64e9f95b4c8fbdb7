/** The render context of a guest's first-boot templates, and the guest facts only they see. */
import type {PlannedGuest} from '../../model/plan.js'
import type {RenderContext} from '../../render/handlebars-env.js'
import {parseIpv4Cidr, prefixToNetmask} from '../../util/ipv4.js'

/**
 * What a first-boot template sees: everything a guest template sees (parameters, `name`,
 * `index`, `host.*`, `profile.*`), the template's `firstBoot.values` as `values`, the seed
 * media as `seed`, and the resolved guest as `guest` (documented for template authors in
 * templates/firstboot/README.md, "What a template sees").
 */
export function firstBootContext(input: {guest: PlannedGuest; context: RenderContext; unset?: ReadonlySet<string>}): RenderContext {
  const g = input.guest
  const ic = g.integration
  const driverOf = (legacy: boolean) => (legacy ? 'tulip' : 'hv_netvsc')
  const adapters = g.networkAdapters.map((a, i) => ({
    index: i,
    id: `nic${i}`,
    name: a.name,
    switch: a.switch,
    legacy: a.legacy,
    vlan: a.vlan,
    jumboPacket: a.jumboPacket,
    // *JumboPacket counts the 14-byte Ethernet header; the guest's MTU does not (9014 -> 9000).
    mtu: a.jumboPacket && a.jumboPacket > 1514 ? a.jumboPacket - 14 : null,
    macAddress: a.macAddress ? colonMac(a.macAddress) : null,
    /** cloud-init v2 `match`: the static MAC, else the driver when unambiguous, else the kernel name. */
    match: a.macAddress
      ? {macaddress: colonMac(a.macAddress)}
      : g.networkAdapters.filter((b) => b.legacy === a.legacy).length === 1
        ? {driver: driverOf(a.legacy)}
        : {name: `eth${i}`},
    ...staticSettings(a),
  }))
  const synthetic = adapters.filter((a) => !a.legacy)
  const jumbo = Math.max(0, ...synthetic.map((a) => a.jumboPacket ?? 0))
  // Unset optional parameters are null here, so that `{{#if sshKey}}` asks whether one was given
  // while a misspelt variable is still an error (document-env.ts).
  const unset = Object.fromEntries([...(input.unset ?? [])].filter((k) => !(k in input.context)).map((k) => [k, null]))
  return {
    ...unset,
    ...input.context,
    values: g.firstBoot?.values ?? {},
    seed: {kind: g.firstBoot?.kind ?? null, label: g.firstBoot?.label ?? null, instanceId: `hvguest-${g.name}`},
    guest: {
      name: g.name,
      hostname: g.hostname,
      generation: g.generation,
      os: g.os,
      roles: g.roles,
      chimney: g.chimney,
      jumboPacket: jumbo > 1514 ? jumbo : null,
      mtu: jumbo > 1514 ? jumbo - 14 : null,
      networkAdapters: adapters,
      // The adapters each answer-file component configures, so that a template writes a
      // component only when it has an interface to put in it (an adapter without a MAC cannot
      // be matched, and the plan already reports it: network-address-needs-mac).
      staticAdapters: adapters.filter((a) => a.macAddress !== null && !a.dhcp),
      dnsAdapters: adapters.filter((a) => a.macAddress !== null && a.dns.length > 0),
      integration: {
        strategy: ic.strategy,
        install: ic.install,
        catalogEntry: ic.catalogEntry,
        media: ic.media,
        // the guest installs ICs from the attached media (vmguest.iso, or LIS for old Linux)
        installFromMedia: ic.media !== null && (ic.strategy === 'windows-ic-media' || ic.strategy === 'linux-lis'),
        kernelModules: ic.kernelModules,
        initramfs: initramfsSetup(ic.initramfs, ic.kernelModules),
        packages: ic.packages,
        daemonUnits: ic.daemonUnits,
        services: Object.fromEntries(ic.services.map((s) => [s.key, s.enabled])),
      },
    },
  }
}

/**
 * How this distro's initramfs comes to carry the hv_* modules: a configuration file and the
 * command that rebuilds the image (cloud-init write_files + runcmd take them as they are).
 */
function initramfsSetup(tool: PlannedGuest['integration']['initramfs'], modules: string[]) {
  if (!tool || modules.length === 0) return null
  switch (tool) {
    case 'initramfs-tools': // Debian/Ubuntu: one module per line in /etc/initramfs-tools/modules
      return {tool, path: '/etc/initramfs-tools/modules', append: true, content: modules.map((m) => `${m}\n`).join(''), command: ['update-initramfs', '-u', '-k', 'all']}
    case 'dracut': // RHEL family, SLES: a drop-in read by every later dracut run
      return {tool, path: '/etc/dracut.conf.d/hyperv.conf', append: false, content: `add_drivers+=" ${modules.join(' ')} "\n`, command: ['dracut', '-f', '--regenerate-all']}
    case 'mkinitrd': // EL5: modules named on the mkinitrd command line
      return {tool, path: '/etc/sysconfig/hvguest-initrd-modules', append: false, content: `${modules.join(' ')}\n`, command: ['mkinitrd', '-f', ...modules.map((m) => `--with=${m}`)]}
  }
}

/**
 * An adapter's IPv4 settings in the forms the formats want: CIDR for cloud-init and the answer
 * file, address + netmask for kickstart, 1-based keys for the answer file's wcm:keyValue, the
 * DNS servers comma-joined for kickstart's --nameserver, and the MAC as Windows writes it.
 */
function staticSettings(a: PlannedGuest['networkAdapters'][number]) {
  const ip = a.ipConfig
  const ipv4 = (ip?.addresses ?? []).flatMap((cidr, i) => {
    const parsed = parseIpv4Cidr(cidr)
    return parsed ? [{key: String(i + 1), cidr, address: parsed.address, prefixLength: parsed.prefixLength, netmask: prefixToNetmask(parsed.prefixLength)}] : []
  })
  const dns = ip?.dns ?? []
  return {
    macAddressWindows: a.macAddress ? hyphenMac(a.macAddress) : null,
    dhcp: ipv4.length === 0,
    addresses: ipv4.map((x) => x.cidr),
    ipv4,
    primaryAddress: ipv4[0] ?? null,
    gateway: ip?.gateway ?? null,
    dns,
    dnsServers: dns.map((address, i) => ({key: String(i + 1), address})),
    dnsList: dns.length > 0 ? dns.join(',') : null,
  }
}

/** 00155D0A0B0C → 00-15-5D-0A-0B-0C (the unattend Interface Identifier form). */
const hyphenMac = (mac: string): string =>
  mac
    .replace(/[^0-9a-f]/gi, '')
    .toUpperCase()
    .replace(/(..)(?!$)/g, '$1-')

const colonMac = (mac: string): string =>
  mac
    .replace(/[^0-9a-f]/gi, '')
    .toLowerCase()
    .replace(/(..)(?!$)/g, '$1:')
