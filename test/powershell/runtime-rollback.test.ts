/**
 * Rollback: a fault injected at each mutating step in turn (HVGUEST_EMULATOR_FAIL=Cmdlet:N)
 * fails the request with that step and the cmdlet's own message, and `rollback` then returns the
 * emulated host to exactly what it was before (the state file, parsed, is equal; the files on
 * its drives are the same; the pre-existing parent VHD is byte-identical), host settings included.
 *
 * Every fault point runs in ONE pwsh session: before each, a new HVGUEST_EMULATOR_FAIL value
 * (which starts the emulator's call counts again, docs/emulator-state.md "Fault injection"); after
 * each, the host is put back from a snapshot taken before the first (Restore-HvEmulatorSnapshot,
 * "Snapshots"), and checked to be the fresh host again, folders included, so no point starts from
 * what an earlier one left.
 */
import {createHash} from 'node:crypto'
import {existsSync, mkdtempSync, readFileSync, readdirSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, relative} from 'node:path'
import {describe, expect, it} from 'vitest'
import {newHost, openShared, runSession, runShared, type BatchRun, type EmuHost} from '../fixtures/runtime/harness.js'
import {RICH_HOST, richGen1Plan, singleGuestPlan, UBUNTU_PARENT} from '../fixtures/runtime/plans.js'
import {readJournal} from '../helpers/journal-file.js'

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')
const psQuote = (s: string) => `'${s.replaceAll("'", "''")}'`

/** Every file under the host's folder (drives), with its hash: what "the same files" means. */
function files(host: EmuHost): Record<string, string> {
  const root = join(host.dir, 'drives')
  const out: Record<string, string> = {}
  const walk = (dir: string) => {
    for (const e of readdirSync(dir)) {
      const p = join(dir, e)
      if (statSync(p).isDirectory()) walk(p)
      else out[relative(root, p)] = sha(p)
    }
  }
  walk(root)
  return out
}

/** Every folder (empty ones too) under the host's drives: with files(), the whole host on disk. */
function folders(host: EmuHost): string[] {
  const root = join(host.dir, 'drives')
  const out: string[] = []
  const walk = (dir: string) => {
    for (const e of readdirSync(dir)) {
      const p = join(dir, e)
      if (statSync(p).isDirectory()) {
        out.push(relative(root, p))
        walk(p)
      }
    }
  }
  walk(root)
  return out.sort()
}

/** The emulated cmdlets that change something: the ones a fault is injected into. */
const MUTATING = /^(New|Set|Add|Remove|Enable|Disable|Start|Stop|Mount|Dismount)-/
const EMULATED_MODULE_CMDLET = (c: string) => MUTATING.test(c) && !['New-Item', 'Remove-Item', 'Set-Content'].includes(c)

/** (cmdlet, N) of every mutating emulated cmdlet call of begin + create-guest, in order. */
function mutatingCalls(run: BatchRun): Array<{cmdlet: string; n: number; step: string}> {
  const seen: Record<string, number> = {}
  const calls: Array<{cmdlet: string; n: number; step: string}> = []
  for (const a of run.answers.filter((x) => x.action === 'begin' || x.action === 'create-guest')) {
    for (const p of a.progress) {
      if (!p.cmdlet || !EMULATED_MODULE_CMDLET(p.cmdlet)) continue
      seen[p.cmdlet] = (seen[p.cmdlet] ?? 0) + 1
      calls.push({cmdlet: p.cmdlet, n: seen[p.cmdlet], step: p.step})
    }
  }
  return calls
}

