/**
 * `hvguest doctor --probe`: proves hvguest on a host in one command. The runtime's `probe` action
 * (ps/HvGuest/Private/Probe.ps1) creates a throwaway guest with one of each device the planner
 * uses, through the same code as create-guest, in a folder of its own under vmRoot, journaled and
 * under the host lock; mounts and dismounts its boot disk (the path offline IC injection takes);
 * reads the guest back; and rolls the run back, so the host is left as it was. A probe killed
 * half way is finished by `hvguest recover`, like any run.
 *
 * The runtime reports only what the host did. Here it is compared with what was asked
 * (compareProbe, a pure function): each comparison is a finding {check, expected, actual, ok},
 * and the host facts a bug report needs (OS, PowerShell, Hyper-V module) go with them.
 */
import {z} from 'zod'
import {INTEGRATION_SERVICES} from '../resolve/integration/integration-services.js'
import {isInputError} from '../model/diagnostic.js'
import type {PlannedDrive, PlannedGuest} from '../model/plan.js'
import type {TargetHost} from '../model/target-host.js'
import {checkedAnswer, type AnswerData, type FailureData} from '../powershell/answers.js'
import type {HostSession} from '../powershell/session.js'
import {winJoin} from '../util/windows-path.js'
import {newRunId} from './run-id.js'

const MB = 1024 * 1024
const GB = 1024 * MB

/** What the probe guest is made of: small, never started, on no switch (nothing on the host network changes). */
export const PROBE_MEMORY_BYTES = 512 * MB
export const PROBE_DISK_BYTES = 1 * GB

/**
 * The integration services the probe sets, by GUID, each AWAY from Hyper-V's default for a new VM,
 * so that both Enable- and Disable-VMIntegrationService run: Guest Service Interface (off by
 * default) on, Time Synchronization (on by default) off. The others are left at their defaults
 * and checked too.
 */
const PROBE_SERVICE_OVERRIDES: Partial<Record<keyof typeof INTEGRATION_SERVICES, boolean>> = {guestServiceInterface: true, timeSynchronization: false}

export interface ProbeSpec {
  runId: string
  /** `<vmRoot>\.hvguest\probe-<runId>`: everything the probe creates is under it. */
  folder: string
  guest: PlannedGuest
}

/** The probe's guest for this host: a Generation 1 PlannedGuest as the planner would make it. */
export function probeSpec(host: Pick<TargetHost, 'name' | 'vmRoot'>, runId: string = newRunId()): ProbeSpec {
  const folder = winJoin(host.vmRoot, '.hvguest', `probe-${runId}`)
  const disk = (role: 'boot' | 'data', type: 'IDE' | 'SCSI', file: string): PlannedDrive => ({
    kind: 'hdd',
    role,
    name: role === 'boot' ? 'bootDisk' : 'data1',
    controller: {type, number: 0, location: 0},
    path: winJoin(folder, file),
    create: {type: 'Dynamic', sizeBytes: PROBE_DISK_BYTES, parentPath: null, blockSizeBytes: null, sectorSizeBytes: null, format: 'vhdx'},
    copyFrom: null,
    diskNumber: null,
    pinned: true,
  })
  const services = Object.values(INTEGRATION_SERVICES).map((s) => ({key: s.key, name: s.name, id: s.id, enabled: PROBE_SERVICE_OVERRIDES[s.key] ?? s.enabledByDefault}))
  const adapter = (name: string, legacy: boolean) => ({name, switch: '', legacy, vlan: null, jumboPacket: null, vmq: false, macAddress: null, macSpoofing: false, ipConfig: null})
  const guest: PlannedGuest = {
    name: `hvguest-probe-${runId}`,
    host: host.name,
    placement: null,
    template: 'hvguest-probe',
    templateFile: null,
    profile: 'generic-1g',
    generation: 1,
    os: {family: 'linux', distro: null, version: 'none', edition: null},
    roles: [],
    hostname: 'hvguest-probe',
    notes: null,
    processors: 1,
    memory: {startupBytes: PROBE_MEMORY_BYTES, dynamic: false, minimumBytes: null, maximumBytes: null},
    path: folder,
    drives: [
      disk('boot', 'IDE', 'probe-boot.vhdx'),
      disk('data', 'SCSI', 'probe-data.vhdx'),
      {kind: 'dvd', role: 'media', name: 'dvd', controller: {type: 'IDE', number: 1, location: 0}, path: null, create: null, copyFrom: null, diskNumber: null, pinned: true},
    ],
    networkAdapters: [adapter('probe-synthetic', false), adapter('probe-legacy', true)],
    chimney: null,
    integration: {
      strategy: 'none',
      install: 'none',
      catalogEntry: 'hvguest-probe',
      services,
      media: null,
      offlinePackages: [],
      kernelModules: [],
      initramfs: null,
      packages: [],
      daemonUnits: [],
      summary: 'the probe guest is never started',
    },
    firstBoot: null,
    bootOrder: ['IDE', 'CD', 'LegacyNetworkAdapter', 'Floppy'],
    firmware: {secureBoot: null, secureBootTemplate: null},
    security: {tpm: false},
    floppy: null,
    nestedVirtualization: false,
    checkpoints: null,
    automaticStartAction: null,
    automaticStopAction: null,
    start: false,
  }
  return {runId, folder, guest}
}

