/**
 * The planning pipeline: load → render → resolve → validate → plan, the order of the src/
 * folders that hold each stage.
 * Pure apart from reading input files: nothing here touches a host. `plan` prints the
 * result, `create` will execute it. Problems are returned as diagnostics inside the Plan,
 * never thrown, so that a caller sees every problem of a run at once.
 */
import {resolve} from 'node:path'
import {applyStrict, type Diagnostic} from '../model/diagnostic.js'
import type {Plan, PlanDiagnostic, PlannedHost} from '../model/plan.js'
import type {Locate} from '../model/source.js'
import {loadCatalog, type Catalog} from '../resolve/integration/catalog.js'
import {resolveHostNetwork} from '../resolve/network/resolve-host-network.js'
import {report} from '../model/codes.js'
import {runRules} from '../validate/index.js'
import type {HostOs} from '../model/host-os.js'
import {resolveContent} from '../load/library.js'
import type {LoadedTemplate} from '../load/loaded-template.js'
import {loadGuestTemplate} from '../render/template-file.js'
import {expandGuestNames} from '../render/guest-names.js'
import {REDACTED, redactedValues, resolveParameters, type ParameterValues} from '../load/parameters.js'
import {renderGuestSpec} from '../render/render.js'
import {planFirstBoot} from '../resolve/firstboot/index.js'
import {resolveGuest, type ResolvedGuest} from '../resolve/guest.js'
import type {TargetHost} from '../model/target-host.js'
import {hostContext, profileContext, resolveTargets, type Targets, type TargetsRequest} from '../resolve/targets.js'
import type {GuestSpec} from '../model/schemas.js'
import {type HostMemoryFacts, Placer} from './placement.js'

export interface PlanRequest {
  /** Template names (built-in or project) or paths. */
  templates: string[]
  name?: string
  count?: number
  sets?: string[]
  valuesFile?: string
  profile?: string
  inventory?: string
  host?: string
  hostOs?: HostOs
  strict?: boolean
  cwd?: string
  /**
   * Every secret parameter is asked for when an emitted script runs (create --emit --no-secrets):
   * planned as given, whatever the command line says, so that the files use it where they would.
   */
  askSecrets?: boolean
  /**
   * Each host's free memory, read before planning (src/execute/placement-facts.ts): with two or
   * more target hosts, each guest goes where the most is available (placement.ts). Without it,
   * guests are spread over the hosts in turn.
   */
  hostMemory?: HostMemoryFacts
}

export interface PlanResult {
  plan: Plan
  /** Resolved guests with their inputs, for commands that need more than the plan (create). */
  resolved: ResolvedGuest[]
  targets: Targets
}

/**
 * Does this request place its guests by free memory (placement.ts)? Two or more target hosts, no
 * --host, no memory read yet, and a plan without errors: a plan that fails on its own asks no host.
 */
export function placesByMemory(req: PlanRequest, first: PlanResult): boolean {
  return req.host === undefined && req.hostMemory === undefined && first.targets.hosts.length > 1 && first.plan.summary.errors === 0
}

export async function buildPlan(req: PlanRequest): Promise<Plan> {
  return planRun(req).plan
}

