/**
 * `lab up`: the lab's plan, each host's facts (one round trip), the difference, and only the
 * difference applied, in one journaled run per host: networks first (switch, gateway address,
 * NAT), then guests in dependsOn order, each dependency started and reporting its planned
 * address through KVP before its dependents are made, then the lab's record, then the commit.
 * A failure rolls the whole run back on every host (switches, addresses and NATs included); a
 * second `up` with nothing to do changes nothing and takes no lock.
 */
import type {Diagnostic} from '../model/diagnostic.js'
import type {LabPlan, LabPlannedGuest} from '../model/lab-plan.js'
import type {HostJumboSetting, Plan} from '../model/plan.js'
import {checkedAnswer} from '../powershell/answers.js'
import {blameRefusedHosts, commitAll} from '../execute/create-commit.js'
import {rollBackAfterError, rollBackFailedRun} from '../execute/create-rollback.js'
import {failureOf, finishRun, resultOf, startRun, type CreateRun, type HostRun, type StepOptions} from '../execute/create-run.js'
import {settleSeedMedia} from '../execute/create-seed-media.js'
import {beginOnHost, createGuestOnHost, preflight} from '../execute/create-steps.js'
import {waitForGuests, type IcReport, type WaitResult} from '../execute/guest-status.js'
import type {GuestResult, RunResult} from '../execute/types.js'
import {converge, type GuestChange, type HostConvergence, type LabConvergence, type NetworkChange} from './converge.js'
import {openPlannedLab, type LabDeps, type LabEmit, type LabHost} from './lab-run.js'
import {nextRecord, type NetworkMade} from './next-record.js'
import type {LabPlanRequest} from './plan-lab.js'

export interface LabUpOptions extends LabPlanRequest {
  dryRun?: boolean
  /** After the run, wait until every guest of the lab is ready as planned (implies start). */
  wait?: {timeoutMs: number; intervalMs?: number}
  /** How long a dependency may take to be ready before its dependents are made (default 10 minutes). */
  dependencyTimeoutMs?: number
  recreate?: string[]
  /** Hosts worked on at once (default: all). */
  parallel?: number
  lockTimeoutSeconds?: number
  timeoutMs?: number
  onEvent?: LabEmit
  signal?: AbortSignal
}

export interface LabNetworkOutcome {
  host: string
  network: string
  switch: string
  type: string
  actions: {switch: NetworkChange['switch']; address: NetworkChange['address']; nat: NetworkChange['nat']}
  natName: string | null
  drift: string[]
}

export interface LabGuestOutcome {
  host: string
  name: string
  action: GuestChange['action']
  drift: string[]
  result: GuestResult | null
}

export interface LabUpResult {
  status: 'ok' | 'unchanged' | 'dry-run' | 'invalid' | 'failed' | 'not-ready' | 'commit-failed'
  lab: string
  runId: string | null
  networks: LabNetworkOutcome[]
  guests: LabGuestOutcome[]
  /** Host-side problems found before any change (exit 2). */
  problems: Diagnostic[]
  diagnostics: Plan['diagnostics']
  rollbackErrors: RunResult['rollbackErrors']
  commitErrors: RunResult['commitErrors']
  /** With --wait, or when a dependency was waited for: what each guest reported last. */
  wait: WaitResult | null
  sessions: RunResult['sessions']
  labPlan: LabPlan
}

const DEPENDENCY_TIMEOUT_MS = 10 * 60_000

