/**
 * What the lab commands share: the lab's plan and sessions, and each host's facts read in one
 * round trip before anything else (the convergence and every host check work from them).
 */
import type {Diagnostic} from '../model/diagnostic.js'
import {report} from '../model/codes.js'
import type {TargetHost} from '../model/target-host.js'
import type {HostSession} from '../powershell/session.js'
import {askFactsOn} from '../execute/host-facts.js'
import {askMemory, notActedOn} from '../execute/placement-facts.js'
import {hasHyperVModule} from '../model/host-os.js'
import type {RunEvent} from '../execute/types.js'
import {recordOf, type LabFacts} from './lab-facts.js'
import type {LabPlanRequest, LabPlanResult} from './plan-lab.js'

export interface LabDeps {
  plan: (req: LabPlanRequest) => LabPlanResult
  open: (host: TargetHost) => Promise<HostSession>
}

export interface LabHost {
  target: TargetHost
  session: HostSession
  facts: LabFacts
}

export interface LabSessions {
  hosts: LabHost[]
  /** A host that could not be asked: the command stops with exit 2, nothing changed. */
  problems: Diagnostic[]
  close(): Promise<void>
}

export type LabEmit = (e: RunEvent) => void

/** The names of the hosts a lab's plan puts a guest or a network on. */
const hostsUsed = (result: LabPlanResult): Set<string> => new Set([...result.labPlan.plan.hosts.map((h) => h.name), ...result.labPlan.networks.flatMap((n) => n.hosts)])

/**
 * The hosts the lab places guests on (or `only` these), each with a session and its facts (one
 * round trip each).
 */
export async function openLabHosts(result: LabPlanResult, open: LabDeps['open'], emit: LabEmit, only?: readonly TargetHost[]): Promise<LabSessions> {
  const names = hostsUsed(result)
  const targets = only ? [...only] : result.targets.hosts.filter((h) => names.has(h.name))
  const sessions: HostSession[] = []
  const hosts: LabHost[] = []
  const problems: Diagnostic[] = []
  const close = async () => {
    await Promise.all(sessions.map((s) => s.close().catch(() => {})))
  }
  // Every host is waited for, so that a session that opens after another host failed is closed too.
  const settled = await Promise.allSettled(
    targets.map(async (target) => {
      emit({type: 'host', host: target.name, message: `connecting (${target.transport})`})
      const session = await open(target)
      sessions.push(session)
      const asked = await askFactsOn(session, target)
      if (!asked.facts) problems.push(report('host-unreachable', `host ${target.name}: could not read its facts: ${asked.error}`, {host: target.name}))
      else hosts.push({target, session, facts: asked.facts})
    }),
  )
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed) {
    // Bad input (no pwsh, a broken emulator state file) and a lost session alike: no session stays open.
    await close()
    throw failed.reason
  }
  hosts.sort((a, b) => targets.indexOf(a.target) - targets.indexOf(b.target))
  return {hosts, problems, close}
}

/**
 * The lab's plan and its hosts' sessions. When the lab places guests by free memory
 * (LabPlanResult.placesByMemory, src/lab/place-lab.ts), every target host that can have guests
 * is opened first: its facts hold the lab's record there (where its guests already are), and one
 * `memory` round trip says what is free; the lab is then planned with both. Otherwise the plan is
 * made offline and only the hosts it uses are opened, as before. A host that cannot be read is
 * in `lab.problems` (exit 2 for the caller), with the plan made without placement. `first` is
 * the offline plan when the caller has it already.
 */
export async function openPlannedLab(req: LabPlanRequest, deps: LabDeps, emit: LabEmit, first: LabPlanResult = deps.plan(req)): Promise<{planned: LabPlanResult; lab: LabSessions}> {
  if (!first.placesByMemory) return {planned: first, lab: await openLabHosts(first, deps.open, emit)}
  const lab = await openLabHosts(first, deps.open, emit, first.targets.hosts.filter((h) => hasHyperVModule(h.os)))
  try {
    if (lab.problems.length > 0) return {planned: first, lab}
    const memory = Object.fromEntries(await Promise.all(lab.hosts.map(async (h) => [h.target.name, await askMemory(h.session)] as const)))
    for (const h of first.targets.hosts) memory[h.name] ??= {error: notActedOn(h.os)}
    // A guest in two hosts' records (copied by hand?) stays with the first host of the inventory.
    const made = new Map<string, string>()
    for (const h of lab.hosts) for (const g of recordOf(h.facts, first.labPlan.lab.name)?.guests ?? []) if (!made.has(g.name.toLowerCase())) made.set(g.name.toLowerCase(), h.target.name)
    const planned = deps.plan({...req, placement: {memory, made}})
    // A host the plan uses that was not opened (a guest written for a host without the Hyper-V
    // module) is opened now, so that it is refused as it would be without placement.
    const used = hostsUsed(planned)
    const unopened = planned.targets.hosts.filter((h) => used.has(h.name) && !lab.hosts.some((x) => x.target.name === h.name))
    if (unopened.length === 0) return {planned, lab}
    const more = await openLabHosts(planned, deps.open, emit, unopened)
    const hosts = [...lab.hosts, ...more.hosts].sort((a, b) => planned.targets.hosts.indexOf(a.target) - planned.targets.hosts.indexOf(b.target))
    return {planned, lab: {hosts, problems: more.problems, close: () => Promise.all([lab.close(), more.close()]).then(() => {})}}
  } catch (error) {
    await lab.close()
    throw error
  }
}

/**
 * `lab plan`: the lab's plan, placed by free memory when that applies (each host read, nothing
 * changed, every session closed). A host that cannot be read is an error of the plan (exit 2):
 * where the lab's guests already are cannot be told without it.
 */
export async function planLabPlaced(req: LabPlanRequest, deps: LabDeps, first?: LabPlanResult): Promise<LabPlanResult> {
  const {planned, lab} = await openPlannedLab(req, deps, () => {}, first)
  await lab.close()
  if (lab.problems.length === 0) return planned
  const plan = planned.labPlan.plan
  const added = lab.problems.map((d) => ({...d, guest: d.guest ?? null, host: d.host ?? null}))
  const errors = added.filter((d) => d.severity === 'error').length
  return {...planned, labPlan: {...planned.labPlan, plan: {...plan, diagnostics: [...plan.diagnostics, ...added], summary: {...plan.summary, errors: plan.summary.errors + errors}}}}
}
