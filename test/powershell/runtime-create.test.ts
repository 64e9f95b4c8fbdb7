/**
 * create-guest against the emulated host: what the plan says is what the host gets, slot for
 * slot, and nothing else (the adapter and DVD drive New-VM adds by itself are gone); integration
 * services are set by GUID; host jumbo frames are applied with the previous values journaled;
 * commit writes the manifest; list reads it all back.
 */
import {createHash} from 'node:crypto'
import {existsSync, readFileSync} from 'node:fs'
import {gzipSync} from 'node:zlib'
import {describe, expect, it} from 'vitest'
import {newHost, openShared, runSession, runShared, vhdHeader, type Answer, type EmuHost} from '../fixtures/runtime/harness.js'
import {gen2Plan, ISO, RICH_HOST, richGen1Plan, singleGuestPlan, UBUNTU_PARENT} from '../fixtures/runtime/plans.js'

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')

interface Slot {
  kind: 'hdd' | 'dvd'
  type: string
  number: number
  location: number
  path: string | null
  diskNumber: number | null
}
const key = (s: Slot) => `${s.type}${s.number}:${String(s.location).padStart(2, '0')}`
const sortSlots = (xs: Slot[]) => [...xs].sort((a, b) => key(a).localeCompare(key(b)))

function plannedSlots(g: any): Slot[] {
  return sortSlots(
    g.drives.map((d: any) => ({
      kind: d.kind,
      type: d.controller.type,
      number: d.controller.number,
      location: d.controller.location,
      path: d.diskNumber === null ? (d.path ?? null) : null,
      diskNumber: d.diskNumber,
    })),
  )
}

function stateSlots(vm: any): Slot[] {
  const hdd = (vm.hardDrives ?? []).map((d: any) => ({
    kind: 'hdd' as const,
    type: d.controllerType,
    number: d.controllerNumber,
    location: d.controllerLocation,
    path: d.diskNumber === null || d.diskNumber === undefined ? (d.path ?? null) : null,
    diskNumber: d.diskNumber ?? null,
  }))
  const dvd = (vm.dvdDrives ?? []).map((d: any) => ({
    kind: 'dvd' as const,
    type: d.controllerType ?? (vm.generation === 2 ? 'SCSI' : 'IDE'),
    number: d.controllerNumber,
    location: d.controllerLocation,
    path: d.path || null,
    diskNumber: null,
  }))
  return sortSlots([...hdd, ...dvd])
}

function vmNamed(host: EmuHost, name: string): any {
  const vms = (host.state().vms ?? []).filter((v: any) => v.name === name)
  expect(vms, `VMs named ${JSON.stringify(name)}`).toHaveLength(1)
  return vms[0]
}

function advanced(host: EmuHost, adapter: string, keyword: string): string | undefined {
  const nic = host.state().netAdapters.find((n: any) => n.name === adapter)
  return nic?.advancedProperties.find((p: any) => p.registryKeyword === keyword)?.registryValue
}

function okAll(answers: Answer[]) {
  for (const a of answers) expect(a.ok, `${a.action}: ${JSON.stringify(a.error)}`).toBe(true)
}

/** preflight, begin, create-guest per guest, commit: the run create makes. */
function fullRun(plan: any, runId: string, extra: {vmRoot?: string} = {}) {
  const vmRoot = extra.vmRoot ?? plan.hosts[0].vmRoot
  return [
    {action: 'preflight', plan, replace: false},
    {action: 'begin', runId, host: plan.hosts[0], vmRoot, lockTimeoutSeconds: 10},
    ...plan.guests.map((g: any) => ({action: 'create-guest', runId, guest: g, replace: false})),
    {action: 'commit', runId},
  ]
}

