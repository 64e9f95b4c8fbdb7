/**
 * `ic inject NAME`: integration components for a guest that already exists, doing what the
 * guest's OS and the host's OS allow (what cannot apply is named, never skipped silently):
 *
 * - media    attach the IC media to a free IDE slot: the host's vmguest.iso for Windows guests
 *            on hosts up to 2012 R2, the LIS ISO for RHEL/CentOS 5-6;
 * - offline  add the IC cab to a stopped Windows guest's boot disk (mount, add, always dismount);
 * - seed     render the guest's first-boot files again and put the new seed media in its DVD.
 *
 * `auto` (the default) picks: Windows: offline when the guest is off and a cab exists, else
 * media; Linux: LIS media for LIS-era guests, and a new seed when the template has first boot.
 *
 * The guest is planned again from its template (recorded on the host when hvguest created it,
 * or --template), for the host it is on now, with the --set / --values given now: parameters
 * are not stored on the host, since they may hold passwords. The change runs as a run (host
 * lock, journal): a failure undoes it and leaves the guest as it was.
 */
import {InputError, type Diagnostic} from '../model/diagnostic.js'
import type {PlannedGuest} from '../model/plan.js'
import {loadCatalog} from '../resolve/integration/catalog.js'
import {resolveIntegration} from '../resolve/integration/resolve-integration.js'
import type {PlanRequest, PlanResult} from '../plan/build-plan.js'
import type {TargetHost} from '../model/target-host.js'
import type {HostSession} from '../powershell/session.js'
import {locateNowhere} from '../model/source.js'
import {report} from '../model/codes.js'
import {seedMediaFor} from '../resolve/firstboot/index.js'
import {checkedAnswer} from '../powershell/answers.js'
import {newRunId} from './run-id.js'
import {askGuestStatus, type GuestStatusData} from './guest-status.js'

export type InjectMode = 'auto' | 'media' | 'offline' | 'seed'

export interface IcInjectRequest extends Omit<PlanRequest, 'templates' | 'name' | 'count' | 'host'> {
  name: string
  mode: InjectMode
  /** --host: where to look for the guest (default: every host of the inventory). */
  hosts?: string[]
  /** Template to plan the guest from; default: the one recorded when hvguest created it. */
  template?: string
  lockTimeoutSeconds?: number
  onEvent?: (e: {type: 'step'; host: string; guest: string; step: string; detail?: string}) => void
}

export interface InjectStep {
  mode: Exclude<InjectMode, 'auto'>
  /** What is attached or added: an ISO path, cab paths, or the new seed media. */
  detail: string
}

export interface IcInjectResult {
  /**
   * --seed: the new seed media carries a secret (firstBoot.secret) and stays attached: nothing
   * waits for the guest here, so `ic status` and `list` warn until it is ejected and deleted.
   */
  seedSecret?: boolean
  /** commit-failed: the change was made and is kept, but not committed; `recover` finishes it. */
  status: 'ok' | 'failed' | 'commit-failed'
  host: string
  name: string
  runId: string
  steps: InjectStep[]
  changes: unknown[]
  error: {step: string; cmdlet: string | null; message: string} | null
  /** What the rollback after a failure could not undo (the journal keeps it for `recover`). */
  rollbackErrors: string[]
}

export interface IcInjectDeps {
  hosts: (req: {inventory?: string; hosts: string[]; cwd: string}) => TargetHost[]
  open: (host: TargetHost) => Promise<HostSession>
  plan: (req: PlanRequest) => PlanResult
}

const fail = (code: 'ic-media-unavailable' | 'ic-offline-unsupported' | 'ic-inject-guest-running' | 'firstboot-missing' | 'guest-not-found' | 'input-invalid', message: string, guest?: string): never => {
  throw new InputError([report(code, message, {guest})])
}