// ------------------------------------------------------------------------- the report (--json)

const scalar = z.union([z.string(), z.number(), z.boolean()]).nullable()

/** One comparison of what was asked with what the host did. */
export const probeFindingSchema = z.strictObject({check: z.string(), expected: scalar, actual: scalar, ok: z.boolean()})
export type ProbeFinding = z.infer<typeof probeFindingSchema>

export const probeHostReportSchema = z.strictObject({
  host: z.string(),
  ok: z.boolean(),
  runId: z.string(),
  /** The OS the inventory gives the host (what hvguest plans for). */
  plannedOs: z.string(),
  /** The probe's folder under vmRoot (`<vmRoot>\.hvguest\probe-<runId>`). */
  folder: z.string(),
  facts: z
    .strictObject({
      computerName: z.string(),
      os: z.strictObject({caption: z.string(), version: z.string(), buildNumber: z.string()}).nullable(),
      powershell: z.strictObject({version: z.string(), edition: z.string()}),
      hyperVModule: z.strictObject({version: z.string(), path: z.string()}).nullable(),
    })
    .nullable(),
  findings: z.array(probeFindingSchema),
  /** The step that failed, when one did (the probe was rolled back). */
  error: z.strictObject({step: z.string(), cmdlet: z.string().nullable(), message: z.string()}).nullable(),
  /** Whether everything the probe made is gone. */
  cleanup: z
    .strictObject({undone: z.number(), errors: z.array(z.string()), journalKept: z.boolean(), journal: z.string().nullable(), lockReleased: z.boolean(), vmLeft: z.boolean(), folderLeft: z.boolean()})
    .nullable(),
  warnings: z.array(z.string()),
})
export type ProbeHostReport = z.infer<typeof probeHostReportSchema>

/** `hvguest doctor --probe --json`: pinned; test/e2e/doctor-probe.test.ts parses the CLI's output with it. */
export const probeReportSchema = z.strictObject({
  ok: z.boolean(),
  hvguest: z.strictObject({version: z.string(), node: z.string(), platform: z.string()}),
  hosts: z.array(probeHostReportSchema),
})
export type ProbeReport = z.infer<typeof probeReportSchema>

// ------------------------------------------------------------------------- comparing

type ProbeData = Partial<AnswerData<'probe'>> | FailureData<'probe'> | null | undefined

const slotText = (s: {controllerType: string; controllerNumber: number; controllerLocation: number}) => `${s.controllerType} ${s.controllerNumber}:${s.controllerLocation}`
const sameText = (a: string | null | undefined, b: string | null | undefined) => (a ?? '').toLowerCase() === (b ?? '').toLowerCase()

function finding(check: string, expected: ProbeFinding['expected'], actual: ProbeFinding['actual']): ProbeFinding {
  const ok = typeof expected === 'string' && typeof actual === 'string' ? sameText(expected, actual) : expected === actual
  return {check, expected, actual, ok}
}