export async function labUp(opts: LabUpOptions, deps: LabDeps): Promise<LabUpResult> {
  const emit = opts.onEvent ?? (() => {})
  // What the file alone refuses is refused before any host is asked.
  const first = deps.plan(opts)
  if (first.labPlan.plan.summary.errors > 0) return resultFor(first.labPlan)('invalid')
  const known = new Set(first.labPlan.guests.map((g) => g.name.toLowerCase()))
  const unknown = (opts.recreate ?? []).filter((n) => !known.has(n.toLowerCase()))
  if (unknown.length > 0) {
    return resultFor(first.labPlan)('invalid', {problems: unknown.map((n) => ({code: 'input-invalid', severity: 'error', message: `--recreate ${n}: lab ${first.labPlan.lab.name} has no guest of that name`}))})
  }

  const {planned, lab} = await openPlannedLab(opts, deps, emit, first)
  const {labPlan} = planned
  const base = resultFor(labPlan)
  try {
    if (lab.problems.length > 0) return base('invalid', {problems: lab.problems})
    // Placement by memory can find what the file alone could not (a guest that fits nowhere).
    if (labPlan.plan.summary.errors > 0) return base('invalid')
    const facts = new Map(lab.hosts.map((h) => [h.target.name, h.facts]))
    const hostOs = new Map(lab.hosts.map((h) => [h.target.name, h.target.os]))
    const diff = converge(labPlan, facts, hostOs, {recreate: opts.recreate})
    const shown = describe(diff)
    if (diff.problems.length > 0) return base('invalid', {...shown, problems: diff.problems, sessions: stats(lab.hosts)})
    if (opts.dryRun) return base('dry-run', {...shown, sessions: stats(lab.hosts)})
    if (diff.unchanged) {
      if (!opts.wait) return base('unchanged', {...shown, sessions: stats(lab.hosts)})
      const waited = await waitForLab(lab.hosts, labPlan.guests, opts.wait, opts.signal, emit)
      return base(waited.ready ? 'unchanged' : 'not-ready', {...shown, wait: waited, sessions: stats(lab.hosts)})
    }
    return await applyDifference(labPlan, diff, lab.hosts, opts, emit, base, shown)
  } finally {
    await lab.close()
  }
}

/** The result of `lab up` for a plan, with what is known so far. */
const resultFor =
  (labPlan: LabPlan) =>
  (status: LabUpResult['status'], extra: Partial<LabUpResult> = {}): LabUpResult => ({
    status,
    lab: labPlan.lab.name,
    runId: null,
    networks: [],
    guests: [],
    problems: [],
    diagnostics: labPlan.plan.diagnostics,
    rollbackErrors: [],
    commitErrors: [],
    wait: null,
    sessions: [],
    labPlan,
    ...extra,
  })

type Base = (status: LabUpResult['status'], extra?: Partial<LabUpResult>) => LabUpResult

