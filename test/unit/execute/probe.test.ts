/**
 * `doctor --probe`'s comparison (src/execute/probe.ts compareProbe): what was asked against what
 * the host answered. The answers here are the runtime's probe data (src/powershell/answers.ts
 * probeSchema), built from the spec as a faithful host would report it, then changed one thing at
 * a time the way a different host would. The runtime side is tested through the CLI
 * (test/e2e/doctor-probe.test.ts).
 */
import {describe, expect, it} from 'vitest'
import {answerData} from '../../../src/powershell/answers.js'
import {compareProbe, probeSpec, type ProbeSpec} from '../../../src/execute/probe.js'

const spec = probeSpec({name: 'hv1', vmRoot: 'D:\\VMs'}, 'run-1')

/** The probe data a host that did exactly what was asked answers (checked against the answer schema). */
function faithful(s: ProbeSpec = spec) {
  const slot = (d: (typeof s.guest.drives)[number]) => ({controllerType: d.controller.type, controllerNumber: d.controller.number, controllerLocation: d.controller.location, path: d.path})
  const data = {
    runId: s.runId,
    vmRoot: 'D:\\VMs',
    folder: s.folder,
    host: {computerName: 'HV1', os: {caption: 'Microsoft Windows Server 2016 Datacenter', version: '10.0.14393', buildNumber: '14393'}, powershell: {version: '5.1.14393.0', edition: 'Desktop'}, hyperVModule: {version: '2.0.0.0', path: 'C:\\x'}},
    guest: {
      name: s.guest.name,
      vmId: '3ff6d5ab-e6d8-4416-9acb-26657e296603',
      generation: 1,
      memoryStartupBytes: s.guest.memory.startupBytes,
      hardDrives: s.guest.drives.filter((d) => d.kind === 'hdd').map(slot),
      dvdDrives: s.guest.drives.filter((d) => d.kind === 'dvd').map(slot),
      networkAdapters: s.guest.networkAdapters.map((a) => ({name: a.name, legacy: a.legacy})),
      integrationServices: s.guest.integration.services.map((x) => ({id: x.id, enabled: x.enabled})),
    },
    vhds: s.guest.drives.filter((d) => d.kind === 'hdd').map((d) => ({path: d.path!, format: 'VHDX', type: 'Dynamic', sizeBytes: 1073741824})),
    mount: {path: s.guest.drives[0].path!, passthru: true, attached: true, diskNumber: 3, attachedAfterDismount: false},
    warnings: [] as string[],
    cleanup: {undone: 20, errors: [] as string[], journalKept: false, journal: null as string | null, lockReleased: true, vmLeft: false, folderLeft: false},
  }
  return answerData('probe', {ok: true, action: 'probe', data})
}

const notOk = (f: ReturnType<typeof compareProbe>) => f.filter((x) => !x.ok)

describe('the probe guest', () => {
  it('has one of each device the planner uses, all under <vmRoot>\\.hvguest\\probe-<runId>, on no switch', () => {
    const g = spec.guest
    expect(spec.folder).toBe('D:\\VMs\\.hvguest\\probe-run-1')
    expect(g.generation).toBe(1)
    expect(g.drives.map((d) => `${d.kind} ${d.controller.type} ${d.controller.number}:${d.controller.location}`)).toEqual(['hdd IDE 0:0', 'hdd SCSI 0:0', 'dvd IDE 1:0'])
    for (const d of g.drives.filter((x) => x.kind === 'hdd')) expect(d.path!.startsWith(`${spec.folder}\\`)).toBe(true)
    expect(g.networkAdapters.map((a) => [a.legacy, a.switch])).toEqual([
      [false, ''],
      [true, ''],
    ])
    // both directions of Set-VMIntegrationService run: one off-by-default service on, one on-by-default off
    const byId = Object.fromEntries(g.integration.services.map((x) => [x.id, x.enabled]))
    expect(byId['6C09BB55-D683-4DA0-8931-C9BF705F6480']).toBe(true)
    expect(byId['2497F4DE-E9FA-4204-80E4-4B75C46419C0']).toBe(false)
    expect(g.start).toBe(false)
  })

  it('gets a fresh run id (and so a fresh name and folder) each time', () => {
    const a = probeSpec({name: 'hv1', vmRoot: 'C:\\Hyper-V'})
    const b = probeSpec({name: 'hv1', vmRoot: 'C:\\Hyper-V'})
    expect(a.runId).not.toBe(b.runId)
    expect(a.guest.name).toBe(`hvguest-probe-${a.runId}`)
  })
})

