/**
 * What the lab commands share: the lab's plan and sessions, and each host's facts read in one
 * round trip before anything else (the convergence and every host check work from them).
 */
import type {Diagnostic} from '../model/diagnostic.js'
import {report} from '../model/codes.js'
import type {TargetHost} from '../model/target-host.js'
import type {HostSession} from '../powershell/session.js'
import {askFactsOn} from '../execute/host-facts.js'
import type {RunEvent} from '../execute/types.js'
import type {LabFacts} from './lab-facts.js'
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

/** The hosts the lab places guests on, each with a session and its facts (one round trip each). */
export async function openLabHosts(result: LabPlanResult, open: LabDeps['open'], emit: LabEmit): Promise<LabSessions> {
  const names = new Set([...result.labPlan.plan.hosts.map((h) => h.name), ...result.labPlan.networks.flatMap((n) => n.hosts)])
  const targets = result.targets.hosts.filter((h) => names.has(h.name))
  const sessions: HostSession[] = []
  const hosts: LabHost[] = []
  const problems: Diagnostic[] = []
  const close = async () => {
    await Promise.all(sessions.map((s) => s.close().catch(() => {})))
  }
  try {
    await Promise.all(
      targets.map(async (target) => {
        emit({type: 'host', host: target.name, message: `connecting (${target.transport})`})
        const session = await open(target)
        sessions.push(session)
        const asked = await askFactsOn(session, target)
        if (!asked.facts) problems.push(report('host-unreachable', `host ${target.name}: could not read its facts: ${asked.error}`, {host: target.name}))
        else hosts.push({target, session, facts: asked.facts})
      }),
    )
  } catch (error) {
    // Bad input (no pwsh, a broken emulator state file) and a lost session alike: no session stays open.
    await close()
    throw error
  }
  hosts.sort((a, b) => targets.indexOf(a.target) - targets.indexOf(b.target))
  return {hosts, problems, close}
}