async function applyDifference(labPlan: LabPlan, diff: LabConvergence, hosts: LabHost[], opts: LabUpOptions, emit: LabEmit, base: Base, shown: Pick<LabUpResult, 'networks' | 'guests'>): Promise<LabUpResult> {
  const toMake = new Set(diff.hosts.flatMap((h) => h.guests.filter((g) => g.action === 'create' || g.action === 'recreate').map((g) => `${g.host}/${g.guest.name}`.toLowerCase())))
  const changedHosts = diff.hosts.filter((h) => h.networks.some(changesNetwork) || h.guests.some((g) => toMake.has(`${g.host}/${g.guest.name}`.toLowerCase())))
  const dependedOn = new Set(labPlan.guests.flatMap((g) => g.dependsOn.map((d) => d.toLowerCase())))
  const guests = labPlan.plan.guests
    .filter((g) => toMake.has(`${g.host}/${g.name}`.toLowerCase()))
    .map((g) => ({...g, start: g.start || opts.wait !== undefined || dependedOn.has(g.name.toLowerCase())}))
  const plan: Plan = {...labPlan.plan, guests, hosts: labPlan.plan.hosts.filter((h) => changedHosts.some((c) => c.host === h.name))}
  const targets = hosts.map((h) => h.target)
  const run = startRun(plan, targets)
  // Networks the run makes are where its guests' adapters go: preflight must not call them missing.
  const laterJumbo = new Map<string, HostJumboSetting>()
  for (const r of run.hosts) {
    r.session = hosts.find((h) => h.target.name === r.target.name)!.session
    // begin sets the profile's jumbo frames on the switches the guests use; one the run makes
    // does not exist yet then, so lab-network sets it right after making the switch.
    const making = new Set(diff.hosts.find((h) => h.host === r.target.name)?.networks.filter((n) => n.switch === 'create').map((n) => n.network.switch.toLowerCase()))
    for (const j of r.planned.network.jumbo) if (making.has(j.switch.toLowerCase())) laterJumbo.set(`${r.target.name}/${j.switch}`.toLowerCase(), j)
    r.planned = {...r.planned, network: {...r.planned.network, jumbo: r.planned.network.jumbo.filter((j) => !making.has(j.switch.toLowerCase()))}}
  }
  const createOpts: StepOptions = {replace: false, lockTimeoutSeconds: opts.lockTimeoutSeconds, timeoutMs: opts.timeoutMs, signal: opts.signal}
  const recreating = new Set(diff.hosts.flatMap((h) => h.guests.filter((g) => g.action === 'recreate').map((g) => g.guest.name.toLowerCase())))
  const outcome = (status: LabUpResult['status'], result: RunResult, extra: Partial<LabUpResult> = {}): LabUpResult =>
    base(status, {
      ...shown,
      runId: run.id,
      guests: shown.guests.map((g) => ({...g, result: run.results.get(`${g.host}/${g.name}`) ?? null})),
      rollbackErrors: result.rollbackErrors,
      commitErrors: result.commitErrors,
      problems: result.problems,
      sessions: stats(hosts),
      ...extra,
    })
  emit({type: 'work', hosts: run.hosts.map((r) => r.target.name), guests: guests.map((g) => ({host: g.host, guest: g.name})), hostWork: 'networks, record and commit'})
  try {
    // --recreate: preflight lets those guests' VMs and files be replaced (converge plans create only for a VM that is absent).
    const problems = await preflight(run, {...createOpts, replace: recreating.size > 0}, (host) => diff.hosts.find((h) => h.host === host)?.networks.filter((n) => n.switch === 'create').map((n) => n.network.switch) ?? [])
    if (problems.length > 0) return outcome('invalid', finishRun(run, 'invalid', {problems}))

    const made = new Map<string, NetworkMade>()
    await inParallel(run.hosts, opts.parallel, async (r) => {
      if (!(await beginOnHost(run, r, {...createOpts, replace: false}, emit))) return
      const h = diff.hosts.find((x) => x.host === r.target.name)!
      for (const n of h.networks.filter(changesNetwork)) {
        if (opts.signal?.aborted) run.failed = true
        if (run.failed) return
        if (!(await makeNetwork(run, r, h, n, labPlan, made, laterJumbo.get(`${h.host}/${n.network.switch}`.toLowerCase()) ?? null, emit))) return
      }
    })
    if (run.failed) return outcome('failed', await rollBackFailedRun(run, emit))

    // Guests in waves: a wave's guests depend only on guests of earlier waves. Before a wave's
    // guests are made, each guest they depend on is started and reports its planned address.
    const byName = new Map(labPlan.guests.map((g) => [g.name.toLowerCase(), g]))
    const confirmed = new Set<string>()
    let waited: WaitResult | null = null
    let stopped = false
    for (const wave of wavesOf(labPlan.guests)) {
      const names = new Set(wave.filter((g) => toMake.has(`${g.host}/${g.name}`.toLowerCase())).map((g) => g.name.toLowerCase()))
      if (names.size === 0) continue
      const pending = [...new Set(wave.filter((g) => names.has(g.name.toLowerCase())).flatMap((g) => g.dependsOn.map((d) => d.toLowerCase())))]
        .filter((d) => !confirmed.has(d))
        .map((d) => byName.get(d)!)
      if (pending.length > 0) {
        emit({type: 'host', host: pending[0].host, message: `waiting for ${pending.map((g) => g.name).join(', ')} (started, reporting the planned addresses) before ${[...names].join(', ')}`})
        waited = await waitForLab(hosts, pending, {timeoutMs: opts.dependencyTimeoutMs ?? opts.wait?.timeoutMs ?? DEPENDENCY_TIMEOUT_MS, intervalMs: opts.wait?.intervalMs}, opts.signal, emit)
        // Interrupted (Ctrl-C) or the wait itself failed: the run is rolled back, as the command says.
        if (opts.signal?.aborted || waited.error) {
          run.failed = true
          return outcome('failed', await rollBackFailedRun(run, emit), {wait: waited})
        }
        if (!waited.ready) {
          // What was made is kept and committed: the next `up` goes on from there.
          stopped = true
          break
        }
        for (const g of pending) confirmed.add(g.name.toLowerCase())
      }
      await inParallel(run.hosts, opts.parallel, async (r) => {
        for (const g of r.guests.filter((x) => names.has(x.name.toLowerCase()))) {
          if (run.failed) return
          if (opts.signal?.aborted) {
            run.failed = true
            resultOf(run, g).error = {step: 'interrupted', cmdlet: null, message: 'the run was interrupted before this guest'}
            return
          }
          if (!(await createGuestOnHost(run, r, g, {...createOpts, replace: recreating.has(g.name.toLowerCase())}, emit))) return
        }
      })
      if (run.failed) return outcome('failed', await rollBackFailedRun(run, emit))
    }

    // The lab's record, then the commit.
    await inParallel(run.hosts, opts.parallel, async (r) => {
      if (run.failed || !r.begun) return
      const h = diff.hosts.find((x) => x.host === r.target.name)!
      const record = nextRecord({labPlan, host: h, runId: run.id, made, results: run.results, began: r.began})
      const res = checkedAnswer('lab-record', await r.session!.request({action: 'lab-record', runId: run.id, vmRoot: r.target.vmRoot, lab: labPlan.lab.name, record}))
      if (!res.ok) {
        run.failed = true
        emit({type: 'host', host: r.target.name, message: `could not write the lab's record: ${failureOf(res)!.message}`})
      }
    })
    if (run.failed) return outcome('failed', await rollBackFailedRun(run, emit))
    const commit = await commitAll(run.hosts.filter((r) => r.begun), run.id, emit)
    if (commit.uncommitted.length > 0) return outcome('commit-failed', finishRun(run, 'commit-failed', {commitErrors: commit.uncommitted}))
    if (commit.rollBack) {
      blameRefusedHosts(run, commit.refused)
      return outcome('failed', await rollBackFailedRun(run, emit))
    }
    if (stopped) {
      await settleSeedMedia(run.hosts, run.results, waited, createOpts, emit)
      return outcome('not-ready', finishRun(run, 'not-ready'), {wait: waited})
    }
    if (!opts.wait) {
      await settleSeedMedia(run.hosts, run.results, null, createOpts, emit)
      return outcome('ok', finishRun(run, 'ok'))
    }
    waited = await waitForLab(hosts, labPlan.guests, opts.wait, opts.signal, emit)
    await settleSeedMedia(run.hosts, run.results, waited, createOpts, emit)
    return outcome(waited.ready ? 'ok' : 'not-ready', finishRun(run, waited.ready ? 'ok' : 'not-ready'), {wait: waited})
  } catch (error) {
    return outcome('failed', await rollBackAfterError(run, error, emit))
  }
}

