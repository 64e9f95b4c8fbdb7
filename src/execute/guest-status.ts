/**
 * What a guest reports back to its host, read through the runtime's `guest-status` action, and
 * what it means: `ic status` prints it, `create --wait` polls it until every guest is ready
 * (heartbeat OK and an IPv4 address reported through KVP).
 *
 * Services are matched by their locale-neutral GUID. When a Linux guest's KVP, VSS or file-copy
 * service does not answer while its heartbeat does, the kernel drivers are there and the
 * user-space daemon is not: the report names the daemon and the distro packages that provide it
 * (from what hvguest planned for the guest, else from the OS catalog).
 */
import type {PlannedGuest} from '../model/plan.js'
import {loadCatalog, lookupOs} from '../resolve/integration/catalog.js'
import {INTEGRATION_SERVICES, type IntegrationServiceInfo} from '../resolve/integration/integration-services.js'
import {answerData, isAnswerShapeError, type SeedMediaState} from '../powershell/answers.js'
import type {HostSession} from '../powershell/session.js'
import type {GuestStatusGuest, ManifestGuest} from '../powershell/protocol-types.generated.js'
import {seedMediaWarnings} from './listed-guest.js'

/** What hvguest planned for a guest, kept in its manifest on the host (commit): its shape is the commit schema's (ps/HvGuest/schemas/commit.schema.json). */
export type {ManifestGuest}

export function manifestGuest(g: PlannedGuest): ManifestGuest {
  const ic = g.integration
  return {
    template: g.template,
    templateFile: g.templateFile,
    hostname: g.hostname,
    os: g.os,
    integration: {strategy: ic.strategy, install: ic.install, catalogEntry: ic.catalogEntry, media: ic.media, packages: ic.packages, daemonUnits: ic.daemonUnits, offlinePackages: ic.offlinePackages},
    firstBoot: g.firstBoot && {
      kind: g.firstBoot.kind,
      template: g.firstBoot.template,
      media: g.firstBoot.media,
      label: g.firstBoot.label,
      bootHint: g.firstBoot.bootHint,
      secret: g.firstBoot.secret === true,
      keepMedia: g.firstBoot.keepMedia === true,
    },
  }
}

/** The runtime's guest-status answer for one guest, generated from ps/HvGuest/schemas/guest-status.schema.json. */
export type GuestStatusData = GuestStatusGuest

export interface IcProblem {
  code: string
  message: string
}

export interface IcServiceReport {
  key: string | null
  id: string
  name: string
  enabled: boolean
  /** PrimaryStatusDescription as the host reports it ("OK", "No Contact", ...); "" when off. */
  status: string
  ok: boolean
  /** The Linux daemon (or kernel part) that answers for it. */
  linux: string | null
}

export interface IcReport {
  name: string
  host: string
  vmId: string
  state: string
  heartbeat: string
  heartbeatOk: boolean
  integrationServicesVersion: string | null
  services: IcServiceReport[]
  ipv4: string[]
  ipv6: string[]
  /** KVP intrinsic items: FullyQualifiedDomainName, OSName, OSVersion, ... (empty when KVP does not answer). */
  kvp: Record<string, string | null>
  /** Heartbeat OK and at least one IPv4 address reported. */
  ready: boolean
  managed: boolean
  os: PlannedGuest['os'] | null
  problems: IcProblem[]
  seedMedia: SeedMediaState | null
  /** Not about readiness: firstboot-secret-attached (media with a secret still in its drive). */
  warnings: IcProblem[]
}

const byId = new Map<string, IntegrationServiceInfo>(Object.values(INTEGRATION_SERVICES).map((s) => [s.id.toUpperCase(), s]))
const isOk = (status: string) => /^ok\b/i.test(status.trim())
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/

/** Daemons a Linux guest needs per service, and the packages hvguest knows for its distro. */
function daemonAdvice(s: GuestStatusData): string {
  const ic = s.planned?.integration
  if (ic && ic.packages.length > 0) {
    const units = ic.daemonUnits.length ? ` and enable ${ic.daemonUnits.join(', ')}` : ''
    return `install ${ic.packages.join(', ')}${units} in the guest`
  }
  // install: none (or a guest hvguest did not make): what the OS catalog knows for its distro
  const entry = s.planned?.os.family === 'linux' ? lookupOs(loadCatalog(), {family: 'linux', distro: s.planned.os.distro ?? '', version: s.planned.os.version}) : null
  const known = entry?.known && entry.entry.family === 'linux' && entry.entry.packages.length > 0 ? entry.entry : null
  const what = known ? `install ${known.packages.join(', ')}${known.daemonUnits.length ? ` and enable ${known.daemonUnits.join(', ')}` : ''} in the guest` : null
  if (ic && ic.install === 'none') return `the plan installed no integration packages (integration.install: none); ${what ?? "install the distro's Hyper-V daemons"} (or plan it with install: auto and run "hvguest ic inject --seed")`
  if (what) return what
  return 'install the distro\'s Hyper-V daemons in the guest (hyperv-daemons on Debian and RHEL 7+, linux-cloud-tools-virtual on Ubuntu, hypervkvpd on RHEL 6, hyper-v on SLES)'
}

