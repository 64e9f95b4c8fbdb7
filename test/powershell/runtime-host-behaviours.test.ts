/**
 * Host behaviours the runtime does not assume away (docs/execution.md "Host behaviours the
 * runtime does not assume"), each on an emulated host that has it (docs/emulator-state.md):
 * - a mounted VHD that gets no drive letter (automatic mounting off): offline injection assigns
 *   one, and removes it again before the dismount, also when the injection fails;
 * - *JumboPacket and *VMQ changes restart the adapter unless -NoRestart: the runtime makes them
 *   with -NoRestart and restarts each changed adapter once (net apply, net restore, and the
 *   rollback of a begin), none that did not change, and says which;
 * - free space is the volume's that holds vmRoot (a mount point inside C:), not C:'s.
 * One host and one pwsh session for the file; the host goes back to a snapshot between cases.
 */
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {editState, newHost, openLiveSession, runSessionAsync, vhdHeader, type EmuHost, type LiveSession, type SessionRun} from '../fixtures/runtime/harness.js'
import {clone, singleGuestPlan} from '../fixtures/runtime/plans.js'

const psQuote = (s: string) => `'${s.replaceAll("'", "''")}'`
const GIB = 1024 ** 3
const MOUNT = 'C:\\ClusterStorage\\Volume1'
const MOUNT_FREE = 1 * GIB
const VMROOT = 'C:\\Hyper-V'

const plan = singleGuestPlan('ws2012r2-offline')
const guest = plan.guests[0]
const cab: string = guest.integration.offlinePackages[0]

/** A volume mounted at a folder of C: (a CSV), with 1 GiB free; C: has 400 GB (docs/emulator-state.md "Volumes at mount points"). */
function addMountPoint(s: any): void {
  s.disks.push({number: 3, friendlyName: 'Msft Virtual Disk', serialNumber: 'MP-0003', sizeBytes: 100 * GIB, partitionStyle: 'GPT', isOffline: false, isReadOnly: false, isBoot: false, isSystem: false, busType: 'SAS', vhdPath: null, partitions: [{partitionNumber: 1, driveLetter: '', accessPaths: [`${MOUNT}\\`], sizeBytes: 100 * GIB, type: 'Basic'}]})
  s.volumes.push({driveLetter: '', accessPaths: [`${MOUNT}\\`], diskNumber: 3, partitionNumber: 1, fileSystemLabel: '', fileSystem: 'CSVFS', sizeBytes: 100 * GIB, freeBytes: MOUNT_FREE})
}

let host: EmuHost
let session: LiveSession
let snapshot: string

/** The emulated host's adapter restarts so far (its event log beside the state file). */
function restarts(): Array<{adapter: string; cmdlet: string}> {
  const log = `${host.stateFile}.events.jsonl`
  if (!existsSync(log)) return []
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((e) => e.event === 'adapter-restart')
    .map((e) => ({adapter: e.adapter, cmdlet: e.cmdlet}))
}

/** The host as it was before the first case (its event log emptied too). */
async function restore(): Promise<void> {
  const r = await session.send([{raw: "$env:HVGUEST_EMULATOR_FAIL = ''"}, {raw: `Restore-HvEmulatorSnapshot -Path ${psQuote(snapshot)}`}])
  expect(r.stderr).toBe('')
  rmSync(`${host.stateFile}.events.jsonl`, {force: true})
}

const jumbo = (adapter: string) =>
  host.state().netAdapters.find((n: any) => n.name === adapter).advancedProperties.find((p: any) => p.registryKeyword === '*JumboPacket').registryValue
const vmq = (adapter: string) => host.state().netAdapters.find((n: any) => n.name === adapter).advancedProperties.find((p: any) => p.registryKeyword === '*VMQ').registryValue

/** The 2012 host's session, started beside the main one (it runs while the main cases do). */
let host2012Run: Promise<SessionRun>

beforeAll(async () => {
  const host2012 = newHost({hostOs: 'windows-server-2012'})
  editState(host2012, addMountPoint)
  host2012Run = runSessionAsync(host2012, [{action: 'facts', vmRoot: `${MOUNT}\\VMs`}, {action: 'facts', vmRoot: VMROOT}])
  host = newHost({hostOs: 'windows-server-2012r2', switches: ['Lab', 'Prod'], files: [{path: guest.drives[0].create.parentPath, text: 'a Windows image'}, {path: cab, text: 'cab'}]})
  editState(host, (s) => {
    addMountPoint(s)
    // Automatic mounting off (mountvol /N): a mounted VHD gets no drive letter.
    s.host.automount = false
    // Ethernet 2 (Lab) has VMQ off; Ethernet 3 (Prod) is already at 9014.
    s.netAdapters.find((n: any) => n.name === 'Ethernet 2').advancedProperties.find((p: any) => p.registryKeyword === '*VMQ').registryValue = '0'
    s.netAdapters.find((n: any) => n.name === 'Ethernet 3').advancedProperties.find((p: any) => p.registryKeyword === '*JumboPacket').registryValue = '9014'
  })
  session = await openLiveSession(host)
  expect(session.bootstrap.ok, JSON.stringify(session.bootstrap.error)).toBe(true)
  snapshot = join(mkdtempSync(join(tmpdir(), 'hvg-snapshot-')), 'fresh')
  const saved = await session.send([{raw: `New-Item -ItemType Directory -Path ${psQuote(`${MOUNT}\\VMs`)} | Out-Null`}, {raw: `Save-HvEmulatorSnapshot -Path ${psQuote(snapshot)}`}])
  expect(saved.stderr).toBe('')
}, 120_000)