const changesNetwork = (n: NetworkChange): boolean => n.switch === 'create' || n.address === 'create' || n.nat === 'create'

/** One lab-network request: the switch, the gateway address and the NAT the run makes, journaled on the host. */
async function makeNetwork(run: CreateRun, r: HostRun, h: HostConvergence, n: NetworkChange, labPlan: LabPlan, made: Map<string, NetworkMade>, jumbo: HostJumboSetting | null, emit: LabEmit): Promise<boolean> {
  const net = n.network
  const type = net.type === 'internal' ? 'Internal' : net.type === 'private' ? 'Private' : 'External'
  emit({type: 'host', host: h.host, message: `network ${net.name}: ${[n.switch === 'create' ? `switch ${net.switch} (${net.type})` : null, n.address === 'create' ? `gateway ${net.gateway}/${net.prefixLength}` : null, n.nat === 'create' ? `NAT ${n.natName} ${n.natPrefix}` : null].filter(Boolean).join(', ')}`})
  const res = checkedAnswer(
    'lab-network',
    await r.session!.request({
      action: 'lab-network',
      runId: run.id,
      vmRoot: r.target.vmRoot,
      network: {
        switch: net.switch,
        type,
        notes: `hvguest lab=${labPlan.lab.name}`,
        adapter: net.adapter,
        allowManagementOS: net.allowManagementOS,
        createSwitch: n.switch === 'create',
        gateway: n.address === 'create' ? {address: net.gateway!, prefixLength: net.prefixLength!} : null,
        nat: n.nat === 'create' ? {name: n.natName!, prefix: n.natPrefix!} : null,
        jumbo: n.switch === 'create' ? jumbo : null,
      },
    }),
  )
  if (!res.ok) {
    run.failed = true
    const failure = failureOf(res)!
    for (const g of r.guests) resultOf(run, g).error = {...failure, message: `network ${net.name}: ${failure.message}`}
    emit({type: 'host', host: h.host, message: `network ${net.name} failed: ${failure.message}`})
    return false
  }
  const data = res.data as {switchId?: string | null; switchCreated?: boolean; addressCreated?: boolean; natCreated?: boolean; natName?: string | null; hostSettings?: unknown[]}
  made.set(`${h.host}/${net.name}`.toLowerCase(), {
    switchId: data.switchId ?? null,
    switchCreated: data.switchCreated === true,
    addressCreated: data.addressCreated === true,
    natCreated: data.natCreated === true,
    natName: data.natName ?? null,
    hostSettings: data.hostSettings ?? [],
  })
  return true
}

