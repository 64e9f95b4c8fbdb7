/**
 * `lab down`: on each host, what the lab's record says the lab made, removed in order: its guests
 * (as `destroy` removes them: the VMs and the files hvguest created for them), then the NATs and
 * gateway addresses it created, then its switches (one that another VM still uses is kept, with a
 * warning; an external one only with --include-external), then the host settings its runs
 * changed are put back, and the record is deleted. What the lab only used (existing switches, a
 * reused NetNat) is never touched. Forward-only: a host that fails stops there, and running
 * `lab down` again finishes the job.
 */
import type {Diagnostic} from '../model/diagnostic.js'
import {checkedAnswer} from '../powershell/answers.js'
import {newRunId} from '../execute/run-id.js'
import {openLabHosts, type LabDeps, type LabEmit} from './lab-run.js'
import {recordOf, sameName} from './lab-facts.js'
import type {LabRecord} from './lab-record.js'
import type {LabPlanRequest} from './plan-lab.js'

export interface LabDownOptions extends LabPlanRequest {
  dryRun?: boolean
  keepDisks?: boolean
  includeExternal?: boolean
  onEvent?: LabEmit
}

export interface LabDownHost {
  host: string
  /** The lab has no record on this host: nothing of it to remove. */
  record: boolean
  guests: {removed: string[]; refused: Array<{name: string; reason: string; message: string}>}
  removed: Array<{kind: string; name: string}>
  kept: Array<{kind: string; name: string; reason: string}>
  /** dry-run: what would be removed. */
  wouldRemove: Array<{kind: string; name: string}>
  error: string | null
}

export interface LabDownResult {
  status: 'ok' | 'dry-run' | 'invalid' | 'failed' | 'absent'
  lab: string
  hosts: LabDownHost[]
  problems: Diagnostic[]
}

export async function labDown(opts: LabDownOptions, deps: LabDeps): Promise<LabDownResult> {
  const emit = opts.onEvent ?? (() => {})
  const planned = deps.plan(opts)
  const name = planned.labPlan.lab.name
  // What to remove comes from the hosts' records, not from the file: every host the lab may be on is asked.
  const lab = await openLabHosts(planned, deps.open, emit, planned.targets.hosts)
  try {
    if (lab.problems.length > 0) return {status: 'invalid', lab: name, hosts: [], problems: lab.problems}
    const hosts: LabDownHost[] = await Promise.all(
      lab.hosts.map(async (h): Promise<LabDownHost> => {
        const record = recordOf(h.facts, name)
        const out: LabDownHost = {host: h.target.name, record: record !== null, guests: {removed: [], refused: []}, removed: [], kept: [], wouldRemove: [], error: null}
        if ((h.facts.labRecords ?? []).some((r) => sameName(r.name, name) && r.record === null)) {
          // Damaged: what the lab made cannot be told from what it did not, so nothing is removed.
          out.record = true
          out.error = `the record of lab ${name} cannot be read (${(h.facts.errors ?? []).find((e) => e.fact === 'labRecords')?.message ?? 'damaged'}); repair or remove it first`
          return out
        }
        if (!record) return out
        const vms = record.guests.filter((g) => h.facts.vms.some((v) => sameName(v.name, g.name))).map((g) => g.name)
        if (opts.dryRun) {
          out.wouldRemove = [
            ...vms.map((n) => ({kind: 'vm', name: n})),
            ...record.nats.filter((x) => x.created).map((x) => ({kind: 'nat', name: x.name})),
            ...record.addresses.filter((x) => x.created).map((x) => ({kind: 'address', name: `${x.ipAddress}/${x.prefixLength} on ${x.interfaceAlias}`})),
            ...record.switches.filter((x) => x.created && (x.type !== 'external' || opts.includeExternal)).map((x) => ({kind: 'switch', name: x.name})),
          ]
          return out
        }
        if (vms.length > 0) {
          emit({type: 'host', host: out.host, message: `removing ${vms.join(', ')}`})
          const res = await h.session.request({action: 'destroy', names: vms, keepDisks: opts.keepDisks ?? false, vmRoot: h.target.vmRoot})
          const data = checkedAnswer('destroy', res).data as {guests?: Array<{name: string}>; refused?: LabDownHost['guests']['refused']} | undefined
          out.guests = {removed: (data?.guests ?? []).map((g) => g.name), refused: data?.refused ?? []}
          if (!res.ok) {
            out.error = res.error?.message ?? 'destroy failed'
            return out
          }
        }
        emit({type: 'host', host: out.host, message: `removing the lab's networks`})
        const res = checkedAnswer('lab-teardown', await h.session.request(teardownRequest(record, name, h.target.vmRoot, opts.includeExternal ?? false)))
        const data = res.data as {removed?: LabDownHost['removed']; kept?: LabDownHost['kept']} | undefined
        out.removed = data?.removed ?? []
        out.kept = data?.kept ?? []
        if (!res.ok) out.error = res.error?.message ?? 'lab-teardown failed'
        return out
      }),
    )
    const status = hosts.some((h) => h.error) ? 'failed' : opts.dryRun ? 'dry-run' : hosts.some((h) => h.record) ? 'ok' : 'absent'
    return {status, lab: name, hosts, problems: []}
  } finally {
    await lab.close()
  }
}

/** The runtime's lab-teardown request: only what the record says the lab created. */
export function teardownRequest(record: LabRecord, lab: string, vmRoot: string, includeExternal: boolean) {
  return {
    action: 'lab-teardown' as const,
    runId: newRunId(),
    vmRoot,
    lab,
    nats: record.nats.filter((x) => x.created).map((x) => ({name: x.name})),
    addresses: record.addresses.filter((x) => x.created).map((x) => ({interfaceAlias: x.interfaceAlias, ipAddress: x.ipAddress})),
    switches: record.switches.filter((x) => x.created).map((x) => ({name: x.name, id: x.id, type: x.type})),
    includeExternal,
    hostSettings: record.hostSettings.length > 0 ? record.hostSettings : null,
  }
}