afterAll(async () => {
  await session?.close()
})

describe('a mounted VHD without a drive letter (automount off)', () => {
  it('offline injection assigns a letter, services the image, and removes the letter before the dismount', async () => {
    await restore()
    const run = await session.send([
      {action: 'begin', runId: 'run-noletter', host: plan.hosts[0], vmRoot: VMROOT, lockTimeoutSeconds: 10},
      {action: 'create-guest', runId: 'run-noletter', guest, replace: false},
      {action: 'commit', runId: 'run-noletter'},
    ])
    expect(run.stray).toEqual([])
    expect(run.answers.map((a) => [a.action, a.ok, a.error?.message ?? null])).toEqual([
      ['begin', true, null],
      ['create-guest', true, null],
      ['commit', true, null],
    ])
    const steps = run.answers[1].progress.map((p) => p.step)
    const at = (s: string) => steps.indexOf(s)
    expect(at('mount-vhd')).toBeGreaterThanOrEqual(0)
    expect(at('assign-drive-letter')).toBeGreaterThan(at('mount-vhd'))
    expect(at('add-windows-package')).toBeGreaterThan(at('assign-drive-letter'))
    expect(at('remove-drive-letter')).toBeGreaterThan(at('add-windows-package'))
    expect(at('dismount-vhd')).toBeGreaterThan(at('remove-drive-letter'))
    const assigned = run.answers[1].progress.find((p) => p.step === 'add-windows-package')?.detail
    expect(assigned).toMatch(/-> [D-Z]:\\$/)
    expect(vhdHeader(host, guest.drives[0].path).packages).toEqual([{packagePath: cab}])
    expect(host.state().disks.filter((d: any) => d.vhdPath)).toEqual([])
  }, 120_000)

  it('removes the assigned letter and dismounts when Add-WindowsPackage fails', async () => {
    await restore()
    const run = await session.send([
      {raw: "$env:HVGUEST_EMULATOR_FAIL = 'Add-WindowsPackage:1'"},
      {action: 'begin', runId: 'run-noletter-fail', host: plan.hosts[0], vmRoot: VMROOT, lockTimeoutSeconds: 10},
      {action: 'create-guest', runId: 'run-noletter-fail', guest, replace: false},
      {raw: "$env:HVGUEST_EMULATOR_FAIL = ''"},
      {action: 'rollback', runId: 'run-noletter-fail'},
    ])
    const created = run.answers[1]
    expect(created.ok).toBe(false)
    expect(created.error).toMatchObject({step: 'add-windows-package', cmdlet: 'Add-WindowsPackage'})
    expect(created.progress.map((p) => p.step).slice(-2)).toEqual(['remove-drive-letter', 'dismount-vhd'])
    expect(host.state().disks.filter((d: any) => d.vhdPath)).toEqual([])
    expect(run.answers[2]).toMatchObject({action: 'rollback', ok: true})
  }, 120_000)
})