describe('create-guest: a Generation 1 plan, exactly', () => {
  it('builds the VM slot for slot, sets ICs by GUID, applies host jumbo frames, and writes the manifest', () => {
    const host = newHost(RICH_HOST)
    const plan = richGen1Plan()
    const g = plan.guests[0]
    const parentBefore = sha(host.local(UBUNTU_PARENT))
    const run = runSession(host, [...fullRun(plan, 'run-gen1'), {action: 'list', vmRoot: 'C:\\Hyper-V', names: ['web1']}])
    expect(run.bootstrap.ok, JSON.stringify(run.bootstrap.error)).toBe(true)
    expect(run.stray).toEqual([])
    okAll(run.answers)
    const [preflight, begin, created, commit, list] = run.answers
    expect(preflight.data.problems).toEqual([])

    const vm = vmNamed(host, 'web1')
    // Slot for slot, and nothing else: New-VM's own adapter and DVD drive are gone.
    expect(stateSlots(vm)).toEqual(plannedSlots(g))
    expect(vm.generation).toBe(1)
    expect(vm.scsiControllers).toHaveLength(3)
    expect(vm.processorCount).toBe(g.processors)
    expect(vm.memory).toMatchObject({startupBytes: g.memory.startupBytes, dynamicMemoryEnabled: true, minimumBytes: g.memory.minimumBytes, maximumBytes: g.memory.maximumBytes})
    expect(vm.bios.startupOrder).toEqual(g.bootOrder)
    expect(vm.networkAdapters.map((a: any) => a.name)).toEqual(['Front', 'PXE'])
    const [front, pxe] = vm.networkAdapters
    expect(front).toMatchObject({isLegacy: false, switchName: 'Lab', macAddress: '00155D0A0B0C', dynamicMacAddressEnabled: false, vmqWeight: 100, macAddressSpoofing: 'On'})
    expect(front.vlan).toMatchObject({mode: 'Access', accessVlanId: 42})
    expect(pxe).toMatchObject({isLegacy: true, switchName: 'Lab'})
    // Integration services by GUID: the plan's on/off for every one.
    const ics = Object.fromEntries(vm.integrationServices.map((s: any) => [s.guid.toUpperCase(), s.enabled]))
    for (const s of g.integration.services) expect(ics[s.id.toUpperCase()], s.name).toBe(s.enabled)
    expect(vm).toMatchObject({notes: g.notes, checkpointType: 'Disabled', automaticStartAction: 'Nothing', automaticStopAction: 'TurnOff', state: 'Running'})

    // The disks exist; the parent is untouched.
    for (const d of g.drives.filter((x: any) => x.create)) expect(existsSync(host.local(d.path)), d.path).toBe(true)
    expect(sha(host.local(UBUNTU_PARENT))).toBe(parentBefore)

    // Host jumbo frames: the physical NIC bound to Lab and vEthernet (Lab), previous values reported.
    expect(advanced(host, 'Ethernet 2', '*JumboPacket')).toBe('9014')
    expect(advanced(host, 'vEthernet (Lab)', '*JumboPacket')).toBe('9014')
    const jumbo = begin.data.hostSettings.filter((s: any) => s.setting === 'jumbo')
    expect(jumbo).toEqual([
      expect.objectContaining({switch: 'Lab', target: 'physical-nic', adapter: 'Ethernet 2', keyword: '*JumboPacket', previous: '1514', value: '9014', action: 'set'}),
      expect.objectContaining({switch: 'Lab', target: 'host-vethernet', adapter: 'vEthernet (Lab)', previous: '1514', value: '9014', action: 'set'}),
    ])

    // Progress: one line per step, in order, each naming its step (and cmdlet).
    const steps = created.progress.map((p) => p.step)
    expect(steps.slice(0, 2)).toEqual(['create-folder', 'new-vhd'])
    expect(steps).toEqual(expect.arrayContaining(['new-vm', 'remove-default-adapter', 'remove-default-dvd', 'add-scsi-controller', 'add-hard-disk', 'add-dvd', 'add-adapter', 'set-vlan', 'set-vmq', 'set-mac-spoofing', 'set-bios', 'set-integration-service', 'set-vm', 'start-vm']))
    // New-VM gives a Generation 1 VM SCSI controller 0; the plan's SCSI 1 and 2 are added.
    expect(created.progress.filter((p) => p.step === 'add-scsi-controller').map((p) => p.detail)).toEqual(['SCSI controller 1', 'SCSI controller 2'])
    expect(created.progress.map((p) => p.seq)).toEqual(created.progress.map((_, i) => i + 1))
    expect(created.data.steps).toBe(created.progress.length)
    expect(created.data.vmId).toBe(vm.id)

    // Manifest: exactly the files this run created (not the parent, not the ISO).
    expect(commit.data.guests).toHaveLength(1)
    const manifest = JSON.parse(readFileSync(host.local(commit.data.guests[0].manifest), 'utf8'))
    expect(manifest).toMatchObject({name: 'web1', vmId: vm.id, runId: 'run-gen1'})
    expect([...manifest.files].sort()).toEqual(g.drives.filter((d: any) => d.create).map((d: any) => d.path).sort())
    expect(existsSync(host.local('C:\\Hyper-V\\.hvguest\\journal\\run-gen1.jsonl'))).toBe(false)
    expect(existsSync(host.local('C:\\Hyper-V\\.hvguest\\lock'))).toBe(false)

    // list reads the same layout back.
    const listed = list.data.guests[0]
    expect(listed).toMatchObject({name: 'web1', vmId: vm.id, state: 'Running', generation: 1, managed: true, runId: 'run-gen1'})
    expect(sortSlots(listed.drives.map((d: any) => ({kind: d.kind, type: d.controller.type, number: d.controller.number, location: d.controller.location, path: d.diskNumber === null ? d.path : null, diskNumber: d.diskNumber})))).toEqual(plannedSlots(g))
    expect(listed.networkAdapters.map((a: any) => [a.name, a.switch, a.legacy])).toEqual([
      ['Front', 'Lab', false],
      ['PXE', 'Lab', true],
    ])
    expect(listed.integrationServices.map((s: any) => s.id).sort()).toEqual(g.integration.services.map((s: any) => s.id).sort())
  }, 180_000)

  it('the CLI plans as they are: ubuntu-2204 (3 data disks), ws2012r2 (vmguest.iso), ws2022-dc (copied boot disk, fixed NTDS disk) and centos-6 (LIS media)', async () => {
    const cases = [
      {plan: singleGuestPlan('ubuntu-2204'), hostOs: 'windows-server-2022', parents: [{path: UBUNTU_PARENT}], files: []},
      {plan: singleGuestPlan('ws2012r2'), hostOs: 'windows-server-2012r2', parents: [{path: 'C:\\Hyper-V\\Images\\ws2012r2.vhdx'}], files: []},
      {plan: singleGuestPlan('ws2022-dc'), hostOs: 'windows-server-2022', parents: [{path: 'C:\\Hyper-V\\Images\\ws2022.vhdx'}], files: []},
      {
        plan: singleGuestPlan('centos-6'),
        hostOs: 'windows-server-2022',
        parents: [],
        files: [{path: `${ISO}\\LinuxIntegrationServices-4.1.3-2.iso`}, {path: `${ISO}\\CentOS-6.10-x86_64-bin-DVD1.iso`}],
      },
    ]
    for (const c of cases) {
      const host = newHost({hostOs: c.hostOs, parents: c.parents, files: c.files})
      const run = await runShared(host, fullRun(c.plan, 'run-cli'))
      expect(run.stray).toEqual([])
      okAll(run.answers)
      const g = c.plan.guests[0]
      const vm = vmNamed(host, g.name)
      expect(stateSlots(vm), g.name).toEqual(plannedSlots(g))
      expect(vm.networkAdapters.map((a: any) => [a.name, a.switchName, a.isLegacy])).toEqual(g.networkAdapters.map((a: any) => [a.name, a.switch, a.legacy]))
      const ics = Object.fromEntries(vm.integrationServices.map((s: any) => [s.guid.toUpperCase(), s.enabled]))
      for (const s of g.integration.services) expect(ics[s.id.toUpperCase()], `${g.name} ${s.name}`).toBe(s.enabled)
      expect(vm.bios.startupOrder).toEqual(g.bootOrder)
      for (const d of g.drives.filter((x: any) => x.create || x.copyFrom)) expect(existsSync(host.local(d.path)), d.path).toBe(true)
      // A copied disk is a copy: the source is untouched and the bytes are the same.
      for (const d of g.drives.filter((x: any) => x.copyFrom)) expect(sha(host.local(d.path))).toBe(sha(host.local(d.copyFrom)))
    }
  }, 300_000)

  it('writes seed media shipped with the request, attaches it, and rollback deletes it', async () => {
    const host = newHost({parents: [{path: UBUNTU_PARENT}]})
    const before = host.state()
    const plan = singleGuestPlan('ubuntu-2204')
    const g = plan.guests[0]
    const seed = 'C:\\Hyper-V\\ubuntu-2204\\cidata ‘seed’.iso'
    g.drives.push({kind: 'dvd', role: 'firstboot-media', name: 'firstboot-media', controller: {type: 'IDE', number: 1, location: 0}, path: seed, create: null, copyFrom: null, diskNumber: null, pinned: false})
    const bytes = Buffer.from([0, 1, 2, 250, 255, 10, 13, 0x22, 0x27])
    const media = [{path: seed, contentBase64: bytes.toString('base64')}]
    const session = await openShared(host)
    try {
      const run = await session.send([
        {action: 'begin', runId: 'run-media', host: plan.hosts[0], vmRoot: 'C:\\Hyper-V', lockTimeoutSeconds: 5},
        {action: 'create-guest', runId: 'run-media', guest: g, replace: false, media},
      ])
      okAll(run.answers)
      expect(readFileSync(host.local(seed))).toEqual(bytes)
      expect(vmNamed(host, g.name).dvdDrives).toEqual([expect.objectContaining({controllerType: 'IDE', controllerNumber: 1, controllerLocation: 0, path: seed})])
      expect(run.answers[1].data.files).toContain(seed)
      const undo = await session.send([{action: 'rollback', runId: 'run-media', vmRoot: 'C:\\Hyper-V'}])
      okAll(undo.answers)
      expect([...run.stray, ...undo.stray]).toEqual([])
    } finally {
      await session.close()
    }
    expect(existsSync(host.local(seed))).toBe(false)
    expect(host.state()).toEqual(before)
  }, 180_000)

  it('seed media sent compressed is written as the exact image; one whose size or SHA-256 does not match is refused before anything is written', async () => {
    const host = newHost({parents: [{path: UBUNTU_PARENT}]})
    const before = host.state()
    const plan = singleGuestPlan('ubuntu-2204')
    const g = plan.guests[0]
    const seed = 'C:\\Hyper-V\\ubuntu-2204\\cidata.iso'
    g.drives.push({kind: 'dvd', role: 'firstboot-media', name: 'firstboot-media', controller: {type: 'IDE', number: 1, location: 0}, path: seed, create: null, copyFrom: null, diskNumber: null, pinned: false})
    // Mostly zeros, as an ISO 9660 image is: 2 KB compressed for 400 KB.
    const image = Buffer.concat([Buffer.alloc(32768), Buffer.from('CD001 cidata user-data'), Buffer.alloc(370000)])
    const packed = {path: seed, gzipBase64: gzipSync(image).toString('base64'), sizeBytes: image.length, sha256: createHash('sha256').update(image).digest('hex')}
    expect(packed.gzipBase64.length).toBeLessThan(4000)
    const session = await openShared(host)
    try {
      const damaged = await session.send([
        {action: 'begin', runId: 'run-damaged-media', host: plan.hosts[0], vmRoot: 'C:\\Hyper-V', lockTimeoutSeconds: 5},
        {action: 'create-guest', runId: 'run-damaged-media', guest: g, replace: false, media: [{...packed, sha256: '0'.repeat(64)}]},
        {action: 'rollback', runId: 'run-damaged-media', vmRoot: 'C:\\Hyper-V'},
      ])
      expect(damaged.answers[1]).toMatchObject({ok: false, error: {step: 'write-media', category: 'InvalidData'}})
      expect(damaged.answers[1].error!.message).toMatch(/arrived damaged: 402790 bytes with SHA-256 [0-9A-F]{64}, where the request says 402790 bytes with SHA-256 0{64}; nothing was written/)
      expect(damaged.answers[1].progress.map((p) => p.step)).not.toContain('write-media')
      expect(existsSync(host.local(seed))).toBe(false)
      okAll([damaged.answers[2]])
      expect(host.state()).toEqual(before)

      const run = await session.send([
        {action: 'begin', runId: 'run-packed', host: plan.hosts[0], vmRoot: 'C:\\Hyper-V', lockTimeoutSeconds: 5},
        {action: 'create-guest', runId: 'run-packed', guest: g, replace: false, media: [packed]},
      ])
      okAll(run.answers)
      expect(run.answers[1].data.files).toContain(seed)
      expect(readFileSync(host.local(seed)).equals(image)).toBe(true)
      const undo = await session.send([{action: 'rollback', runId: 'run-packed', vmRoot: 'C:\\Hyper-V'}])
      okAll(undo.answers)
      expect([...damaged.stray, ...run.stray, ...undo.stray]).toEqual([])
    } finally {
      await session.close()
    }
    expect(host.state()).toEqual(before)
  }, 180_000)

  it('Generation 2: all SCSI, firmware boot order from device references', async () => {
    const host = newHost(RICH_HOST)
    const plan = gen2Plan()
    const run = await runShared(host, fullRun(plan, 'run-gen2'))
    expect(run.stray).toEqual([])
    okAll(run.answers)
    const g = plan.guests[0]
    const vm = vmNamed(host, g.name)
    expect(vm.generation).toBe(2)
    expect(stateSlots(vm)).toEqual(plannedSlots(g))
    expect(vm.scsiControllers).toHaveLength(2)
    // SCSI 0:1 (the DVD), SCSI 0:0 (the boot disk), then the adapter: the plan's order, as devices.
    expect(vm.firmware.bootOrder).toEqual(['Dvd:SCSI 0:1', 'Drive:SCSI 0:0', 'NetworkAdapter:Net'])
    expect(vm.firmware.secureBoot).toMatch(/^off$/i)
    const steps = run.answers[2].progress.map((p) => p.step)
    expect(steps).toContain('set-firmware')
    expect(steps).not.toContain('set-bios')
  }, 180_000)
})