/** The lab's guests in waves: each wave depends only on the ones before it (the plan has no cycle). */
export function wavesOf(guests: LabPlannedGuest[]): LabPlannedGuest[][] {
  const depth = new Map<string, number>()
  const byName = new Map(guests.map((g) => [g.name.toLowerCase(), g]))
  const depthOf = (g: LabPlannedGuest, seen: Set<string>): number => {
    const key = g.name.toLowerCase()
    const known = depth.get(key)
    if (known !== undefined) return known
    if (seen.has(key)) return 0
    seen.add(key)
    const d = Math.max(-1, ...g.dependsOn.map((n) => byName.get(n.toLowerCase())).filter((x): x is LabPlannedGuest => x !== undefined).map((x) => depthOf(x, seen))) + 1
    depth.set(key, d)
    return d
  }
  const waves: LabPlannedGuest[][] = []
  for (const g of guests) (waves[depthOf(g, new Set())] ??= []).push(g)
  return waves.filter((w) => w !== undefined)
}

/** Ready as the lab planned it: heartbeat OK, and every static address of the guest reported through KVP. */
export function readyAsPlanned(guests: LabPlannedGuest[]): (r: IcReport) => boolean {
  const planned = new Map(guests.map((g) => [`${g.host}/${g.name}`.toLowerCase(), g.adapters.flatMap((a) => (a.address ? [a.address.split('/')[0]] : []))]))
  return (r) => r.ready && (planned.get(`${r.host}/${r.name}`.toLowerCase()) ?? []).every((a) => r.ipv4.includes(a))
}

async function waitForLab(hosts: LabHost[], guests: LabPlannedGuest[], wait: {timeoutMs: number; intervalMs?: number}, signal: AbortSignal | undefined, emit: LabEmit): Promise<WaitResult> {
  const targets = hosts
    .map((h) => ({session: h.session, vmRoot: h.target.vmRoot, names: guests.filter((g) => g.host === h.target.name).map((g) => g.name)}))
    .filter((t) => t.names.length > 0)
  return waitForGuests(targets, {
    timeoutMs: wait.timeoutMs,
    intervalMs: wait.intervalMs,
    signal,
    isReady: readyAsPlanned(guests),
    onChange: (g) => emit({type: 'wait', host: g.host, guest: g.name, ready: g.ready, message: g.ready ? `heartbeat ${g.heartbeat}, ${g.ipv4.join(', ') || 'no IPv4 yet'}` : `waiting: heartbeat ${g.heartbeat || 'no contact'}${g.ipv4.length ? `, ${g.ipv4.join(', ')}` : ', no IPv4 yet'}`}),
  }).catch((error: Error): WaitResult => ({ready: false, elapsedMs: 0, guests: [], error: error.message}))
}

async function inParallel<T>(items: T[], limit: number | undefined, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items]
  const workers = Array.from({length: Math.max(1, Math.min(limit ?? items.length, items.length))}, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item)
  })
  await Promise.all(workers)
}

function describe(diff: LabConvergence): Pick<LabUpResult, 'networks' | 'guests'> {
  return {
    networks: diff.hosts.flatMap((h) =>
      h.networks.map((n) => ({host: h.host, network: n.network.name, switch: n.network.switch, type: n.network.type, actions: {switch: n.switch, address: n.address, nat: n.nat}, natName: n.natName, drift: n.drift})),
    ),
    guests: diff.hosts.flatMap((h) => h.guests.map((g) => ({host: h.host, name: g.guest.name, action: g.action, drift: g.drift, result: null}))),
  }
}

const stats = (hosts: LabHost[]): RunResult['sessions'] => hosts.map((h) => ({host: h.target.name, ...h.session.stats}))