export function planRun(req: PlanRequest, catalog: Catalog = loadCatalog()): PlanResult {
  const cwd = req.cwd ?? process.cwd()
  const {stages, targets} = startPlan({inventory: req.inventory, host: req.host, profile: req.profile, hostOs: req.hostOs, cwd}, catalog)

  // Load every template first: a --set key belongs to the templates that declare it, so a
  // key only one template of the run knows is not "unknown" to the others.
  const templates: LoadedTemplate[] = []
  for (const ref of req.templates) {
    const template = loadTemplate(stages, ref, cwd)
    if (template) templates.push(template)
  }
  const declaredSomewhere = new Set(templates.flatMap((t) => Object.keys(t.parameters)))
  const setKey = (s: string) => s.split('=', 1)[0].trim()

  const count = req.count ?? 1
  let slot = 0 // without placement: the position in turn across hosts, over all templates of the run
  const placer = req.hostMemory && targets.hosts.length > 1 ? new Placer(targets.hosts, req.hostMemory) : null
  if (placer) stages.diagnostics.push(...placer.unaskedWarnings())
  for (const template of templates) {
    // A key no template declares is reported once, against the first template.
    const sets = (req.sets ?? []).filter((s) => (declaredSomewhere.has(setKey(s)) ? setKey(s) in template.parameters : template === templates[0]))
    const params = resolveParameters(template, {sets, valuesFile: req.valuesFile && resolve(cwd, req.valuesFile), askSecrets: req.askSecrets})
    stages.diagnostics.push(...params.diagnostics)
    if (params.diagnostics.some((d) => d.severity === 'error') || targets.hosts.length === 0) continue

    // A guest template, and a --name pattern, see a secret as (secret): only first-boot files get it.
    const names = expandGuestNames({name: req.name, count, defaultName: template.name, context: {...redactedValues(params)}})
    stages.diagnostics.push(...names.diagnostics)
    names.names.forEach((name, i) => {
      const guest = {template, params, name, index: i + 1}
      if (placer) placeGuest(stages, placer, guest, targets.hosts)
      else planGuest(stages, {...guest, host: targets.hosts[slot++ % targets.hosts.length]})
    })
  }
  return {plan: finishPlan(stages, targets, req.strict ?? false), resolved: stages.resolved, targets}
}

/**
 * A guest placed by memory: planned once on the first host to learn the memory it needs (a
 * template can size it from host values), then on the host the placer picks, when that differs.
 */
function placeGuest(stages: PlanStages, placer: Placer, guest: Omit<GuestToPlan, 'host'>, hosts: readonly TargetHost[]): void {
  const trial = trialPlan(stages, {...guest, host: hosts[0]})
  const planned = trial.planned
  // A guest that cannot be planned has the same problems on any host: report them as found.
  if (planned === undefined) {
    stages.diagnostics.push(...trial.diagnostics)
    return
  }
  const placed = placer.place(guest.name, planned.guest.memory.startupBytes)
  if (!placed.ok) {
    // Its other problems too (as found on the first host): one run shows them all.
    stages.diagnostics.push(...trial.diagnostics, report('placement-no-fit', placed.message, {guest: guest.name, host: placed.best?.name}))
    return
  }
  if (placed.host === hosts[0]) {
    stages.diagnostics.push(...trial.diagnostics)
    stages.resolved.push(planned)
  } else {
    planGuest(stages, {...guest, host: placed.host})
  }
  const resolved = stages.resolved.at(-1)
  if (resolved?.guest.name === guest.name) resolved.guest.placement = placed.placement
}

/**
 * A guest planned on the side, to learn what it needs (its startup memory) before its host is
 * chosen: what it found and how it resolved, kept out of the run's own findings and guests.
 */
export function trialPlan(stages: PlanStages, guest: GuestToPlan): {diagnostics: Diagnostic[]; planned: ResolvedGuest | undefined} {
  const trial: PlanStages = {...stages, diagnostics: [], resolved: []}
  planGuest(trial, guest)
  return {diagnostics: trial.diagnostics, planned: trial.resolved[0]}
}

/**
 * What the stages of one planning run share: the findings so far, the guests resolved so far,
 * and the first-boot files already read. planRun drives them over templates and names; a lab
 * (src/lab/plan-lab.ts) over its guests, each with its own template, values and adapters.
 */
export interface PlanStages {
  cwd: string
  catalog: Catalog
  diagnostics: Diagnostic[]
  resolved: ResolvedGuest[]
  firstBootTexts: Map<string, string>
}

