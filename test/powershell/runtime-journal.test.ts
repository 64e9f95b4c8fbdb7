/**
 * The journal, the lock and the manifests (docs/execution.md section 4) against the emulated
 * host: a run whose process ended mid-way is finished by `recover`; two runs never hold the
 * host at once (the second waits, then fails naming the holder); `destroy` removes only what a
 * manifest lists and refuses a VM without one.
 */
import {createHash} from 'node:crypto'
import {existsSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {copyHost, type EmuHost, newHost, openLiveSession, runSession, runShared, openShared} from '../fixtures/runtime/harness.js'
import {clone, RICH_HOST, richGen1Plan, UBUNTU_PARENT} from '../fixtures/runtime/plans.js'
import {readJournal, writeJournal} from '../helpers/journal-file.js'

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')
const VMROOT = 'C:\\Hyper-V'

describe('recover', () => {
  /**
   * A host where a run's process ended after create-guest (no commit, no rollback: a killed CLI),
   * with the host's state before that run: made once (a session's begin and create-guest are most
   * of what each of these tests costs), copied per test, each of which then damages or recovers
   * its own copy.
   */
  let killedRun: {host: EmuHost; before: unknown; parent: string} | null = null
  function afterKilledRun(): {host: EmuHost; before: unknown; parent: string; plan: any} {
    if (!killedRun) {
      const host = newHost(RICH_HOST)
      const before = host.state()
      const parent = sha(host.local(UBUNTU_PARENT))
      const plan = richGen1Plan()
      const killed = runSession(host, [
        {action: 'begin', runId: 'run-killed', host: plan.hosts[0], vmRoot: VMROOT, lockTimeoutSeconds: 5},
        {action: 'create-guest', runId: 'run-killed', guest: plan.guests[0], replace: false},
      ])
      expect(killed.answers.map((a) => a.ok)).toEqual([true, true])
      killedRun = {host, before, parent}
    }
    return {host: copyHost(killedRun.host), before: killedRun.before, parent: killedRun.parent, plan: richGen1Plan()}
  }

  it('finishes undoing a run whose process ended mid-way, and removes its stale lock', async () => {
    const {host, before, parent, plan} = afterKilledRun()
    expect(existsSync(host.local(`${VMROOT}\\.hvguest\\journal\\run-killed.jsonl`))).toBe(true)
    expect(existsSync(host.local(`${VMROOT}\\.hvguest\\lock`))).toBe(true)

    // Later runs of the CLI (one process, after the killed one: the file's shared session).
    const next = await openShared(host)
    try {
      // Another run cannot begin: the lock is held by a process that is gone, and it says so.
      const blocked = await next.send([{action: 'begin', runId: 'run-next', host: plan.hosts[0], vmRoot: VMROOT, lockTimeoutSeconds: 1}])
      expect(blocked.answers[0].ok).toBe(false)
      expect(blocked.answers[0].error).toMatchObject({step: 'lock', category: 'ResourceBusy'})
      expect(blocked.answers[0].error!.message).toMatch(/locked by run run-killed \(pid \d+/)
      expect(blocked.answers[0].error!.message).toMatch(/process is gone.*hvguest recover/)

      const rec = await next.send([{action: 'recover', vmRoot: VMROOT}])
      const r = rec.answers[0]
      expect(r.ok, JSON.stringify(r.error)).toBe(true)
      expect(r.data.runs.map((x: any) => x.runId)).toEqual(['run-killed'])
      expect(r.data.runs[0].errors).toEqual([])
      expect(r.data.runs[0].undone.map((u: any) => u.action)).toEqual(expect.arrayContaining(['remove-vm', 'remove-file', 'remove-dir', 'restore-adapter-property']))
      expect(r.progress.map((p) => p.step)).toContain('undo-remove-vm')
      expect(host.state()).toEqual(before)
      expect(sha(host.local(UBUNTU_PARENT))).toBe(parent)
      expect(existsSync(host.local(`${VMROOT}\\web1`))).toBe(false)
      expect(existsSync(host.local(`${VMROOT}\\.hvguest\\journal\\run-killed.jsonl`))).toBe(false)
      expect(existsSync(host.local(`${VMROOT}\\.hvguest\\lock`))).toBe(false)

      // Nothing left: recover again is a no-op, and a new run begins.
      const again = await next.send([
        {action: 'recover', vmRoot: VMROOT},
        {action: 'begin', runId: 'run-next', host: plan.hosts[0], vmRoot: VMROOT, lockTimeoutSeconds: 1},
        {action: 'rollback', runId: 'run-next'},
      ])
      expect(again.answers.map((a) => a.ok)).toEqual([true, true, true])
      expect(again.answers[0].data).toMatchObject({runs: [], lock: {present: false, removed: false}})
      expect([...blocked.stray, ...rec.stray, ...again.stray]).toEqual([])
    } finally {
      await next.close()
    }
  }, 180_000)

  it('recovers a journal whose step was still pending (New-VM started, never reported back)', async () => {
    const {host, before} = afterKilledRun()
    // Make the journal look like the process died inside New-VM: that entry and all after it pending.
    const file = host.local(`${VMROOT}\\.hvguest\\journal\\run-killed.jsonl`)
    const journal = readJournal(file)
    const i = journal.entries.findIndex((e: any) => e.step === 'new-vm')
    journal.entries = journal.entries.slice(0, i + 1)
    journal.entries[i].done = false
    journal.entries[i].undo.vmId = null
    writeJournal(file, journal)
    const rec = await runShared(host, [{action: 'recover', vmRoot: VMROOT}])
    expect(rec.answers[0].ok, JSON.stringify(rec.answers[0].error)).toBe(true)
    expect(host.state()).toEqual(before)
  }, 180_000)

  it('recovers a journal whose last append was torn (killed mid-write): the torn line is not part of it', async () => {
    const {host, before} = afterKilledRun()
    const file = host.local(`${VMROOT}\\.hvguest\\journal\\run-killed.jsonl`)
    // Half of one more record, with no newline: what a process killed inside an append leaves.
    writeFileSync(file, readFileSync(file, 'utf8') + '{"entry":{"seq":999,"step":"new-vhd","undo":{"action":"remove-fi')
    const rec = await runShared(host, [{action: 'recover', vmRoot: VMROOT}])
    expect(rec.answers[0].ok, JSON.stringify(rec.answers[0].error)).toBe(true)
    expect(rec.answers[0].data.runs.map((x: any) => [x.runId, x.errors])).toEqual([['run-killed', []]])
    expect(host.state()).toEqual(before)
    expect(existsSync(file)).toBe(false)
  }, 180_000)

  it('refuses a journal damaged before its last line, and leaves it for a person to read', async () => {
    const {host} = afterKilledRun()
    const file = host.local(`${VMROOT}\\.hvguest\\journal\\run-killed.jsonl`)
    const lines = readFileSync(file, 'utf8').split('\n')
    lines.splice(1, 0, '{"entry": not json')
    writeFileSync(file, lines.join('\n'))
    const rec = await runShared(host, [{action: 'recover', vmRoot: VMROOT}])
    expect(rec.answers[0].data.errors.join('\n')).toMatch(/run-killed\.jsonl cannot be read: the journal .* is damaged at line 2/)
    expect(existsSync(file)).toBe(true)
  }, 180_000)

  it('recovers a run journaled by an earlier hvguest (<runId>.json, one document), and converts nothing it does not need', async () => {
    const {host, before} = afterKilledRun()
    // The same run as the earlier format wrote it: {runId, ..., entries: [...]} in <runId>.json.
    const file = host.local(`${VMROOT}\\.hvguest\\journal\\run-killed.jsonl`)
    const legacy = host.local(`${VMROOT}\\.hvguest\\journal\\run-killed.json`)
    writeFileSync(legacy, JSON.stringify(readJournal(file)))
    rmSync(file)
    const rec = await runShared(host, [{action: 'recover', vmRoot: VMROOT}])
    expect(rec.answers[0].ok, JSON.stringify(rec.answers[0].error)).toBe(true)
    expect(rec.answers[0].data.runs.map((x: any) => [x.runId, x.outcome, x.errors])).toEqual([['run-killed', 'rolled-back', []]])
    expect(host.state()).toEqual(before)
    expect(existsSync(legacy)).toBe(false)
    expect(existsSync(file)).toBe(false)
  }, 180_000)
})

describe('recover and a live run', () => {
  it('leaves a run whose process is alive alone (and its lock), unless forced', async () => {
    const host = newHost(RICH_HOST)
    const plan = richGen1Plan()
    const lock = host.local(`${VMROOT}\\.hvguest\\lock`)
    // The run's process, and another one (recover from a second CLI) on the same host, both alive.
    const [live, other] = await Promise.all([openLiveSession(host), openLiveSession(host)])
    try {
      // The signal that the run holds the host: its begin has answered.
      const begun = await live.send([{action: 'begin', runId: 'run-live', host: plan.hosts[0], vmRoot: VMROOT, lockTimeoutSeconds: 5}])
      expect(existsSync(lock)).toBe(true)
      const rec = await other.send([{action: 'recover', vmRoot: VMROOT}])
      expect(rec.answers[0].ok).toBe(true)
      expect(rec.answers[0].data.runs).toEqual([])
      expect(rec.answers[0].data.skipped).toEqual([{runId: 'run-live', reason: expect.stringMatching(/still in progress \(process \d+ is alive\)/)}])
      expect(rec.answers[0].data.lock).toMatchObject({present: true, removed: false, holder: {runId: 'run-live'}})
      const done = await live.send([{action: 'commit', runId: 'run-live'}])
      expect([...begun.answers, ...done.answers].map((a) => a.ok)).toEqual([true, true])
      expect(existsSync(lock)).toBe(false)

      // Forced, recover undoes a run although its process is alive; the undone run's lock goes with it.
      const forcedRun = await live.send([{action: 'begin', runId: 'run-forced', host: plan.hosts[0], vmRoot: VMROOT, lockTimeoutSeconds: 5}])
      expect(forcedRun.answers[0].ok, JSON.stringify(forcedRun.answers[0].error)).toBe(true)
      expect(existsSync(lock)).toBe(true)
      const forced = await other.send([{action: 'recover', vmRoot: VMROOT, force: true}])
      expect(forced.answers[0].ok, JSON.stringify(forced.answers[0].error)).toBe(true)
      expect(forced.answers[0].data.runs.map((x: any) => [x.runId, x.outcome])).toEqual([['run-forced', 'rolled-back']])
      expect(forced.answers[0].data.skipped).toEqual([])
      expect(forced.answers[0].data.lock).toMatchObject({present: false, removed: false})
      expect(existsSync(lock)).toBe(false)
      expect(existsSync(host.local(`${VMROOT}\\.hvguest\\journal\\run-forced.jsonl`))).toBe(false)
    } finally {
      await Promise.all([live.close(), other.close()])
    }
  }, 120_000)
})

describe('the host lock', () => {
  it('a second begin waits for the lock, then fails naming the live holder; a patient one gets it after commit', async () => {
    const host = newHost(RICH_HOST)
    const plan = richGen1Plan()
    const lock = host.local(`${VMROOT}\\.hvguest\\lock`)
    const [a, b, c] = await Promise.all([openLiveSession(host), openLiveSession(host), openLiveSession(host)])
    try {
      const aBegin = await a.send([{action: 'begin', runId: 'run-a', host: plan.hosts[0], vmRoot: VMROOT, lockTimeoutSeconds: 5}])
      expect(existsSync(lock)).toBe(true)
      // The patient run starts waiting: its begin reports the lock step, then waits for the lock.
      let patientWaiting!: () => void
      const waiting = new Promise<void>((resolve) => (patientWaiting = resolve))
      let patientAnswered = false
      const patientBegin = c
        .send([{action: 'begin', runId: 'run-c', host: plan.hosts[0], vmRoot: VMROOT, lockTimeoutSeconds: 60}], {onProgress: (p) => p.step === 'lock' && patientWaiting()})
        .then((r) => {
          patientAnswered = true
          return r
        })
      const impatient = await b.send([{action: 'begin', runId: 'run-b', host: plan.hosts[0], vmRoot: VMROOT, lockTimeoutSeconds: 2}])
      await waiting
      // run-a still holds the lock: the patient run cannot have it yet.
      expect(patientAnswered).toBe(false)
      const aCommit = await a.send([{action: 'commit', runId: 'run-a'}])
      const patientHadItBeforeCommit = patientAnswered
      const cBegin = await patientBegin
      const cCommit = await c.send([{action: 'commit', runId: 'run-c'}])
      expect([...aBegin.answers, ...aCommit.answers].map((x) => x.ok)).toEqual([true, true])
      const bAnswer = impatient.answers[0]
      expect(bAnswer.ok).toBe(false)
      expect(bAnswer.error).toMatchObject({step: 'lock', category: 'ResourceBusy'})
      expect(bAnswer.error!.message).toMatch(/locked by run run-a \(pid \d+, since .+\); waited 2 s/)
      expect(bAnswer.error!.message).not.toMatch(/process is gone/)
      expect([...cBegin.answers, ...cCommit.answers].map((x) => x.ok)).toEqual([true, true])
      // It waited for run-a's commit: it was waiting before the commit and had no answer until after it.
      expect(patientHadItBeforeCommit).toBe(false)
      expect(existsSync(lock)).toBe(false)
    } finally {
      await Promise.all([a.close(), b.close(), c.close()])
    }
  }, 180_000)

  it('create-guest refuses a run that does not hold the lock', async () => {
    const host = newHost(RICH_HOST)
    const plan = richGen1Plan()
    const run = await runShared(host, [
      {action: 'begin', runId: 'run-x', host: plan.hosts[0], vmRoot: VMROOT, lockTimeoutSeconds: 5},
      {action: 'commit', runId: 'run-x'},
      {action: 'create-guest', runId: 'run-x', guest: plan.guests[0], replace: false},
    ])
    expect(run.answers.map((x) => x.ok)).toEqual([true, true, false])
    expect(run.answers[2].error).toMatchObject({step: 'journal', category: 'ObjectNotFound'})
    expect(host.state().vms).toEqual([])
  }, 120_000)
})

describe('destroy', () => {
  /** Two guests made by one run (web1, web2) and a VM hvguest did not make (foreign): made once, copied per test. */
  let made: {host: EmuHost; plan: any; web1: any; web2: any} | null = null
  async function created() {
    if (!made) {
      const host = newHost(RICH_HOST)
      const plan = richGen1Plan({start: false})
      const second = clone(plan.guests[0])
      second.name = 'web2'
      second.path = `${VMROOT}\\web2`
      second.drives = second.drives.filter((d: any) => d.diskNumber === null).map((d: any) => (d.path && d.create ? {...d, path: d.path.replace('\\web1\\', '\\web2\\')} : d))
      second.networkAdapters[0].macAddress = '00-15-5D-0A-0B-0D'
      plan.guests.push(second)
      const run = await runShared(host, [
        {action: 'begin', runId: 'run-d', host: plan.hosts[0], vmRoot: VMROOT, lockTimeoutSeconds: 5},
        {action: 'create-guest', runId: 'run-d', guest: plan.guests[0], replace: false},
        {action: 'create-guest', runId: 'run-d', guest: second, replace: false},
        {action: 'commit', runId: 'run-d'},
        // A VM hvguest did not create (no manifest), made with the host's own cmdlet.
        {raw: "New-VM -Name 'foreign' -Generation 1 -NoVHD -MemoryStartupBytes 1GB | Out-Null"},
      ])
      expect(run.answers.map((x) => x.ok)).toEqual([true, true, true, true])
      made = {host, plan, web1: plan.guests[0], web2: second}
    }
    // Each test gets a host of its own, as the run left it.
    return {host: copyHost(made.host), plan: clone(made.plan), web1: clone(made.web1), web2: clone(made.web2)}
  }

  it('refuses a VM without a manifest, and then destroys nothing at all', async () => {
    const {host} = await created()
    const before = host.state()
    const r = await runShared(host, [
      {action: 'destroy', names: ['foreign'], keepDisks: false, vmRoot: VMROOT},
      {action: 'destroy', names: ['web1', 'foreign', 'nosuch'], keepDisks: false, vmRoot: VMROOT},
    ])
    const [only, mixed] = r.answers
    expect(only.ok).toBe(false)
    expect(only.error).toMatchObject({step: 'find-vm', category: 'PermissionDenied'})
    expect(only.error!.message).toMatch(/'foreign' .* has no hvguest manifest/)
    expect(mixed.ok).toBe(false)
    expect(mixed.data.refused.map((x: any) => [x.name, x.reason])).toEqual([
      ['foreign', 'no-manifest'],
      ['nosuch', 'not-found'],
    ])
    expect(host.state()).toEqual(before)
  }, 180_000)

  it('removes the VM and the files its manifest lists, and never a file it does not list', async () => {
    const {host, web1, web2} = await created()
    const parent = sha(host.local(UBUNTU_PARENT))
    const iso = sha(host.local('C:\\Hyper-V\\ISO\\tools.iso'))
    // A file someone else put in the guest's folder.
    const stranger = host.local(`${VMROOT}\\web1\\notes.txt`)
    writeFileSync(stranger, 'not hvguest')
    const r = await runShared(host, [
      {action: 'destroy', names: ['web1'], keepDisks: false, vmRoot: VMROOT},
      {action: 'destroy', names: ['WEB2'], keepDisks: true, vmRoot: VMROOT},
      {action: 'list', vmRoot: VMROOT},
    ])
    const [d1, d2, list] = r.answers
    expect(d1.ok, JSON.stringify(d1.error)).toBe(true)
    expect(d1.data.guests[0].deleted.sort()).toEqual(web1.drives.filter((d: any) => d.create).map((d: any) => d.path).sort())
    for (const d of web1.drives.filter((x: any) => x.create)) expect(existsSync(host.local(d.path)), d.path).toBe(false)
    expect(existsSync(stranger)).toBe(true)
    expect(sha(host.local(UBUNTU_PARENT))).toBe(parent)
    expect(sha(host.local('C:\\Hyper-V\\ISO\\tools.iso'))).toBe(iso)
    // keepDisks: the VM goes, its disks stay.
    expect(d2.ok, JSON.stringify(d2.error)).toBe(true)
    expect(d2.data.guests[0].kept.sort()).toEqual(web2.drives.filter((d: any) => d.create).map((d: any) => d.path).sort())
    for (const d of web2.drives.filter((x: any) => x.create)) expect(existsSync(host.local(d.path)), d.path).toBe(true)
    expect(list.data.guests.map((g: any) => [g.name, g.managed])).toEqual([['foreign', false]])
    expect(host.state().vms.map((v: any) => v.name)).toEqual(['foreign'])
    // The pass-through disk web1 used is back to the host, untouched.
    expect(host.state().disks.find((d: any) => d.number === 1)).toMatchObject({isOffline: true})
  }, 180_000)

  it('replace: an existing guest is removed (with the files its manifest lists) and made again', async () => {
    const {host, plan, web1} = await created()
    const r = await runShared(host, [
      {action: 'preflight', plan: {...plan, guests: [web1]}, replace: false},
      {action: 'preflight', plan: {...plan, guests: [web1]}, replace: true},
      {action: 'begin', runId: 'run-r', host: plan.hosts[0], vmRoot: VMROOT, lockTimeoutSeconds: 5},
      {action: 'create-guest', runId: 'run-r', guest: web1, replace: false},
      {action: 'create-guest', runId: 'run-r', guest: web1, replace: true},
      {action: 'commit', runId: 'run-r'},
    ])
    const [pfNo, pfYes, begin, noReplace, replaced, commit] = r.answers
    expect(pfNo.data.problems.map((p: any) => p.code)).toEqual(expect.arrayContaining(['vm-exists', 'target-exists']))
    expect(pfYes.data.problems).toEqual([])
    expect(begin.ok).toBe(true)
    expect(noReplace.ok).toBe(false)
    expect(noReplace.error).toMatchObject({step: 'check-name', category: 'ResourceExists'})
    expect(replaced.ok, JSON.stringify(replaced.error)).toBe(true)
    expect(commit.ok).toBe(true)
    const vms = host.state().vms.filter((v: any) => v.name === 'web1')
    expect(vms).toHaveLength(1)
    expect(vms[0].id).toBe(replaced.data.vmId)
  }, 180_000)
})