export function analyzeGuest(host: string, s: GuestStatusData): IcReport {
  const os = s.planned?.os ?? null
  const linux = os?.family === 'linux' || /linux/i.test(s.kvp?.OSName ?? '')
  const services: IcServiceReport[] = s.services.map((x) => {
    const info = byId.get(x.id.toUpperCase())
    // The enum is locale-neutral; the description is the fallback for a host that does not give it.
    const ok = x.operationalStatus ? /^ok$/i.test(x.operationalStatus) : isOk(x.status)
    return {key: info?.key ?? null, id: x.id, name: x.name, enabled: x.enabled, status: x.status, ok: x.enabled && ok, linux: info?.linux ?? null}
  })
  const addresses = s.networkAdapters.flatMap((a) => a.addresses)
  // 169.254.x.x is what a guest gives itself without DHCP: not an address anyone can reach
  const ipv4 = addresses.filter((a) => IPV4.test(a) && !a.startsWith('169.254.'))
  const ipv6 = addresses.filter((a) => a.includes(':'))
  const heartbeatOk = /^ok/i.test(s.heartbeat)
  const problems: IcProblem[] = []
  const service = (key: string) => services.find((x) => x.key === key)
  const running = s.state === 'Running'

  if (!running) {
    problems.push({code: 'guest-not-running', message: `the guest is ${s.state || 'not running'}: start it (Start-VM) to see its integration services`})
  } else {
    const hb = service('heartbeat')
    if (hb && !hb.enabled) problems.push({code: 'heartbeat-disabled', message: 'the Heartbeat integration service is off for this VM: enable it to see whether the guest runs'})
    else if (!heartbeatOk) {
      const hint = s.planned?.firstBoot?.bootHint ? `; a kickstart install waits at the installer's boot prompt until it is given the boot hint "${s.planned.firstBoot.bootHint}"` : ''
      problems.push({
        code: 'heartbeat-no-contact',
        message: `no heartbeat from the guest (${s.heartbeat || 'no contact'}): it is still booting, has nothing bootable, or its OS lacks the Hyper-V drivers (hv_utils / in-box ICs)${hint}`,
      })
    }
    if (heartbeatOk) {
      // KVP first: it is what keeps a guest from being ready
      const order = ['keyValuePairExchange', 'vss', 'guestServiceInterface', 'shutdown', 'timeSynchronization']
      const rank = (k: string | null) => (k === null ? order.length : order.indexOf(k) < 0 ? order.length : order.indexOf(k))
      for (const x of [...services].sort((a, b) => rank(a.key) - rank(b.key))) {
        if (!x.enabled || x.ok || x.key === 'heartbeat') continue
        if (linux && x.linux && !x.linux.includes('kernel')) {
          const code = x.key === 'keyValuePairExchange' ? 'kvp-daemon-missing' : x.key === 'vss' ? 'vss-daemon-missing' : 'fcopy-daemon-missing'
          const effect =
            x.key === 'keyValuePairExchange'
              ? 'the guest reports no IP address or host name to the host'
              : x.key === 'vss'
                ? 'host-side backups of this guest are not application-consistent'
                : 'Copy-VMFile cannot reach the guest'
          problems.push({code, message: `${x.name} does not answer (${x.status || 'no contact'}): ${x.linux} is not running in this Linux guest, so ${effect}; ${daemonAdvice(s)}`})
        } else {
          problems.push({code: 'ic-service-no-contact', message: `${x.name} does not answer (${x.status || 'no contact'}): the guest's integration services are missing or outdated for this host`})
        }
      }
      const kvp = service('keyValuePairExchange')
      if (kvp && !kvp.enabled) problems.push({code: 'kvp-disabled', message: 'Key-Value Pair Exchange is off for this VM: the guest cannot report its addresses to the host'})
      else if (kvp?.ok && ipv4.length === 0) {
        const unplugged = s.networkAdapters.filter((a) => !a.switch).map((a) => a.name)
        problems.push({
          code: 'no-ipv4',
          message:
            s.networkAdapters.length === 0
              ? 'the guest has no network adapter'
              : unplugged.length === s.networkAdapters.length
                ? `no adapter is connected to a switch (${unplugged.join(', ')})`
                : 'KVP answers but the guest reports no IPv4 address yet: no DHCP on its switch, or the network is still coming up',
        })
      }
    }
  }
  return {
    name: s.name,
    host,
    vmId: s.vmId,
    state: s.state,
    heartbeat: s.heartbeat,
    heartbeatOk,
    integrationServicesVersion: s.integrationServicesVersion ?? s.kvp?.IntegrationServicesVersion ?? null,
    services,
    ipv4,
    ipv6,
    kvp: s.kvp ?? {},
    ready: running && heartbeatOk && ipv4.length > 0,
    managed: s.managed,
    os,
    problems,
    seedMedia: s.seedMedia ?? null,
    warnings: seedMediaWarnings(s.name, s.seedMedia ?? null),
  }
}

