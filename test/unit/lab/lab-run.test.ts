/**
 * openPlannedLab (src/lab/lab-run.ts) with fake sessions: when a lab places guests by memory,
 * every host that can have guests is read (facts, then memory) before the lab is planned with
 * both; every session is closed when opening one host fails, also one that opened after; a guest
 * written for a host without the Hyper-V module still has that host opened (and refused), as
 * without placement; lab plan (planLabPlaced) closes every session and turns a host that cannot
 * be read into an error of the plan.
 */
import {describe, expect, it} from 'vitest'
import {InputError} from '../../../src/model/diagnostic.js'
import {GB} from '../../../src/model/sizes.js'
import type {TargetHost} from '../../../src/model/target-host.js'
import {openPlannedLab, planLabPlaced, type LabDeps} from '../../../src/lab/lab-run.js'
import {planLab} from '../../../src/lab/plan-lab.js'
import type {HostSession} from '../../../src/powershell/session.js'
import {factsAnswer} from '../../helpers/facts-answer.js'
import {labFixture} from '../../helpers/lab-fixture.js'

const HOSTS = [
  {name: 'hv1', os: 'windows-server-2022'},
  {name: 'hv2', os: 'windows-server-2022'},
  {name: 'old', os: 'windows-server-2008r2'},
]

/** A lab project on HOSTS (guests of 4GB), and the request that plans it. */
function labProject(guests: unknown[]) {
  const {cwd} = labFixture({project: {inventory: {hosts: HOSTS}, spec: {memory: {startup: '4GB'}}}, lab: {guests}})
  return {file: 'lab.yaml', cwd, inventory: 'hosts.yaml'}
}

interface Host {
  freeGB?: number
  /** The guests the lab's record on this host lists. */
  made?: string[]
  /** open() fails with this, after `delayMs`. */
  refuse?: Error
  delayMs?: number
  /** facts fails. */
  noFacts?: boolean
}

/** LabDeps whose sessions answer facts and memory as `hosts` says, writing what happens to `log`. */
function fakeDeps(hosts: Record<string, Host>, log: string[]): LabDeps {
  const open = async (target: TargetHost): Promise<HostSession> => {
    const h = hosts[target.name] ?? {}
    log.push(`${target.name} open`)
    await new Promise((r) => setTimeout(r, h.delayMs ?? 0))
    if (h.refuse) throw h.refuse
    const session = {
      host: target.name,
      transport: 'emulator',
      stats: {processesStarted: 1, requests: 0},
      async request(req: {action: string}) {
        log.push(`${target.name} ${req.action}`)
        if (req.action === 'facts') {
          if (h.noFacts) return {hvguest: 1, type: 'result', ok: false, action: 'facts', error: {step: 'facts', cmdlet: 'Get-VMSwitch', message: 'access denied'}}
          const record = {apiVersion: 'hvguest/v1', kind: 'LabRecord', lab: 'lab1', guests: (h.made ?? []).map((name) => ({name, id: null, macAddresses: [], shape: {}}))}
          return {hvguest: 1, type: 'result', ok: true, action: 'facts', data: factsAnswer({labRecords: h.made ? [{name: 'lab1', record}] : []})}
        }
        return {hvguest: 1, type: 'result', ok: true, action: 'memory', data: {freeBytes: (h.freeGB ?? 0) * GB, totalBytes: 64 * GB, capacityBytes: 64 * GB}}
      },
      async close() {
        log.push(`${target.name} closed`)
      },
    }
    return session as unknown as HostSession
  }
  return {plan: (req) => planLab(req), open}
}

const hostsOf = (r: Awaited<ReturnType<typeof openPlannedLab>>) => Object.fromEntries(r.planned.labPlan.guests.map((g) => [g.name, g.host]))