/** The hosts a run targets, and what is worth saying about their OS. */
export function startPlan(req: TargetsRequest, catalog: Catalog = loadCatalog()): {stages: PlanStages; targets: Targets} {
  const diagnostics: Diagnostic[] = []
  const targets = resolveTargets(req)
  diagnostics.push(...targets.diagnostics)
  for (const h of targets.hosts) {
    if (req.hostOs && h.osSource === 'inventory' && h.os !== req.hostOs) {
      diagnostics.push(
        report('host-os-assumed', `host ${h.name} is ${h.os} in the inventory; --host-os ${req.hostOs} applies only to hosts whose os the inventory does not give`, {
          host: h.name,
          source: targets.inventoryLocate?.(['hosts', targets.inventory!.hosts.indexOf(h.entry!), 'os']),
        }),
      )
    }
    if (h.entry && h.osSource !== 'inventory') {
      diagnostics.push(
        report('host-os-assumed', `the inventory does not give host ${h.name}'s os; planning for ${h.os} (set os: in the inventory, or --host-os)`, {
          source: targets.inventoryLocate?.(['hosts', targets.inventory!.hosts.indexOf(h.entry), 'name']),
        }),
      )
    }
  }
  return {stages: {cwd: req.cwd, catalog, diagnostics, resolved: [], firstBootTexts: new Map()}, targets}
}

/** A template by name or path (relative to `cwd`), loaded; its problems join the run's. */
export function loadTemplate(stages: PlanStages, ref: string, cwd: string): LoadedTemplate | undefined {
  const found = resolveContent('template', ref, cwd)
  stages.diagnostics.push(...found.diagnostics)
  if (!found.file) return undefined
  const loaded = loadGuestTemplate(found.file)
  stages.diagnostics.push(...loaded.diagnostics)
  return loaded.template
}

export interface GuestToPlan {
  template: LoadedTemplate
  params: ParameterValues
  name: string
  /** 1..count: `{{index}}` in the template. */
  index: number
  host: TargetHost
  /**
   * The rendered spec as this guest gets it, before resolve (a lab's adapters), with the Locate
   * that says where each of its paths is written.
   */
  adjust?: (spec: GuestSpec, locate: Locate) => {spec: GuestSpec; locate: Locate}
}

/** One guest through render → resolve → first boot; it joins stages.resolved unless it cannot. */
export function planGuest(stages: PlanStages, g: GuestToPlan): void {
  const {template, params, name, host} = g
  const diagnostics = stages.diagnostics
  const context = {
    ...redactedValues(params),
    name,
    index: g.index,
    host: hostContext(host),
    profile: profileContext(host.profile),
  }
  const rendered = renderGuestSpec(template, context, params.unset, name)
  diagnostics.push(...onHost(rendered.diagnostics, host.name))
  if (!rendered.spec) return
  const leaked = secretsInSpec(rendered.spec, params.secrets, rendered.locate, name)
  if (leaked.length > 0) {
    diagnostics.push(...onHost(leaked, host.name))
    return
  }
  const {spec, locate} = g.adjust ? g.adjust(rendered.spec, rendered.locate) : {spec: rendered.spec, locate: rendered.locate}
  const resolvedGuest = resolveGuest({
    name,
    template: {name: template.name, file: template.file},
    spec,
    locate,
    host,
    catalog: stages.catalog,
  })
  diagnostics.push(...onHost(resolvedGuest.diagnostics, host.name))
  const firstBoot = planFirstBoot({
    guest: resolvedGuest.guest,
    context: {...context, ...params.values},
    unset: params.unset,
    templateFile: template.file,
    cwd: stages.cwd,
    locate,
    texts: stages.firstBootTexts,
    secrets: params.secrets,
    descriptions: Object.fromEntries(Object.entries(template.parameters).map(([k, d]) => [k, d.description])),
  })
  resolvedGuest.guest.firstBoot = firstBoot.firstBoot
  diagnostics.push(...onHost(firstBoot.diagnostics, host.name))
  stages.resolved.push(resolvedGuest)
}

