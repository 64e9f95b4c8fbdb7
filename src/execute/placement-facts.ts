/**
 * What placement by free memory reads before planning (docs/placement.md): each target host's
 * free physical memory, from the `memory` round trip (Win32_OperatingSystem), all hosts at once.
 * The sessions stay open for the run that follows (create), so that no host is connected twice.
 */
import {isInputError} from '../model/diagnostic.js'
import {hasHyperVModule} from '../model/host-os.js'
import type {TargetHost} from '../model/target-host.js'
import type {HostMemory, HostMemoryFacts} from '../plan/placement.js'
import {placesByMemory, type PlanRequest, type PlanResult} from '../plan/build-plan.js'
import type {HostSession} from '../powershell/session.js'
import {answerData, isAnswerShapeError} from '../powershell/answers.js'

export interface HostMemoryReading {
  memory: HostMemoryFacts
  /** The sessions opened to ask, by host name: the caller uses or closes them. */
  sessions: Map<string, HostSession>
}

/**
 * Each host's free memory. A host hvguest cannot act on (no Hyper-V module by its OS) is not
 * asked. For `create` (`strict`), a connection problem (InputError: ssh refused, no pwsh) stops
 * the command with exit 2, as any command's would; for `plan`, `--dry-run` and `--emit`, which
 * change nothing, that host is left out of placement with why (a warning), so that a plan can be
 * made where some hosts cannot be reached. A host that answers without the fact is left out too.
 */
export async function readHostMemory(hosts: readonly TargetHost[], open: (h: TargetHost) => Promise<HostSession>, strict = true): Promise<HostMemoryReading> {
  const sessions = new Map<string, HostSession>()
  const memory: Record<string, HostMemory> = {}
  const settled = await Promise.allSettled(
    hosts.map(async (host) => {
      if (!hasHyperVModule(host.os)) {
        memory[host.name] = {error: notActedOn(host.os)}
        return
      }
      let session: HostSession
      try {
        session = await open(host)
      } catch (error) {
        if (strict && isInputError(error)) throw error
        memory[host.name] = {error: (error as Error).message}
        return
      }
      sessions.set(host.name, session)
      memory[host.name] = await askMemory(session)
    }),
  )
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected')
  if (failed) {
    await closeAll(sessions)
    throw failed.reason
  }
  return {memory, sessions}
}

/** Why a host of an OS without the Hyper-V module (2008, 2008 R2) is not asked its memory. */
export const notActedOn = (os: string): string => `${os} has no Hyper-V PowerShell module: hvguest plans for it but does not act on it`

/** One `memory` round trip: the host's free memory, or why it could not say. */
export async function askMemory(session: HostSession): Promise<HostMemory> {
  const r = await session.request({action: 'memory'})
  if (!r.ok) return {error: r.error?.message ?? 'the host did not say'}
  try {
    return {freeBytes: answerData('memory', r).freeBytes}
  } catch (error) {
    if (isAnswerShapeError(error)) return {error: error.message}
    throw error
  }
}

/** Closes the sessions (those of the hosts `which` picks, by default all) and forgets them. */
export async function closeAll(sessions: Map<string, HostSession>, which: (host: string) => boolean = () => true): Promise<void> {
  const closing = [...sessions].filter(([host]) => which(host))
  for (const [host] of closing) sessions.delete(host)
  await Promise.all(closing.map(([, s]) => s.close().catch(() => {})))
}

/**
 * The plan of a request, with placement by free memory when it applies: planned once to learn the
 * targets, the hosts asked, then planned again with their memory. The sessions opened to ask
 * are returned for the caller to use or close.
 */
export async function planWithPlacement(
  req: PlanRequest,
  plan: (req: PlanRequest) => PlanResult,
  open: (h: TargetHost) => Promise<HostSession>,
  strict = true,
  first: PlanResult = plan(req),
): Promise<{planned: PlanResult; sessions: Map<string, HostSession>}> {
  if (!placesByMemory(req, first)) return {planned: first, sessions: new Map()}
  const {memory, sessions} = await readHostMemory(first.targets.hosts, open, strict)
  try {
    return {planned: plan({...req, hostMemory: memory}), sessions}
  } catch (error) {
    await closeAll(sessions)
    throw error
  }
}

/**
 * `plan` and `create --dry-run`: the plan, placed by memory when that applies, every session
 * closed. `first` is the plan without placement when the caller has it already.
 */
export async function planPlaced(req: PlanRequest, plan: (req: PlanRequest) => PlanResult, open: (h: TargetHost) => Promise<HostSession>, first?: PlanResult): Promise<PlanResult> {
  const {planned, sessions} = await planWithPlacement(req, plan, open, false, first)
  await closeAll(sessions)
  return planned
}
