/**
 * create --parallel on one host (docs/execution.md section 4, "Workers"): the run's lead session
 * begins (lock, journal, host settings); each other session (a worker) begins a journal of its
 * own, <runId>.w<k>.jsonl, under that lock, and creates its own guests at the same time. A worker
 * never takes the lock; whichever session ends the run's last journal releases it; recover
 * finishes a killed run's workers and its lead, and the host is as it was.
 */
import {existsSync, readdirSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {newHost, openLiveSession, openShared, runSession, type EmuHost, type LiveSession} from '../fixtures/runtime/harness.js'
import {RICH_HOST, richGen1Plan} from '../fixtures/runtime/plans.js'

const VMROOT = 'C:\\Hyper-V'

/** Two guests of one host: web1 as richGen1Plan makes it, web2 without its pass-through disk and static MAC (one per host). */
function twoGuestPlan(): any {
  const plan = richGen1Plan({name: 'web1'})
  const second = richGen1Plan({name: 'web2'}).guests[0]
  second.drives = second.drives.filter((d: any) => d.diskNumber === null)
  for (const a of second.networkAdapters) a.macAddress = null
  plan.guests.push(second)
  return plan
}

/** The lead begins run `runId`, then worker 2; each creates its guest (web1, web2) at the same time, and both answer ok. */
async function beginAndCreateBoth(lead: LiveSession, worker: LiveSession, runId: string, plan: any): Promise<void> {
  const began = await lead.send([{action: 'begin', runId, host: plan.hosts[0], vmRoot: VMROOT, lockTimeoutSeconds: 5}])
  const joined = await worker.send([{action: 'begin', runId, worker: 2, host: plan.hosts[0], vmRoot: VMROOT}])
  expect([began.answers[0].ok, joined.answers[0].ok], JSON.stringify([began.answers[0].error, joined.answers[0].error])).toEqual([true, true])
  const made = await Promise.all([
    lead.send([{action: 'create-guest', runId, guest: plan.guests[0], replace: false}]),
    worker.send([{action: 'create-guest', runId, worker: 2, guest: plan.guests[1], replace: false}]),
  ])
  expect(made.map((m) => m.answers[0].ok), JSON.stringify(made.map((m) => m.answers[0].error))).toEqual([true, true])
}

const journals = (host: EmuHost) => (existsSync(host.local(`${VMROOT}\\.hvguest\\journal`)) ? readdirSync(host.local(`${VMROOT}\\.hvguest\\journal`)).sort() : [])
const lockFile = (host: EmuHost) => host.local(`${VMROOT}\\.hvguest\\lock`)

describe('workers of a run (create --parallel)', () => {
  it('a worker begins only under its lead: before the lead has the lock it is refused, and leaves nothing; no run id looks like a worker journal', () => {
    const host = newHost(RICH_HOST)
    const before = host.state()
    const plan = twoGuestPlan()
    const r = runSession(host, [
      {action: 'begin', runId: 'run-w', worker: 2, host: plan.hosts[0], vmRoot: VMROOT},
      {action: 'begin', runId: 'run-w', worker: 1, host: plan.hosts[0], vmRoot: VMROOT},
      // No run is named like a worker's journal of another (<runId>.w<k>).
      {action: 'begin', runId: 'run-w.w2', host: plan.hosts[0], vmRoot: VMROOT},
    ])
    expect(r.answers[0].ok).toBe(false)
    expect(r.answers[0].error).toMatchObject({step: 'begin', category: 'ResourceUnavailable'})
    expect(r.answers[0].error!.message).toMatch(/worker 2 of run run-w cannot begin: the host lock is not the run's \(held by nobody\); the run's lead session begins first/)
    // Worker 1 would be the lead itself: a worker is 2..64.
    expect(r.answers[1].ok).toBe(false)
    expect(r.answers[1].error!.message).toMatch(/worker '1' is not valid: a whole number from 2 to 64/)
    expect(r.answers[2].ok).toBe(false)
    expect(r.answers[2].error!.message).toMatch(/runId 'run-w\.w2' is not valid: it must not end in \.w and digits/)
    expect(host.state()).toEqual(before)
    expect(journals(host)).toEqual([])
  })

  it('lead and worker create their guests at the same time and commit; the lock goes with the last journal (the lead, after the worker)', async () => {
    const host = newHost(RICH_HOST)
    const plan = twoGuestPlan()
    const [lead, worker] = await Promise.all([openLiveSession(host), openLiveSession(host)])
    try {
      const began = await lead.send([{action: 'begin', runId: 'run-p', host: plan.hosts[0], vmRoot: VMROOT, lockTimeoutSeconds: 5}])
      expect(began.answers[0].ok, JSON.stringify(began.answers[0].error)).toBe(true)
      const w = await worker.send([{action: 'begin', runId: 'run-p', worker: 2, host: plan.hosts[0], vmRoot: VMROOT}])
      expect(w.answers[0].ok, JSON.stringify(w.answers[0].error)).toBe(true)
      // The worker's begin sets nothing on the host: the lead's did.
      expect(w.answers[0].data).toMatchObject({runId: 'run-p', worker: 2, hostSettings: [], journal: `${VMROOT}\\.hvguest\\journal\\run-p.w2.jsonl`})
      expect(began.answers[0].data.hostSettings.length).toBeGreaterThan(0)
      expect(journals(host)).toEqual(['run-p.jsonl', 'run-p.w2.jsonl'])

      // Both at once, on one emulated host (its state file locked per cmdlet, as VMMS serializes).
      const [a, b] = await Promise.all([
        lead.send([{action: 'create-guest', runId: 'run-p', guest: plan.guests[0], replace: false}]),
        worker.send([{action: 'create-guest', runId: 'run-p', worker: 2, guest: plan.guests[1], replace: false}]),
      ])
      expect([a.answers[0].ok, b.answers[0].ok], JSON.stringify([a.answers[0].error, b.answers[0].error])).toEqual([true, true])
      expect(host.state().vms.map((v: any) => v.name).sort()).toEqual(['web1', 'web2'])

      // Prepare both, complete the worker: its journal goes, the lock stays the run's.
      const marks = await Promise.all([
        lead.send([{action: 'commit', prepare: true, runId: 'run-p', vmRoot: VMROOT}]),
        worker.send([{action: 'commit', prepare: true, runId: 'run-p', worker: 2, vmRoot: VMROOT}]),
      ])
      expect(marks.map((m) => m.answers[0].ok)).toEqual([true, true])
      const wc = await worker.send([{action: 'commit', runId: 'run-p', worker: 2, vmRoot: VMROOT}])
      expect(wc.answers[0].ok, JSON.stringify(wc.answers[0].error)).toBe(true)
      expect(wc.answers[0].data).toMatchObject({committed: true, lockReleased: false, guests: [expect.objectContaining({name: 'web2'})]})
      expect(existsSync(lockFile(host))).toBe(true)
      expect(journals(host)).toEqual(['run-p.jsonl'])
      const lc = await lead.send([{action: 'commit', runId: 'run-p', vmRoot: VMROOT}])
      expect(lc.answers[0].data).toMatchObject({committed: true, lockReleased: true, guests: [expect.objectContaining({name: 'web1'})]})
      expect(existsSync(lockFile(host))).toBe(false)
      expect(journals(host)).toEqual([])
      // Each guest has its manifest, written by the session that created it.
      const listed = await lead.send([{action: 'list', vmRoot: VMROOT}])
      expect(listed.answers[0].data.guests.map((g: any) => [g.name, g.managed])).toEqual([
        ['web1', true],
        ['web2', true],
      ])
    } finally {
      await Promise.all([lead.close(), worker.close()])
    }
  }, 120_000)

  it('rolled back in any order: the lock goes with the last journal of the run; the host is as it was', async () => {
    const host = newHost(RICH_HOST)
    const before = host.state()
    const plan = twoGuestPlan()
    const [lead, worker] = await Promise.all([openLiveSession(host), openLiveSession(host)])
    try {
      await beginAndCreateBoth(lead, worker, 'run-r', plan)
      // The lead first (Node rolls workers back first; a lost worker session may come later): its
      // guest and host settings are undone, and the lock stays while the worker's journal is there.
      const leadBack = await lead.send([{action: 'rollback', runId: 'run-r', vmRoot: VMROOT}])
      expect(leadBack.answers[0].ok, JSON.stringify(leadBack.answers[0].error)).toBe(true)
      expect(leadBack.answers[0].data).toMatchObject({errors: [], journalKept: false, lockReleased: false})
      expect(existsSync(lockFile(host))).toBe(true)
      expect(host.state().vms.map((v: any) => v.name)).toEqual(['web2'])
      // Another run cannot begin meanwhile: the lock is still this run's.
      const other = await lead.send([{action: 'begin', runId: 'run-other', host: plan.hosts[0], vmRoot: VMROOT, lockTimeoutSeconds: 0}])
      expect(other.answers[0].error).toMatchObject({step: 'lock', category: 'ResourceBusy'})
      // The worker's is the run's last journal: its rollback releases the lock.
      const workerBack = await worker.send([{action: 'rollback', runId: 'run-r', worker: 2, vmRoot: VMROOT}])
      expect(workerBack.answers[0].data).toMatchObject({errors: [], journalKept: false, lockReleased: true})
      expect(journals(host)).toEqual([])
      expect(existsSync(lockFile(host))).toBe(false)
      expect(host.state()).toEqual(before)
    } finally {
      await Promise.all([lead.close(), worker.close()])
    }
  }, 120_000)

  it('a killed run with workers: recover undoes each worker journal, then the lead, and the host is byte-identical', async () => {
    const host = newHost(RICH_HOST)
    const before = host.state()
    const plan = twoGuestPlan()
    const [lead, worker] = await Promise.all([openLiveSession(host), openLiveSession(host)])
    await beginAndCreateBoth(lead, worker, 'run-k', plan)
    // Both processes end without commit or rollback (a killed CLI ends its sessions).
    await Promise.all([lead.close(), worker.close()])
    expect(journals(host)).toEqual(['run-k.jsonl', 'run-k.w2.jsonl'])

    const next = await openShared(host)
    const rec = await next.send([{action: 'recover', vmRoot: VMROOT}])
    const r = rec.answers[0]
    expect(r.ok, JSON.stringify(r.error)).toBe(true)
    // The worker's journal first (its guest), then the lead's (its guest, the host settings, the lock).
    expect(r.data.runs.map((x: any) => [x.runId, x.outcome, x.errors])).toEqual([
      ['run-k', 'rolled-back', []],
      ['run-k', 'rolled-back', []],
    ])
    expect(r.data.runs[0].undone.map((u: any) => u.guest)).toContain('web2')
    expect(r.data.runs[0].undone.map((u: any) => u.guest)).not.toContain('web1')
    expect(r.data.runs[1].undone.map((u: any) => u.guest)).toContain('web1')
    expect(journals(host)).toEqual([])
    expect(existsSync(lockFile(host))).toBe(false)
    expect(host.state()).toEqual(before)
  }, 120_000)

  it("recover takes a run's journals together: a live worker keeps the whole run (and its lock) alone; once it is gone, all is undone", async () => {
    const host = newHost(RICH_HOST)
    const before = host.state()
    const plan = twoGuestPlan()
    const [lead, worker] = await Promise.all([openLiveSession(host), openLiveSession(host)])
    let workerOpen = true
    try {
      await beginAndCreateBoth(lead, worker, 'run-l', plan)
      // The lead's process ends (the lock names it); the worker's is still at work.
      await lead.close()
      const changed = host.state()
      const next = await openShared(host)
      const early = (await next.send([{action: 'recover', vmRoot: VMROOT}])).answers[0]
      expect(early.ok, JSON.stringify(early.error)).toBe(true)
      expect(early.data.runs).toEqual([])
      expect(early.data.skipped).toEqual([
        {runId: 'run-l', worker: 2, reason: expect.stringMatching(/still in progress \(process \d+ is alive\)/)},
        {runId: 'run-l', reason: expect.stringMatching(/still in progress \(process \d+ is alive\)/)},
      ])
      // Nothing undone under the live worker: its guest, the lead's guest, the host settings, the lock.
      expect(early.data.lock).toMatchObject({present: true, removed: false, holder: {runId: 'run-l'}})
      expect(host.state()).toEqual(changed)
      expect(journals(host)).toEqual(['run-l.jsonl', 'run-l.w2.jsonl'])

      await worker.close()
      workerOpen = false
      const late = (await next.send([{action: 'recover', vmRoot: VMROOT}])).answers[0]
      expect(late.ok, JSON.stringify(late.error)).toBe(true)
      expect(late.data.runs.map((x: any) => [x.runId, x.worker ?? null, x.outcome])).toEqual([
        ['run-l', 2, 'rolled-back'],
        ['run-l', null, 'rolled-back'],
      ])
      expect(journals(host)).toEqual([])
      expect(existsSync(lockFile(host))).toBe(false)
      expect(host.state()).toEqual(before)
    } finally {
      if (workerOpen) await worker.close()
    }
  }, 120_000)

  it('a run killed between the marks (the lead marked, a worker not) is rolled back whole, never half kept', async () => {
    const host = newHost(RICH_HOST)
    const before = host.state()
    const plan = twoGuestPlan()
    const [lead, worker] = await Promise.all([openLiveSession(host), openLiveSession(host)])
    await beginAndCreateBoth(lead, worker, 'run-m', plan)
    const mark = await lead.send([{action: 'commit', prepare: true, runId: 'run-m', vmRoot: VMROOT}])
    expect(mark.answers[0].data).toMatchObject({committing: true, committed: false})
    await Promise.all([lead.close(), worker.close()])

    const next = await openShared(host)
    const r = (await next.send([{action: 'recover', vmRoot: VMROOT}])).answers[0]
    expect(r.ok, JSON.stringify(r.error)).toBe(true)
    expect(r.data.runs.map((x: any) => [x.worker ?? null, x.outcome])).toEqual([
      [2, 'rolled-back'],
      [null, 'rolled-back'],
    ])
    expect(existsSync(lockFile(host))).toBe(false)
    expect(host.state()).toEqual(before)
  }, 120_000)
})