describe('openPlannedLab', () => {
  it('reads every host that can have guests (facts, then memory), then plans with both: a made guest stays, the others go by memory', async () => {
    const log: string[] = []
    const req = labProject([{name: 'a', template: 't1'}, {name: 'b', template: 't1'}])
    const r = await openPlannedLab(req, fakeDeps({hv1: {freeGB: 32}, hv2: {freeGB: 8, made: ['a']}}, log), () => {})
    expect(r.lab.problems).toEqual([])
    expect(hostsOf(r)).toEqual({a: 'hv2', b: 'hv1'})
    // old (2008 R2, no Hyper-V module) has no guest and is never opened
    expect(log.filter((l) => l.startsWith('hv1'))).toEqual(['hv1 open', 'hv1 facts', 'hv1 memory'])
    expect(log.some((l) => l.startsWith('old'))).toBe(false)
    expect(r.lab.hosts.map((h) => h.target.name)).toEqual(['hv1', 'hv2'])
    await r.lab.close()
    expect(log.filter((l) => l.endsWith('closed')).sort()).toEqual(['hv1 closed', 'hv2 closed'])
  })

  it('a host that cannot be opened: the error stops it, and every session is closed, also one that opened after', async () => {
    const log: string[] = []
    const req = labProject([{name: 'a', template: 't1'}])
    const deps = fakeDeps({hv1: {refuse: new InputError('ssh: connection refused')}, hv2: {freeGB: 8, delayMs: 30}}, log)
    await expect(openPlannedLab(req, deps, () => {})).rejects.toThrow('ssh: connection refused')
    expect(log).toContain('hv2 closed')
  })

  it('a host whose facts cannot be read is a problem, with the plan made without placement and its sessions kept for the caller to close', async () => {
    const log: string[] = []
    const req = labProject([{name: 'a', template: 't1'}])
    const r = await openPlannedLab(req, fakeDeps({hv1: {freeGB: 8}, hv2: {noFacts: true}}, log), () => {})
    expect(r.lab.problems.map((d) => [d.code, d.host])).toEqual([['host-unreachable', 'hv2']])
    expect(r.planned.placesByMemory).toBe(true)
    expect(log.some((l) => l.endsWith('memory'))).toBe(false)
    await r.lab.close()
    expect(log.filter((l) => l.endsWith('closed')).sort()).toEqual(['hv1 closed', 'hv2 closed'])
  })

  it('a guest written for a host without the Hyper-V module: that host is opened after placement, and refused as without it', async () => {
    const log: string[] = []
    const req = labProject([{name: 'a', template: 't1', host: 'old'}, {name: 'b', template: 't1'}])
    const refusal = new InputError('host old: windows-server-2008r2 has no Hyper-V PowerShell module [hyperv-module-missing]')
    const deps = fakeDeps({hv1: {freeGB: 8}, hv2: {freeGB: 16}, old: {refuse: refusal}}, log)
    await expect(openPlannedLab(req, deps, () => {})).rejects.toBe(refusal)
    // opened last (after hv1 and hv2 were read), and never asked its memory
    expect(log.indexOf('old open')).toBeGreaterThan(log.indexOf('hv2 memory'))
    expect(log.filter((l) => l.endsWith('closed')).sort()).toEqual(['hv1 closed', 'hv2 closed'])
  })
})

describe('planLabPlaced (lab plan)', () => {
  it('closes every session; a host that cannot be read is an error of the plan (exit 2)', async () => {
    const log: string[] = []
    const req = labProject([{name: 'a', template: 't1'}])
    const placed = await planLabPlaced(req, fakeDeps({hv1: {freeGB: 8}, hv2: {freeGB: 16}}, log))
    expect(placed.labPlan.guests.map((g) => g.host)).toEqual(['hv2'])
    expect(placed.labPlan.plan.summary.errors).toBe(0)
    const failing = await planLabPlaced(req, fakeDeps({hv1: {freeGB: 8}, hv2: {noFacts: true}}, log))
    expect(failing.labPlan.plan.diagnostics.map((d) => [d.code, d.severity, d.host])).toContainEqual(['host-unreachable', 'error', 'hv2'])
    expect(failing.labPlan.plan.summary.errors).toBe(1)
    expect(log.filter((l) => l.endsWith('closed'))).toHaveLength(4)
  })
})