export async function icInject(req: IcInjectRequest, deps: IcInjectDeps): Promise<IcInjectResult> {
  const cwd = req.cwd ?? process.cwd()
  const hosts = deps.hosts({inventory: req.inventory, hosts: req.hosts ?? [], cwd})
  const {host, session, status} = await findGuest(req.name, hosts, deps.open)
  try {
    const templateRef = req.template ?? status.planned?.templateFile ?? status.planned?.template
    if (!templateRef) fail('input-invalid', `${req.name} was not created by hvguest (no record on ${host.name}): pass --template to say what it is`, req.name)
    const {hosts: _hosts, mode: _mode, template: _template, ...planReq} = req
    const planned = deps.plan({...planReq, templates: [templateRef!], name: req.name, count: 1, host: host.name, cwd})
    const errors = planned.plan.diagnostics.filter((d) => d.severity === 'error')
    if (errors.length > 0) throw new InputError(errors as Diagnostic[])
    const g = planned.plan.guests[0]
    const steps = decide(req.mode, g, host, status)

    const runId = newRunId()
    const emit = req.onEvent ?? (() => {})
    const begin = checkedAnswer('begin', await session.request({action: 'begin', runId, host: {name: host.name, vmRoot: host.vmRoot}, vmRoot: host.vmRoot, lockTimeoutSeconds: req.lockTimeoutSeconds ?? 60}))
    if (!begin.ok) {
      const selfUndo = begin.data as {rollbackError?: string} | undefined
      return {status: 'failed', host: host.name, name: req.name, runId, steps, changes: [], error: errorOf(begin), rollbackErrors: selfUndo?.rollbackError ? [selfUndo.rollbackError] : []}
    }
    const changes: unknown[] = []
    for (const step of steps) {
      const body =
        step.mode === 'media'
          ? {media: step.detail}
          : step.mode === 'offline'
            ? {packages: step.detail.split('\n')}
            : // secret / keepMedia: recorded in the guest's manifest with the new media (metadata only),
              // so that ic status and list warn while media with a secret is attached: ic inject
              // does not wait for the guest, so it cannot eject it after first boot as create --wait does.
              {seed: seedFile(g, runId), replaces: status.planned?.firstBoot?.media ?? g.firstBoot!.media, secret: g.firstBoot!.secret === true, keepMedia: g.firstBoot!.keepMedia === true}
      const r = checkedAnswer('ic-inject', await session.request(
        {action: 'ic-inject', runId, vmRoot: host.vmRoot, name: req.name, mode: step.mode, ...body},
        {onProgress: (e) => emit({type: 'step', host: host.name, guest: req.name, step: e.step, detail: e.detail})},
      ))
      if (!r.ok) return {...(await rollBack(errorOf(r))), changes}
      changes.push(...(((r.data as {changes?: unknown[]}) ?? {}).changes ?? []))
    }
    const commit = checkedAnswer('commit', await session.request({action: 'commit', runId, vmRoot: host.vmRoot}))
    const seedSecret = steps.some((x) => x.mode === 'seed') && g.firstBoot?.secret === true
    if (commit.ok) return {status: 'ok', host: host.name, name: req.name, runId, steps, changes, error: null, rollbackErrors: [], seedSecret}
    // Marked for commit: the change is kept, and recover finishes the commit. Not marked: undo it.
    if ((commit.data as {committing?: boolean} | undefined)?.committing === true) {
      return {status: 'commit-failed', host: host.name, name: req.name, runId, steps, changes, error: errorOf(commit), rollbackErrors: []}
    }
    return {...(await rollBack(errorOf(commit))), changes}

    async function rollBack(error: IcInjectResult['error']): Promise<IcInjectResult> {
      const undo = checkedAnswer('rollback', await session.request({action: 'rollback', runId, vmRoot: host.vmRoot}))
      const rollbackErrors = undo.ok ? [] : [errorOf(undo).message]
      return {status: 'failed', host: host.name, name: req.name, runId, steps, changes: [], error, rollbackErrors}
    }
  } finally {
    await session.close().catch(() => {})
  }
}

function errorOf(r: {action: string; error?: {step?: string; cmdlet?: string | null; message?: string}}) {
  return {step: r.error?.step ?? r.action, cmdlet: r.error?.cmdlet ?? null, message: r.error?.message ?? 'no message'}
}