export interface StatusAnswer {
  host: string
  ok: boolean
  guests: GuestStatusData[]
  missing: string[]
  error: string | null
}

/** One guest-status round trip on an open session. An answer of the wrong shape (src/powershell/answers.ts) is a failed one. */
export async function askGuestStatus(session: HostSession, names: string[], vmRoot: string, timeoutMs?: number): Promise<StatusAnswer> {
  const r = await session.request({action: 'guest-status', names, vmRoot}, timeoutMs ? {timeoutMs} : {})
  const failed = (error: string): StatusAnswer => ({host: session.host, ok: false, guests: [], missing: [], error})
  if (!r.ok) return failed(r.error?.message ?? 'no message')
  try {
    const data = answerData('guest-status', r)
    const guests: GuestStatusData[] = data.guests
    return {host: session.host, ok: true, guests, missing: data.missing, error: null}
  } catch (error) {
    if (isAnswerShapeError(error)) return failed(error.message)
    throw error
  }
}

// ------------------------------------------------------------------------------- waiting

export interface WaitOptions {
  timeoutMs: number
  /** Between two polls of a host (default 2 s). */
  intervalMs?: number
  onChange?: (report: IcReport) => void
  /** When a guest counts as ready (default: its report's ready: heartbeat OK and an IPv4 address). */
  isReady?: (report: IcReport) => boolean
  signal?: AbortSignal
  now?: () => number
  sleep?: (ms: number) => Promise<void>
}

export interface WaitResult {
  ready: boolean
  elapsedMs: number
  guests: IcReport[]
  /** Set when the wait itself failed (a host's session lost while polling). */
  error?: string
}

export interface WaitTarget {
  session: HostSession
  vmRoot: string
  names: string[]
}

/**
 * Polls each host (one request per host per round, all its guests at once) until every guest
 * is ready or the time is up. Reports a guest to onChange whenever what it shows changes.
 */
export async function waitForGuests(targets: WaitTarget[], opts: WaitOptions): Promise<WaitResult> {
  const now = opts.now ?? Date.now
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
  const started = now()
  const last = new Map<string, string>()
  let reports: IcReport[] = []
  for (;;) {
    reports = (
      await Promise.all(
        targets.map(async (t) => {
          // one poll never outlasts the wait (and a hung host never holds it forever)
          const a = await askGuestStatus(t.session, t.names, t.vmRoot, Math.max(30_000, opts.timeoutMs - (now() - started)))
          if (!a.ok) throw new Error(`${t.session.host}: guest-status failed: ${a.error}`)
          if (a.missing.length > 0) throw new Error(`${t.session.host}: no VM named ${a.missing.join(', ')} any more`)
          return a.guests.map((g) => analyzeGuest(t.session.host, g))
        }),
      )
    ).flat()
    for (const r of reports) {
      const key = `${r.host}/${r.name}`
      const shown = `${r.heartbeat}|${r.ipv4.join(',')}|${r.problems.map((p) => p.code).join(',')}`
      if (last.get(key) !== shown) {
        last.set(key, shown)
        opts.onChange?.(r)
      }
    }
    const elapsed = now() - started
    if (reports.every(opts.isReady ?? ((r) => r.ready))) return {ready: true, elapsedMs: elapsed, guests: reports}
    if (elapsed >= opts.timeoutMs || opts.signal?.aborted) return {ready: false, elapsedMs: elapsed, guests: reports}
    await sleep(Math.min(opts.intervalMs ?? 2000, Math.max(0, opts.timeoutMs - elapsed)))
  }
}

// ------------------------------------------------------------------------------ ic status

export interface IcStatusResult {
  guests: IcReport[]
  /** Names no host asked has. */
  missing: string[]
  hostErrors: Array<{host: string; message: string}>
}

/** `ic status`: every host asked at once, one round trip each; a name may be on several hosts. */
export async function icStatus<H extends {name: string; vmRoot: string}>(hosts: H[], names: string[], open: (host: H) => Promise<HostSession>): Promise<IcStatusResult> {
  const answers = await Promise.all(
    hosts.map(async (h) => {
      const session = await open(h)
      try {
        return await askGuestStatus(session, names, h.vmRoot)
      } finally {
        await session.close().catch(() => {})
      }
    }),
  )
  const guests = answers.flatMap((a) => a.guests.map((g) => analyzeGuest(a.host, g)))
  const found = new Set(guests.map((g) => g.name.toLowerCase()))
  return {
    guests,
    missing: names.filter((n) => !found.has(n.toLowerCase())),
    hostErrors: answers.filter((a) => !a.ok).map((a) => ({host: a.host, message: a.error ?? 'no message'})),
  }
}