describe('create-guest: offline integration components (windows-offline)', () => {
  it('mounts the boot VHD, adds the cab to the Windows partition, and always dismounts', async () => {
    const plan = singleGuestPlan('ws2012r2-offline')
    const g = plan.guests[0]
    const cab = g.integration.offlinePackages[0]
    // The sysprepped image: a file the emulator did not write reads as a disk with one partition.
    const host = newHost({hostOs: 'windows-server-2012r2', files: [{path: g.drives[0].create.parentPath, text: 'a Windows image'}, {path: cab, text: 'cab'}]})
    const run = await runShared(host, fullRun(plan, 'run-offline'))
    expect(run.stray).toEqual([])
    okAll(run.answers)
    const steps = run.answers[2].progress.map((p) => p.step)
    const mount = steps.indexOf('mount-vhd')
    expect(mount).toBeGreaterThan(steps.indexOf('new-vhd'))
    expect(steps.indexOf('add-windows-package')).toBeGreaterThan(mount)
    expect(steps.indexOf('dismount-vhd')).toBeGreaterThan(steps.indexOf('add-windows-package'))
    expect(steps.indexOf('new-vm')).toBeGreaterThan(steps.indexOf('dismount-vhd'))
    const state = host.state()
    expect((state.disks ?? []).filter((d: any) => d.vhdPath)).toEqual([])
    // The package is inside the serviced image (the child VHD's header), not in the host's state.
    expect(state.windowsPackages).toEqual([])
    expect(vhdHeader(host, g.drives[0].path).packages).toEqual([{packagePath: cab}])
  }, 180_000)

  it('dismounts even when Add-WindowsPackage fails, and reports the package step', async () => {
    const plan = singleGuestPlan('ws2012r2-offline')
    const g = plan.guests[0]
    const cab = g.integration.offlinePackages[0]
    const host = newHost({hostOs: 'windows-server-2012r2', files: [{path: g.drives[0].create.parentPath, text: 'a Windows image'}, {path: cab, text: 'cab'}]})
    const run = await runShared(host, [...fullRun(plan, 'run-offline-fail').slice(0, 3), {action: 'rollback', runId: 'run-offline-fail'}], {
      env: {HVGUEST_EMULATOR_FAIL: 'Add-WindowsPackage:1'},
    })
    const created = run.answers[2]
    expect(created.ok).toBe(false)
    expect(created.error).toMatchObject({step: 'add-windows-package', cmdlet: 'Add-WindowsPackage'})
    expect(created.progress.map((p) => p.step).slice(-1)).toEqual(['dismount-vhd'])
    expect((host.state().disks ?? []).filter((d: any) => d.vhdPath)).toEqual([])
    expect(run.answers[3]).toMatchObject({action: 'rollback', ok: true})
  }, 180_000)
})