/** A new file next to the old seed: the old one stays until the guest is destroyed. */
function seedFile(g: PlannedGuest, runId: string) {
  const media = seedMediaFor(g)!
  return {...media, path: media.path.replace(/\.iso$/i, `-${runId}.iso`)}
}

async function findGuest(name: string, hosts: TargetHost[], open: IcInjectDeps['open']) {
  const found: Array<{host: TargetHost; session: HostSession; status: GuestStatusData}> = []
  for (const host of hosts) {
    const session = await open(host)
    const a = await askGuestStatus(session, [name], host.vmRoot)
    if (a.ok && a.guests.length > 0) found.push({host, session, status: a.guests[0]})
    else await session.close().catch(() => {})
  }
  if (found.length === 1) return found[0]
  await Promise.all(found.map((f) => f.session.close().catch(() => {})))
  if (found.length === 0) return fail('guest-not-found', `no VM named ${name} on ${hosts.map((h) => h.name).join(', ')}`, name)
  return fail('input-invalid', `${name} exists on ${found.map((f) => f.host.name).join(' and ')}: pass --host`, name)
}

/** What to do for this guest on this host, or the code that says why it cannot be done. */
function decide(mode: InjectMode, g: PlannedGuest, host: TargetHost, status: GuestStatusData): InjectStep[] {
  const off = status.state === 'Off'
  const attempt = (install: 'attach-media' | 'offline') => {
    const r = resolveIntegration({
      guest: g.name,
      os: g.os.family === 'windows' ? {family: 'windows', version: g.os.version, ...(g.os.edition ? {edition: g.os.edition} : {})} : {family: 'linux', distro: g.os.distro ?? '', version: g.os.version},
      spec: {install},
      hostOs: host.os,
      host: {isoRoot: host.isoRoot, imageRoot: host.imageRoot},
      catalog: loadCatalog(),
      locate: locateNowhere(),
    })
    const rejected = r.diagnostics.find((d) => d.code === 'ic-media-unavailable' || d.code === 'ic-offline-unsupported')
    return {integration: r.integration, rejected}
  }
  const media = (): InjectStep => {
    const a = attempt('attach-media')
    if (a.rejected || !a.integration.media) fail(a.rejected?.code === 'ic-offline-unsupported' ? 'ic-offline-unsupported' : 'ic-media-unavailable', a.rejected?.message ?? `no integration media for ${g.name} on ${host.name}`, g.name)
    return {mode: 'media', detail: a.integration.media!}
  }
  const offline = (): InjectStep => {
    const a = attempt('offline')
    if (a.rejected) fail('ic-offline-unsupported', a.rejected.message, g.name)
    if (!off) fail('ic-inject-guest-running', `${g.name} is ${status.state}: offline injection mounts its boot disk, so shut the guest down first (or use --media)`, g.name)
    return {mode: 'offline', detail: a.integration.offlinePackages.join('\n')}
  }
  const seed = (): InjectStep => {
    // The planned media path (src/resolve/firstboot/record.ts names it), not a second spelling of it.
    if (!g.firstBoot) return fail('firstboot-missing', `${g.name}'s template has no firstBoot: there are no first-boot files to write`, g.name)
    return {mode: 'seed', detail: g.firstBoot.media}
  }
  switch (mode) {
    case 'media':
      return [media()]
    case 'offline':
      return [offline()]
    case 'seed':
      return [seed()]
    case 'auto':
      if (g.os.family === 'windows') {
        if (off && !attempt('offline').rejected) return [offline()]
        const rejected = attempt('attach-media').rejected
        if (rejected) {
          return fail('ic-media-unavailable', `${rejected.message}; ${g.name} ${off ? 'has no offline package either' : 'is running, so no offline injection (shut it down for --offline)'}`, g.name)
        }
        return [media()]
      }
      {
        const steps = [...(g.integration.strategy === 'linux-lis' ? [media()] : []), ...(g.firstBoot ? [seed()] : [])]
        if (steps.length === 0) fail('firstboot-missing', `${g.name} has its Hyper-V drivers in the kernel and its template has no firstBoot: nothing to inject (add firstBoot to install the daemons)`, g.name)
        return steps
      }
  }
}