describe('compareProbe', () => {
  it('a host that did what was asked: every finding ok, one per device, service, disk, mount and the cleanup', () => {
    const f = compareProbe(spec, faithful(), null)
    expect(notOk(f)).toEqual([])
    expect(f.map((x) => x.check)).toEqual([
      'generation',
      'memory-startup',
      'boot-disk',
      'data-disk',
      'dvd-drive',
      'extra-drives',
      'adapter-synthetic',
      'adapter-legacy',
      'extra-adapters',
      ...spec.guest.integration.services.map((s) => `integration-service:${s.id}`),
      'boot-disk-format',
      'boot-disk-type',
      'data-disk-format',
      'data-disk-type',
      'mount-vhd',
      'dismount-vhd',
      'cleanup',
    ])
  })

  it('a drive at another slot: that drive differs, and the drive found elsewhere is reported', () => {
    const d = faithful()
    d.guest!.dvdDrives[0].controllerLocation = 1
    expect(notOk(compareProbe(spec, d, null))).toEqual([
      {check: 'dvd-drive', expected: 'IDE 1:0 (empty)', actual: 'nothing at IDE 1:0', ok: false},
      {check: 'extra-drives', expected: 'none', actual: 'IDE 1:1 (empty)', ok: false},
    ])
  })

  it('a legacy adapter that came back synthetic, an extra adapter, a missing service, a service left on', () => {
    const d = faithful()
    d.guest!.networkAdapters[1].legacy = false
    d.guest!.networkAdapters.push({name: 'Network Adapter', legacy: false})
    d.guest!.integrationServices = d.guest!.integrationServices.filter((x) => x.id !== '6C09BB55-D683-4DA0-8931-C9BF705F6480')
    d.guest!.integrationServices.find((x) => x.id === '2497F4DE-E9FA-4204-80E4-4B75C46419C0')!.enabled = true
    expect(notOk(compareProbe(spec, d, null))).toEqual([
      {check: 'adapter-legacy', expected: 'probe-legacy (legacy)', actual: 'probe-legacy (synthetic)', ok: false},
      {check: 'extra-adapters', expected: 'none', actual: 'Network Adapter', ok: false},
      {check: 'integration-service:6C09BB55-D683-4DA0-8931-C9BF705F6480', expected: 'enabled', actual: 'absent', ok: false},
      {check: 'integration-service:2497F4DE-E9FA-4204-80E4-4B75C46419C0', expected: 'disabled', actual: 'enabled', ok: false},
    ])
  })

  it('generation, memory, disk format, and a mount with no disk number or still attached after dismount', () => {
    const d = faithful()
    d.guest!.generation = 2
    d.guest!.memoryStartupBytes = 1024
    d.vhds[1].format = 'VHD'
    d.mount = {...d.mount!, diskNumber: null, attachedAfterDismount: true}
    expect(notOk(compareProbe(spec, d, null)).map((x) => [x.check, x.actual])).toEqual([
      ['generation', 2],
      ['memory-startup', 1024],
      ['data-disk-format', 'VHD'],
      ['mount-vhd', 'attached, no disk number'],
      ['dismount-vhd', 'still attached'],
    ])
  })

  it('controller types and GUIDs compare without regard to case', () => {
    const d = faithful()
    d.guest!.hardDrives[1].controllerType = 'scsi'
    for (const s of d.guest!.integrationServices) s.id = s.id.toLowerCase()
    expect(notOk(compareProbe(spec, d, null))).toEqual([])
  })

  it('a warning from the create and a cleanup that left the VM and the journal are findings', () => {
    const d = faithful()
    d.warnings = ['integration service VSS does not exist on this host']
    d.cleanup = {...d.cleanup!, vmLeft: true, journalKept: true, journal: 'D:\\VMs\\.hvguest\\journal\\run-1.json', errors: ['undo of step 5 failed: busy']}
    // the runtime answers such a probe as failed at probe-cleanup: one finding, not two
    const f = notOk(compareProbe(spec, d, {step: 'probe-cleanup', cmdlet: null, message: 'the probe guest could not be removed completely'}))
    expect(f).toHaveLength(2)
    expect(f[0]).toEqual({check: 'warning', expected: null, actual: 'integration service VSS does not exist on this host', ok: false})
    expect(f[1].check).toBe('cleanup')
    expect(f[1].actual).toBe('left: the VM; the journal D:\\VMs\\.hvguest\\journal\\run-1.json; undo of step 5 failed: busy')
  })

  it('a step that failed half way: that step first, then what the probe got to (here: nothing read back)', () => {
    const d = faithful()
    const partial = {...d, guest: null, vhds: [], mount: null}
    const f = compareProbe(spec, partial, {step: 'add-adapter', cmdlet: 'Add-VMNetworkAdapter', message: 'busy'})
    expect(f).toEqual([
      {check: 'probe-step', expected: 'every step succeeds', actual: 'add-adapter (Add-VMNetworkAdapter): busy', ok: false},
      {check: 'cleanup', expected: 'everything removed', actual: 'everything removed', ok: true},
    ])
  })

  it('no answer at all (the session failed): the failure, and a cleanup nobody reported', () => {
    const f = compareProbe(spec, null, {step: 'session', cmdlet: null, message: 'pwsh exited'})
    expect(f.map((x) => [x.check, x.ok])).toEqual([
      ['probe-step', false],
      ['cleanup', false],
    ])
    expect(f[1].actual).toMatch(/hvguest recover/)
  })
})