/**
 * Every difference between the probe guest asked for and what the host reported, as findings
 * (ok ones included, so the report shows what was checked). Reads only what the answer holds: a
 * probe that failed half way has the findings of what it got to, plus the failed step.
 */
export function compareProbe(spec: ProbeSpec, data: ProbeData, error: {step: string; cmdlet: string | null; message: string} | null): ProbeFinding[] {
  const out: ProbeFinding[] = []
  const g = spec.guest
  // A cleanup that failed is the cleanup finding below, not a failed step.
  if (error && error.step !== 'probe-cleanup') out.push({check: 'probe-step', expected: 'every step succeeds', actual: `${error.step}${error.cmdlet ? ` (${error.cmdlet})` : ''}: ${error.message}`, ok: false})
  const seen = data?.guest ?? null
  if (seen) {
    out.push(finding('generation', g.generation, seen.generation))
    out.push(finding('memory-startup', g.memory.startupBytes, seen.memoryStartupBytes))
    const hdds = seen.hardDrives
    const dvds = seen.dvdDrives
    const matched = new Set<object>()
    for (const d of g.drives) {
      const pool = d.kind === 'hdd' ? hdds : dvds
      const at = pool.find((x) => x.controllerType.toUpperCase() === d.controller.type && x.controllerNumber === d.controller.number && x.controllerLocation === d.controller.location)
      if (at) matched.add(at)
      const want = `${slotText({controllerType: d.controller.type, controllerNumber: d.controller.number, controllerLocation: d.controller.location})} ${d.path ?? '(empty)'}`
      const got = at ? `${slotText(at)} ${at.path ?? '(empty)'}` : `nothing at ${d.controller.type} ${d.controller.number}:${d.controller.location}`
      out.push(finding(`${d.kind === 'hdd' ? `${d.role}-disk` : 'dvd-drive'}`, want, got))
    }
    const extra = [...hdds, ...dvds].filter((x) => !matched.has(x)).map((x) => `${slotText(x)} ${x.path ?? '(empty)'}`)
    out.push(finding('extra-drives', 'none', extra.length === 0 ? 'none' : extra.join(', ')))
    for (const a of g.networkAdapters) {
      const nic = seen.networkAdapters.find((n) => sameText(n.name, a.name))
      out.push(finding(`adapter-${a.legacy ? 'legacy' : 'synthetic'}`, `${a.name} (${a.legacy ? 'legacy' : 'synthetic'})`, nic ? `${nic.name} (${nic.legacy ? 'legacy' : 'synthetic'})` : 'absent'))
    }
    const extraNics = seen.networkAdapters.filter((n) => !g.networkAdapters.some((a) => sameText(a.name, n.name))).map((n) => n.name)
    out.push(finding('extra-adapters', 'none', extraNics.length === 0 ? 'none' : extraNics.join(', ')))
    for (const s of g.integration.services) {
      const is = seen.integrationServices.find((x) => sameText(x.id, s.id))
      out.push(finding(`integration-service:${s.id}`, s.enabled ? 'enabled' : 'disabled', is ? (is.enabled ? 'enabled' : 'disabled') : 'absent'))
    }
  }
  for (const d of g.drives.filter((x) => x.kind === 'hdd' && x.create)) {
    const vhd = (data?.vhds ?? []).find((v) => sameText(v.path, d.path))
    if (!vhd && !seen) continue
    out.push(finding(`${d.role}-disk-format`, d.create!.format.toUpperCase(), vhd ? vhd.format.toUpperCase() : 'absent'))
    out.push(finding(`${d.role}-disk-type`, d.create!.type, vhd ? vhd.type : 'absent'))
  }
  const mount = data?.mount ?? null
  if (mount) {
    out.push(finding('mount-vhd', 'attached with a disk number', mount.attached && mount.diskNumber !== null ? 'attached with a disk number' : mount.attached ? 'attached, no disk number' : mount.passthru ? 'not attached' : 'no object returned'))
    out.push(finding('dismount-vhd', 'not attached', mount.attachedAfterDismount === false ? 'not attached' : mount.attachedAfterDismount ? 'still attached' : 'unknown'))
  } else if (seen) {
    out.push(finding('mount-vhd', 'attached with a disk number', 'not tried'))
  }
  for (const w of data?.warnings ?? []) out.push({check: 'warning', expected: null, actual: w, ok: false})
  const c = data?.cleanup ?? null
  if (c) {
    const left = [c.vmLeft ? 'the VM' : '', c.folderLeft ? `the folder ${spec.folder}` : '', c.journalKept ? `the journal ${c.journal ?? ''}`.trim() : '', c.lockReleased ? '' : 'the host lock', ...c.errors].filter(Boolean)
    out.push(finding('cleanup', 'everything removed', left.length === 0 ? 'everything removed' : `left: ${left.join('; ')}`))
  } else {
    out.push(finding('cleanup', 'everything removed', 'not reported (run hvguest recover for this host)'))
  }
  return out
}