describe('rollback after a fault at each mutating step', () => {
  it('returns the state, the files and the parent VHD to exactly what they were', async () => {
    const plan = richGen1Plan()
    const requests = (runId: string) => [
      {action: 'begin', runId, host: plan.hosts[0], vmRoot: 'C:\\Hyper-V', lockTimeoutSeconds: 10},
      {action: 'create-guest', runId, guest: plan.guests[0], replace: false},
      {action: 'rollback', runId},
    ]
    const host = newHost(RICH_HOST)
    const stateBefore = host.state()
    const filesBefore = files(host)
    const foldersBefore = folders(host)
    const parentBefore = sha(host.local(UBUNTU_PARENT))
    const snapshot = join(mkdtempSync(join(tmpdir(), 'hvg-snapshot-')), 'fresh')
    const session = await openShared(host)
    try {
      expect(session.bootstrap.ok, JSON.stringify(session.bootstrap.error)).toBe(true)
      const saved = await session.send([{raw: `Save-HvEmulatorSnapshot -Path ${psQuote(snapshot)}`}])
      expect(saved).toEqual({answers: [], stray: [], stderr: ''})
      expect(existsSync(join(snapshot, 'state.json'))).toBe(true)
      /** Puts the host back as it was before the first run, and checks that it is. */
      const restore = async (label: string) => {
        const r = await session.send([{raw: "$env:HVGUEST_EMULATOR_FAIL = ''"}, {raw: `Restore-HvEmulatorSnapshot -Path ${psQuote(snapshot)}`}])
        expect(r, `${label}: restore`).toEqual({answers: [], stray: [], stderr: ''})
        expect(host.state(), `${label}: restored state`).toEqual(stateBefore)
        expect(files(host), `${label}: restored files`).toEqual(filesBefore)
        expect(folders(host), `${label}: restored folders`).toEqual(foldersBefore)
      }

      // Discovery: the same run without a fault, to learn every mutating call.
      const clean = await session.send(requests('probe'))
      expect(clean.answers.map((a) => a.ok)).toEqual([true, true, true])
      const calls = mutatingCalls(clean)
      const cmdlets = new Set(calls.map((c) => c.cmdlet))
      for (const c of ['Set-NetAdapterAdvancedProperty', 'Enable-NetAdapterVmq', 'New-VHD', 'New-VM', 'Remove-VMNetworkAdapter', 'Remove-VMDvdDrive', 'Set-VMProcessor', 'Set-VMMemory', 'Add-VMScsiController', 'Add-VMHardDiskDrive', 'Add-VMDvdDrive', 'Add-VMNetworkAdapter', 'Set-VMNetworkAdapterVlan', 'Set-VMNetworkAdapter', 'Set-VMBios', 'Disable-VMIntegrationService', 'Set-VM', 'Start-VM']) {
        if (c === 'Enable-NetAdapterVmq') continue // VMQ is already on on the emulated NIC: skipped, and said so
        expect(cmdlets.has(c), c).toBe(true)
      }
      await restore('after the probe')

      let points = 0
      for (const call of calls) {
        const label = `${call.cmdlet}:${call.n} (${call.step})`
        expect(call.cmdlet, 'a cmdlet name, safe in a raw line').toMatch(/^[A-Za-z]+-[A-Za-z]+$/)
        // A new value: the emulator counts every cmdlet's calls from zero again (docs/emulator-state.md).
        const run = await session.send([{raw: `$env:HVGUEST_EMULATOR_FAIL = '${call.cmdlet}:${call.n}'`}, ...requests(`fault-${call.cmdlet}-${call.n}`.toLowerCase())])
        expect(run.stray, label).toEqual([])
        const failed = run.answers.find((a) => !a.ok && a.action !== 'rollback')
        expect(failed, `${label}: some request fails`).toBeDefined()
        expect(failed!.error, label).toMatchObject({step: call.step, cmdlet: call.cmdlet})
        // The cmdlet's own message, as the emulated cmdlet threw it.
        expect(failed!.error!.message, label).toContain(`call ${call.n} of ${call.cmdlet} failed`)
        const rollback = run.answers[run.answers.length - 1]
        expect(rollback.action).toBe('rollback')
        expect(rollback.ok, `${label}: ${JSON.stringify(rollback.error)}`).toBe(true)
        expect(rollback.data.errors, label).toEqual([])
        expect(host.state(), label).toEqual(stateBefore)
        expect(files(host), label).toEqual(filesBefore)
        expect(sha(host.local(UBUNTU_PARENT)), label).toBe(parentBefore)
        points++
        await restore(label)
      }
      expect(points).toBe(calls.length)
      expect(points).toBeGreaterThan(20)
    } finally {
      await session.close()
    }
  }, 900_000)

  it('restores host jumbo frames and chimney that begin changed (a plan that enables chimney, on a 2012 host)', () => {
    // Only a 2008 R2 plan enables chimney, but a 2008 R2 host has no Hyper-V module for the
    // runtime to drive (hyperv-module-missing, refused before any session): the plan's host
    // settings go to the oldest host that can run it, whose NetTCPIP module sets chimney too.
    const plan = singleGuestPlan('ws2008r2')
    const host = newHost({hostOs: 'windows-server-2012', parents: [{path: plan.guests[0].drives[0].create.parentPath}]})
    const before = host.state()
    const run = runSession(host, [
      {action: 'begin', runId: 'r-host', host: plan.hosts[0], vmRoot: 'C:\\Hyper-V', lockTimeoutSeconds: 10},
      {action: 'create-guest', runId: 'r-host', guest: plan.guests[0], replace: false},
    ])
    expect(run.answers.map((a) => a.ok)).toEqual([true, true])
    const settings = run.answers[0].data.hostSettings
    expect(settings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({setting: 'chimney', previous: 'Disabled', value: 'Enabled', action: 'set'}),
        expect.objectContaining({setting: 'jumbo', target: 'physical-nic', previous: '1514', value: '9014', action: 'set'}),
      ]),
    )
    expect(host.state().offload.chimney).toBe('Enabled')
    // The journal (left by a session that ended without commit) holds the previous values.
    const journal = readJournal(host.local('C:\\Hyper-V\\.hvguest\\journal\\r-host.jsonl'))
    expect(journal).toMatchObject({runId: 'r-host', pid: expect.any(Number)})
    const undos = journal.entries.map((e: any) => e.undo)
    expect(undos).toEqual(
      expect.arrayContaining([
        {action: 'restore-chimney', value: 'Disabled'},
        {action: 'restore-adapter-property', adapter: 'Ethernet 2', keyword: '*JumboPacket', value: '1514'},
        {action: 'restore-adapter-property', adapter: 'vEthernet (Lab)', keyword: '*JumboPacket', value: '1514'},
      ]),
    )
    expect(journal.entries.every((e: any) => e.done === true)).toBe(true)
    // A new session (the old one is gone) rolls it back by run id and vmRoot.
    const undo = runSession(host, [{action: 'rollback', runId: 'r-host', vmRoot: 'C:\\Hyper-V'}])
    expect(undo.answers[0].ok, JSON.stringify(undo.answers[0].error)).toBe(true)
    expect(host.state()).toEqual(before)
  }, 180_000)

  it('offline IC injection: a fault after the package was added rolls back to the state before (the serviced child disk is deleted)', () => {
    const plan = singleGuestPlan('ws2012r2-offline')
    const g = plan.guests[0]
    const parent = g.drives[0].create.parentPath
    const host = newHost({hostOs: 'windows-server-2012r2', files: [{path: parent, text: 'a Windows image'}, {path: g.integration.offlinePackages[0], text: 'cab'}]})
    const before = host.state()
    const filesBefore = files(host)
    const run = runSession(
      host,
      [
        {action: 'begin', runId: 'r-off', host: plan.hosts[0], vmRoot: 'C:\\Hyper-V', lockTimeoutSeconds: 5},
        {action: 'create-guest', runId: 'r-off', guest: g, replace: false},
        {action: 'rollback', runId: 'r-off'},
      ],
      {env: {HVGUEST_EMULATOR_FAIL: 'New-VM:1'}},
    )
    expect(run.answers.map((a) => [a.action, a.ok, a.error?.step ?? null])).toEqual([
      ['begin', true, null],
      ['create-guest', false, 'new-vm'],
      ['rollback', true, null],
    ])
    expect(files(host)).toEqual(filesBefore)
    // The package lives inside the child VHD (its header, as on a real host inside the disk), which
    // rollback deletes: the state is exactly what it was, windowsPackages included.
    expect(host.state()).toEqual(before)
  }, 120_000)

  it('a second rollback of the same run is a harmless no-op; settings already right are skipped', async () => {
    const plan = richGen1Plan()
    const host = newHost(RICH_HOST)
    const run = await runShared(host, [
      {action: 'begin', runId: 'r1', host: plan.hosts[0], vmRoot: 'C:\\Hyper-V', lockTimeoutSeconds: 10},
      {action: 'rollback', runId: 'r1'},
      {action: 'rollback', runId: 'r1'},
    ])
    expect(run.answers.map((a) => a.ok)).toEqual([true, true, true])
    const vmq = run.answers[0].data.hostSettings.find((s: any) => s.setting === 'vmq')
    expect(vmq).toMatchObject({action: 'skipped', reason: expect.stringMatching(/already/)})
    expect(run.answers[2].data.note).toMatch(/nothing to undo/)
  }, 120_000)
})