/** The rules over every guest, the host settings, and the Plan with every finding of the run. */
export function finishPlan(stages: PlanStages, targets: Targets, strict: boolean): Plan {
  const {diagnostics, resolved} = stages
  diagnostics.push(...runRules(resolved, targets))

  // Host settings are planned only for hosts that get a guest: a run never changes a host it
  // creates nothing on, and that host's profile cannot fail the run (--strict).
  const hosts: PlannedHost[] = []
  for (const h of targets.hosts) {
    const mine = resolved.filter((g) => g.host === h)
    if (mine.length === 0) continue
    const net = resolveHostNetwork({
      host: h.name,
      hostOs: h.os,
      profile: h.profile.profile,
      guests: mine.map((g) => ({name: g.guest.name, os: g.spec.os, adapters: g.guest.networkAdapters})),
    })
    diagnostics.push(...onHost(net.diagnostics, h.name))
    hosts.push({
      name: h.name,
      os: h.os,
      osSource: h.osSource,
      transport: h.transport,
      profile: h.profile.name,
      vmRoot: h.vmRoot,
      imageRoot: h.imageRoot,
      isoRoot: h.isoRoot,
      cluster: h.cluster,
      network: net.network,
    })
  }

  // Every field present (null when it does not apply), as for the rest of the plan.
  const final: PlanDiagnostic[] = applyStrict(dedupe(diagnostics), strict).map((d) => ({
    ...d,
    guest: d.guest ?? null,
    host: d.host ?? null,
  }))
  return {
    apiVersion: 'hvguest/v1',
    kind: 'Plan',
    guests: resolved.map((g) => g.guest),
    hosts,
    diagnostics: final,
    summary: {
      guests: resolved.length,
      errors: final.filter((d) => d.severity === 'error').length,
      warnings: final.filter((d) => d.severity === 'warning').length,
      infos: final.filter((d) => d.severity === 'info').length,
    },
  }
}

/** Findings about a guest or a host's settings name the host they concern. */
function onHost(ds: Diagnostic[], host: string): Diagnostic[] {
  return ds.map((d) => (d.host ? d : {...d, host}))
}

/**
 * The same template problem is found once per guest (a bad size in every one of 100 guests);
 * a person wants it once. Findings with the same code, message and source collapse into the
 * first, which keeps its guest and says how many more guests share it.
 */
function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const first = new Map<string, {d: Diagnostic; more: number}>()
  const out: Diagnostic[] = []
  for (const d of ds) {
    const key = `${d.code}|${d.severity}|${d.message}|${d.source?.file ?? ''}:${d.source?.line ?? ''}:${d.source?.column ?? ''}`
    const hit = first.get(key)
    if (!hit) {
      const copy = {...d}
      first.set(key, {d: copy, more: 0})
      out.push(copy)
    } else if (hit.d.guest !== undefined && d.guest !== undefined && d.guest !== hit.d.guest) hit.more++
  }
  for (const {d, more} of first.values()) if (more > 0) d.message += ` (also in ${more} more guest${more === 1 ? '' : 's'})`
  return out
}

/**
 * A secret that reached the guest template's own values (a VM note, a path, firstBoot.values)
 * would be written to the host, the plan and the manifest: refused, at the key that holds it.
 */
function secretsInSpec(spec: unknown, secrets: ReadonlySet<string>, locate: Locate, guest: string): Diagnostic[] {
  if (secrets.size === 0) return []
  const found: Array<Array<string | number>> = []
  const walk = (value: unknown, path: Array<string | number>): void => {
    if (typeof value === 'string') {
      // any case: {{upper adminPassword}} makes it (SECRET)
      if (value.toLowerCase().includes(REDACTED)) found.push(path)
    } else if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i]))
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, [...path, k])
  }
  walk(spec, ['spec'])
  const names = [...secrets].join(', ')
  return found.map((path) =>
    report('secret-outside-firstboot', `${path.join('.')}: holds a secret parameter (${names}); a secret may be used only in first-boot templates, which see every parameter and write it (hashed where the format allows) onto the seed media alone`, {
      guest,
      source: locate(path),
    }),
  )
}