// ------------------------------------------------------------------------- running

export interface ProbeEvent {
  host: string
  step: string
  detail?: string
}

/**
 * One probe per host, hosts in parallel; each host answers for itself. Every session is opened
 * first: a host that cannot be acted on at all (its runtime cannot start: an InputError, exit 2)
 * stops the command before any host is changed.
 */
export async function runProbe(
  hosts: TargetHost[],
  open: (h: TargetHost) => Promise<HostSession>,
  opts: {version: string; onProgress?: (e: ProbeEvent) => void; lockTimeoutSeconds?: number; timeoutMs?: number},
): Promise<ProbeReport> {
  const opened = await Promise.allSettled(hosts.map((h) => open(h)))
  const refused = opened.find((o): o is PromiseRejectedResult => o.status === 'rejected' && isInputError(o.reason))
  if (refused) {
    await Promise.all(opened.map((o) => (o.status === 'fulfilled' ? o.value.close().catch(() => {}) : undefined)))
    throw refused.reason
  }
  const reports = await Promise.all(hosts.map((h, i) => probeHost(h, opened[i], opts)))
  return {ok: reports.every((r) => r.ok), hvguest: {version: opts.version, node: process.version, platform: process.platform}, hosts: reports}
}

async function probeHost(h: TargetHost, opened: PromiseSettledResult<HostSession>, opts: {onProgress?: (e: ProbeEvent) => void; lockTimeoutSeconds?: number; timeoutMs?: number}): Promise<ProbeHostReport> {
  const spec = probeSpec(h)
  const base = {host: h.name, runId: spec.runId, plannedOs: h.os, folder: spec.folder}
  if (opened.status === 'rejected') {
    const message = opened.reason instanceof Error ? opened.reason.message : String(opened.reason)
    const e = {step: 'session', cmdlet: null, message}
    return {...base, ok: false, facts: null, findings: compareProbe(spec, null, e), error: e, cleanup: null, warnings: []}
  }
  const session = opened.value
  try {
    opts.onProgress?.({host: h.name, step: 'probe', detail: spec.folder})
    const raw = await session.request(
      {action: 'probe', runId: spec.runId, vmRoot: h.vmRoot, guest: spec.guest, lockTimeoutSeconds: opts.lockTimeoutSeconds ?? 60},
      {onProgress: (e) => opts.onProgress?.({host: h.name, step: e.step, detail: e.detail}), timeoutMs: opts.timeoutMs},
    )
    const r = checkedAnswer('probe', raw)
    const data = (r.data ?? null) as ProbeData
    const error = r.ok ? null : {step: r.error?.step ?? 'probe', cmdlet: r.error?.cmdlet ?? null, message: r.error?.message ?? 'no message'}
    const findings = compareProbe(spec, data, error)
    return {
      ...base,
      ok: findings.every((f) => f.ok),
      facts: data?.host ?? null,
      findings,
      error,
      cleanup: data?.cleanup ?? null,
      warnings: data?.warnings ?? [],
    }
  } finally {
    await session.close().catch(() => {})
  }
}
