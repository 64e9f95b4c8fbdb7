/**
 * `lab status`: each network (exists, type, gateway, NAT) and guest (exists, state, addresses from
 * KVP, drift) of the lab on its hosts: the facts round trip, then one guest-status round trip on
 * the hosts where the lab has guests. Changes nothing.
 */
import type {Diagnostic} from '../model/diagnostic.js'
import type {LabPlan} from '../model/lab-plan.js'
import {askGuestStatus, analyzeGuest} from '../execute/guest-status.js'
import {converge} from './converge.js'
import {openPlannedLab, type LabDeps} from './lab-run.js'
import type {LabPlanRequest} from './plan-lab.js'

export interface LabStatusNetwork {
  host: string
  network: string
  switch: string
  type: string
  exists: boolean
  /** The lab made it (false: it existed, or the lab has not made it yet). */
  owned: boolean
  gateway: string | null
  gatewayPresent: boolean | null
  nat: string | null
  natPresent: boolean | null
  drift: string[]
}

export interface LabStatusGuest {
  host: string
  name: string
  exists: boolean
  owned: boolean
  state: string | null
  heartbeat: string | null
  ipv4: string[]
  planned: string[]
  drift: string[]
}

export interface LabStatusResult {
  status: 'ok' | 'invalid'
  lab: string
  networks: LabStatusNetwork[]
  guests: LabStatusGuest[]
  /** Up to date: every network and guest exists as planned, no drift. */
  converged: boolean
  problems: Diagnostic[]
  diagnostics: LabPlan['plan']['diagnostics']
}

const baseOf = (labPlan: LabPlan) => ({lab: labPlan.lab.name, networks: [], guests: [], converged: false, problems: [], diagnostics: labPlan.plan.diagnostics})

export async function labStatus(req: LabPlanRequest, deps: LabDeps): Promise<LabStatusResult> {
  const first = deps.plan(req)
  if (first.labPlan.plan.summary.errors > 0) return {...baseOf(first.labPlan), status: 'invalid'}
  // Placed as `lab up` would place it, so that the status is of the same hosts (lab-run.ts).
  const {planned, lab} = await openPlannedLab(req, deps, () => {}, first)
  const {labPlan} = planned
  const base = baseOf(labPlan)
  try {
    if (lab.problems.length > 0) return {...base, status: 'invalid', problems: lab.problems}
    if (labPlan.plan.summary.errors > 0) return {...base, status: 'invalid'}
    const diff = converge(
      labPlan,
      new Map(lab.hosts.map((h) => [h.target.name, h.facts])),
      new Map(lab.hosts.map((h) => [h.target.name, h.target.os])),
    )
    const networks: LabStatusNetwork[] = diff.hosts.flatMap((h) =>
      h.networks.map((n) => ({
        host: h.host,
        network: n.network.name,
        switch: n.network.switch,
        type: n.network.type,
        exists: n.found,
        owned: n.switch === 'owned',
        gateway: n.network.gateway ? `${n.network.gateway}/${n.network.prefixLength}` : null,
        gatewayPresent: n.address === 'none' ? null : n.address !== 'create',
        nat: n.natName ?? (n.network.nat ? n.network.natName : null),
        natPresent: n.network.nat ? n.nat !== 'create' && n.nat !== 'none' : null,
        drift: n.drift,
      })),
    )
    const guests: LabStatusGuest[] = []
    await Promise.all(
      diff.hosts.map(async (h) => {
        const session = lab.hosts.find((x) => x.target.name === h.host)!
        const present = h.guests.filter((g) => g.state !== null).map((g) => g.guest.name)
        const answer = present.length > 0 ? await askGuestStatus(session.session, present, session.target.vmRoot) : null
        for (const g of h.guests) {
          const s = answer?.guests.find((x) => x.name.toLowerCase() === g.guest.name.toLowerCase())
          const shown = s ? analyzeGuest(h.host, s) : null
          guests.push({
            host: h.host,
            name: g.guest.name,
            exists: g.state !== null,
            owned: g.state !== null && h.record?.guests.some((x) => x.name.toLowerCase() === g.guest.name.toLowerCase()) === true,
            state: shown?.state ?? g.state,
            heartbeat: shown?.heartbeat ?? null,
            ipv4: shown?.ipv4 ?? [],
            planned: g.guest.adapters.flatMap((a) => (a.address ? [a.address] : [])),
            drift: g.drift,
          })
        }
      }),
    )
    const order = new Map(labPlan.guests.map((g, i) => [`${g.host}/${g.name}`, i]))
    guests.sort((a, b) => order.get(`${a.host}/${a.name}`)! - order.get(`${b.host}/${b.name}`)!)
    const converged = diff.unchanged && diff.problems.length === 0 && guests.every((g) => g.exists && g.drift.length === 0) && networks.every((n) => n.drift.length === 0)
    return {...base, status: 'ok', networks, guests, converged, problems: diff.problems}
  } finally {
    await lab.close()
  }
}