describe('adapter restarts: *JumboPacket and *VMQ batched with -NoRestart, one restart per changed adapter', () => {
  const network = {jumbo: [{switch: 'Lab', value: 9014, targets: ['physical-nic', 'host-vethernet']}, {switch: 'Prod', value: 9014, targets: ['physical-nic']}], chimney: null, vmq: true}

  it('net apply restarts Ethernet 2 and vEthernet (Lab) once each and the unchanged Ethernet 3 not at all; net restore likewise', async () => {
    await restore()
    const applied = await session.send([{action: 'net-apply', runId: 'run-net-apply', vmRoot: VMROOT, host: {name: 'emu', network}, switches: ['Lab', 'Prod']}])
    expect(applied.answers[0].ok, JSON.stringify(applied.answers[0].error)).toBe(true)
    const data = applied.answers[0].data
    // Ethernet 2 changed twice (jumbo and VMQ) and is restarted once.
    expect(data.settings.filter((s: any) => s.action === 'set').map((s: any) => `${s.setting} ${s.adapter}`)).toEqual(['jumbo Ethernet 2', 'jumbo vEthernet (Lab)', 'vmq Ethernet 2'])
    expect(data.restartedAdapters).toEqual(['Ethernet 2', 'vEthernet (Lab)'])
    expect(restarts()).toEqual([
      {adapter: 'Ethernet 2', cmdlet: 'Restart-NetAdapter'},
      {adapter: 'vEthernet (Lab)', cmdlet: 'Restart-NetAdapter'},
    ])
    expect([jumbo('Ethernet 2'), jumbo('vEthernet (Lab)'), vmq('Ethernet 2'), jumbo('Ethernet 3')]).toEqual(['9014', '9014', '1', '9014'])

    rmSync(`${host.stateFile}.events.jsonl`, {force: true})
    const restored = await session.send([{action: 'net-restore', runId: 'run-net-restore', vmRoot: VMROOT}])
    expect(restored.answers[0].ok, JSON.stringify(restored.answers[0].error)).toBe(true)
    expect(restored.answers[0].data.restartedAdapters).toEqual(['Ethernet 2', 'vEthernet (Lab)'])
    expect(restarts().map((r) => r.adapter)).toEqual(['Ethernet 2', 'vEthernet (Lab)'])
    expect([jumbo('Ethernet 2'), jumbo('vEthernet (Lab)'), vmq('Ethernet 2')]).toEqual(['1514', '1514', '0'])
  }, 120_000)

  it('a rolled-back begin puts the values back with one restart per adapter', async () => {
    await restore()
    const before = host.state()
    const run = await session.send([{action: 'begin', runId: 'run-restart-rollback', host: {...clone(plan.hosts[0]), network}, vmRoot: VMROOT, switches: ['Lab', 'Prod'], lockTimeoutSeconds: 10}])
    expect(run.answers[0].ok, JSON.stringify(run.answers[0].error)).toBe(true)
    expect(run.answers[0].data.restartedAdapters).toEqual(['Ethernet 2', 'vEthernet (Lab)'])
    expect(restarts()).toHaveLength(2)
    rmSync(`${host.stateFile}.events.jsonl`, {force: true})
    const rolled = await session.send([{action: 'rollback', runId: 'run-restart-rollback'}])
    expect(rolled.answers[0].ok, JSON.stringify(rolled.answers[0].error)).toBe(true)
    expect(restarts().map((r) => r.adapter).sort()).toEqual(['Ethernet 2', 'vEthernet (Lab)'])
    expect(host.state().netAdapters).toEqual(before.netAdapters)
  }, 120_000)
})

describe('free space is the volume that holds vmRoot, not its drive letter', () => {
  /** preflight of one guest with a fixed boot disk of `bytes` under a vmRoot on the mount point. */
  const preflight = (bytes: number) => {
    const p = clone(plan)
    const vmRoot = `${MOUNT}\\VMs`
    p.hosts[0].vmRoot = vmRoot
    const g = p.guests[0]
    g.path = `${vmRoot}\\${g.name}`
    g.drives[0].path = `${vmRoot}\\${g.name}\\boot.vhdx`
    g.drives[0].create = {...g.drives[0].create, type: 'Fixed', sizeBytes: bytes, parentPath: null}
    return {action: 'preflight', plan: p, vmRoot, replace: false}
  }

  it('fails disk-space-insufficient on a mount point with too little room although C: has plenty, and passes a near miss', async () => {
    await restore()
    const run = await session.send([preflight(MOUNT_FREE + 1), preflight(MOUNT_FREE), {action: 'facts', vmRoot: `${MOUNT}\\VMs`}, {action: 'facts', vmRoot: VMROOT}])
    expect(run.answers.map((a) => a.ok)).toEqual([true, true, true, true])
    const space = (a: any) => a.data.problems.filter((x: any) => x.code === 'disk-space-insufficient')
    expect(space(run.answers[0])).toEqual([
      expect.objectContaining({path: `${MOUNT}\\VMs`, message: expect.stringContaining(`need ${MOUNT_FREE + 1} bytes on ${MOUNT}\\VMs, and the volume that holds it has ${MOUNT_FREE} bytes free`)}),
    ])
    expect(space(run.answers[1])).toEqual([])
    expect(run.answers[2].data.freeBytes).toBe(MOUNT_FREE)
    expect(run.answers[3].data.freeBytes).toBe(400 * GIB)
  }, 120_000)
})

describe('free space on a host whose Get-Volume has no -FilePath (Windows Server 2012)', () => {
  it('finds the mount point through the partitions\' access paths', async () => {
    const run = await host2012Run
    expect(run.stray).toEqual([])
    expect(run.answers.map((a) => a.ok)).toEqual([true, true])
    expect(run.answers[0].data.freeBytes).toBe(MOUNT_FREE)
    expect(run.answers[1].data.freeBytes).toBe(400 * GIB)
  }, 120_000)
})
