/**
 * `list`, `destroy` and `recover`: one request per host, hosts in parallel, through the same
 * sessions as `create`. Each host answers for itself; one unreachable host does not hide the
 * others' answers.
 */
import {InputError, type Diagnostic} from '../model/diagnostic.js'
import type {PlanResult} from '../plan/build-plan.js'
import type {TargetHost} from '../model/target-host.js'
import {resolveTargets, type TargetsRequest} from '../resolve/targets.js'
import {report} from '../model/codes.js'
import {hasHyperVModule, MANAGED_HOSTS} from '../model/host-os.js'
import {MESSAGES} from '../model/messages.js'
import {answerData, failureData, isAnswerShapeError} from '../powershell/answers.js'
import type {HostSession} from '../powershell/session.js'
import type {ResultLine, RuntimeRequest} from '../powershell/protocol.js'

export interface HostAnswer<T> {
  host: string
  ok: boolean
  data: T | null
  error: {step: string; cmdlet: string | null; message: string} | null
}

export type OpenSession = (host: TargetHost) => Promise<HostSession>

/** The hosts a command acts on: --host NAME..., else every host of the inventory (or localhost). */
export function selectHosts(req: TargetsRequest & {hosts?: string[]}): TargetHost[] {
  const names = req.hosts && req.hosts.length > 0 ? req.hosts : [undefined]
  const out: TargetHost[] = []
  const problems: Diagnostic[] = []
  for (const host of names) {
    const t = resolveTargets({...req, host})
    problems.push(...t.diagnostics.filter((d) => d.severity === 'error'))
    for (const h of t.hosts) if (!out.some((o) => o.name === h.name)) out.push(h)
  }
  if (problems.length > 0) throw new InputError(problems)
  return out
}

/**
 * Every host-side record (journals, manifests, lock) lives under the host's vmRoot, so each request
 * names it. Answers are checked against their action's schema (src/powershell/answers.ts): one of
 * the wrong shape is that host's failure, with a message naming the field.
 */
export async function askHosts<T>(hosts: TargetHost[], request: RuntimeRequest, open: OpenSession): Promise<Array<HostAnswer<T>>> {
  return Promise.all(
    hosts.map(async (h): Promise<HostAnswer<T>> => {
      const session = await open(h)
      try {
        const r: ResultLine = await session.request({...request, vmRoot: h.vmRoot})
        let data: unknown
        try {
          data = r.ok ? answerData(request.action, r) : failureData(request.action, r)
        } catch (error) {
          if (!isAnswerShapeError(error)) throw error
          return {host: h.name, ok: false, data: null, error: {step: request.action, cmdlet: null, message: error.message}}
        }
        return {
          host: h.name,
          ok: r.ok,
          data: (data as T) ?? null,
          error: r.ok ? null : {step: r.error?.step ?? r.action, cmdlet: r.error?.cmdlet ?? null, message: r.error?.message ?? 'no message'},
        }
      } finally {
        await session.close().catch(() => {})
      }
    }),
  )
}

/**
 * A run's plan, with an error for every host it would act on that has no Hyper-V module by its
 * OS (2008, 2008 R2: docs/host-versions.md, section 4), at the inventory's os line. Planning for such hosts is
 * what `plan` is for; `create` (and its --dry-run and --emit) stops here, exit 2, with every other
 * problem of the plan shown beside it and no host contacted. Hosts the inventory gives no os for
 * are asked by the session (the bootstrap's hyperVModule).
 */
export function refuseUnmanagedHosts(result: PlanResult): PlanResult {
  const {plan, targets} = result
  const refused = plan.hosts
    .filter((h) => !hasHyperVModule(h.os))
    .map((h) => {
      const index = targets.inventory?.hosts.findIndex((e) => e.name === h.name) ?? -1
      const source = index >= 0 && h.osSource === 'inventory' ? targets.inventoryLocate?.(['hosts', index, 'os']) : undefined
      const d = report('hyperv-module-missing', MESSAGES.hostOsUnmanaged(h.name, h.os, MANAGED_HOSTS, h.osSource === 'flag'), {host: h.name, source})
      return {...d, guest: null, host: h.name}
    })
  if (refused.length === 0) return result
  const diagnostics = [...refused, ...plan.diagnostics]
  return {...result, plan: {...plan, diagnostics, summary: {...plan.summary, errors: diagnostics.filter((d) => d.severity === 'error').length}}}
}
