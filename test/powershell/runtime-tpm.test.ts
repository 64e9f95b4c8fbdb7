/**
 * The virtual TPM (security.tpm, Windows 11 guests; docs/windows-11.md) through the runtime on
 * emulated hosts: after the firmware, `set-key-protector` (Set-VMKeyProtector -NewLocalKeyProtector)
 * then `enable-tpm` (Enable-VMTPM), journaled; a rollback removes the VM, TPM and key protector with it. The emulator
 * refuses as Hyper-V does: Enable-VMTPM on a Generation 1 VM, or before a key protector. A 2012 R2
 * host has none of these cmdlets: the runtime names what is missing and the run rolls back.
 *
 * One session per host OS, all at once.
 */
import {beforeAll, describe, expect, it} from 'vitest'
import {makeEmulatorProject, prebuildEmulatorProjects} from '../helpers/emulator-project.js'
import {openLiveSession, type Answer, type BatchRun, type EmuHost} from '../fixtures/runtime/harness.js'
import {clone, singleGuestPlan} from '../fixtures/runtime/plans.js'

const OSES = ['windows-server-2012r2', 'windows-server-2016', 'windows-server-2025'] as const
type Os = (typeof OSES)[number]
const ROOT = 'C:\\Hyper-V'
const GIB = 1024 ** 3

function hostOf(os: Os): EmuHost {
  const p = makeEmulatorProject({hostOs: os})
  return {dir: p.stateFile.replace(/[\\/][^\\/]+$/, ''), stateFile: p.stateFile, state: () => p.state(), local: () => { throw new Error('not needed') }}
}

function tpmGuest(base: any, name: string): any {
  const g = clone(base)
  g.name = name
  g.hostname = name
  g.path = `${ROOT}\\${name}`
  g.generation = 2
  g.os = {family: 'windows', distro: null, version: '11', edition: 'client'}
  g.drives = [
    {kind: 'hdd', role: 'boot', name: 'boot', controller: {type: 'SCSI', number: 0, location: 0}, path: `${g.path}\\boot.vhdx`, create: {type: 'Dynamic', sizeBytes: 4 * GIB, parentPath: null, blockSizeBytes: null, sectorSizeBytes: null, format: 'vhdx'}, copyFrom: null, diskNumber: null, pinned: false},
  ]
  g.networkAdapters = []
  g.firstBoot = null
  g.bootOrder = ['SCSI 0:0']
  g.firmware = {secureBoot: 'on', secureBootTemplate: 'MicrosoftWindows'}
  g.security = {tpm: true}
  g.checkpoints = null
  g.start = false
  return g
}

/** The emulator alone: what Hyper-V's TPM cmdlets do (one line; prints one `TPM <json>` line). */
const RAW =
  "$o = [ordered]@{}; $g1 = New-VM -Name 'raw1' -Generation 1 -NoVHD -MemoryStartupBytes 512MB; $g2 = New-VM -Name 'raw2' -Generation 2 -NoVHD -MemoryStartupBytes 512MB; " +
  "try { Enable-VMTPM -VMName 'raw1'; $o.gen1 = 'no error' } catch { $o.gen1 = [string]$_.Exception.Message }; " +
  "try { Enable-VMTPM -VM $g2; $o.noProtector = 'no error' } catch { $o.noProtector = [string]$_.Exception.Message }; " +
  "$o.before = [bool](Get-VMSecurity -VMName 'raw2').TpmEnabled; $o.emptyProtector = @(Get-VMKeyProtector -VMName 'raw2').Count; " +
  "Set-VMKeyProtector -VMName 'raw2' -NewLocalKeyProtector; $o.protector = @(Get-VMKeyProtector -VMName 'raw2').Count; Enable-VMTPM -VMName 'raw2'; " +
  "$o.after = [bool](Get-VMSecurity -VM $g2).TpmEnabled; $o.gen1Security = [bool](Get-VMSecurity -VM $g1).TpmEnabled; Disable-VMTPM -VMName 'raw2'; $o.disabled = [bool](Get-VMSecurity -VMName 'raw2').TpmEnabled; " +
  "Remove-VM -VM $g1 -Force; Remove-VM -VM $g2 -Force; [Console]::Out.WriteLine('TPM ' + (ConvertTo-Json -Compress -InputObject $o))"
/** What this host's Hyper-V module has (one `CMDS <json>` line). */
const COMMANDS =
  "[Console]::Out.WriteLine('CMDS ' + (ConvertTo-Json -Compress -InputObject @(@('Set-VMKeyProtector', 'Get-VMKeyProtector', 'Enable-VMTPM', 'Disable-VMTPM', 'Get-VMSecurity') | Where-Object { Get-Command $_ -ErrorAction SilentlyContinue })))"

interface Run {
  host: EmuHost
  create: Answer[]
  created: any
  raw: any
  commands: string[]
  undo: Answer[]
  afterUndo: any
  stray: string[]
}

const runs = new Map<Os, Run>()
const line = (b: BatchRun, tag: string) => {
  const l = b.stray.find((x) => x.startsWith(`${tag} `))
  if (!l) throw new Error(`no ${tag} line: ${JSON.stringify(b)}`)
  return JSON.parse(l.slice(tag.length + 1))
}

async function runOs(os: Os): Promise<Run> {
  const host = hostOf(os)
  const plan = singleGuestPlan('ubuntu-2204')
  plan.hosts[0].os = os
  plan.hosts[0].network = {jumbo: [], chimney: null, vmq: null}
  const base = plan.guests[0]
  const guest = tpmGuest(base, 'w11a')
  plan.guests = [guest]
  const session = await openLiveSession(host, {timeoutMs: 240_000})
  try {
    const first = await session.send([
      {action: 'begin', runId: 'r1', host: plan.hosts[0], vmRoot: ROOT, lockTimeoutSeconds: 10},
      {action: 'create-guest', runId: 'r1', guest, replace: false, media: []},
      os === 'windows-server-2012r2' ? {action: 'rollback', runId: 'r1'} : {action: 'commit', runId: 'r1'},
    ])
    const created = host.state()
    const probe = await session.send(os === 'windows-server-2012r2' ? [{raw: COMMANDS}] : [{raw: COMMANDS}, {raw: RAW}])
    // A second run, rolled back after its TPM guest was created AND started (the TPM cannot change
    // while a VM runs, so an undo that turned it off would fail here): the VM goes, TPM and all.
    const undo = await session.send([
      {action: 'begin', runId: 'r2', host: plan.hosts[0], vmRoot: ROOT, lockTimeoutSeconds: 10},
      {action: 'create-guest', runId: 'r2', guest: {...tpmGuest(base, 'w11b'), start: true}, replace: false, media: []},
      {action: 'rollback', runId: 'r2'},
    ])
    return {
      host, create: first.answers, created, commands: line(probe, 'CMDS') ?? [], raw: os === 'windows-server-2012r2' ? null : line(probe, 'TPM'),
      undo: undo.answers, afterUndo: host.state(), stray: [...first.stray, ...undo.stray],
    }
  } finally {
    await session.close()
  }
}

beforeAll(async () => {
  prebuildEmulatorProjects(OSES.map((hostOs) => ({hostOs})))
  for (const [os, r] of await Promise.all(OSES.map(async (os) => [os, await runOs(os)] as const))) runs.set(os, r)
}, 300_000)

const get = (os: Os) => runs.get(os)!
const vm = (state: any, name: string) => (state.vms ?? []).find((v: any) => v.name === name)

describe.each(['windows-server-2016', 'windows-server-2025'] as const)('a TPM guest on an emulated %s host', (os) => {
  it('gets a new local key protector, then the TPM, after the firmware; the state records both', () => {
    const r = get(os)
    expect(r.stray).toEqual([])
    for (const a of r.create) expect(a.ok, `${a.action}: ${JSON.stringify(a.error)}`).toBe(true)
    const steps = r.create[1].progress.map((p) => p.step)
    expect(steps.indexOf('set-firmware')).toBeGreaterThan(-1)
    expect(steps.indexOf('set-key-protector')).toBeGreaterThan(steps.indexOf('set-firmware'))
    expect(steps.indexOf('enable-tpm')).toBe(steps.indexOf('set-key-protector') + 1)
    expect(r.create[1].progress.find((p) => p.step === 'enable-tpm')?.cmdlet).toBe('Enable-VMTPM')
    const v = vm(r.created, 'w11a')
    expect(v.generation).toBe(2)
    expect(v.firmware).toMatchObject({secureBoot: 'On', secureBootTemplate: 'MicrosoftWindows'})
    expect(v.security.tpmEnabled).toBe(true)
    expect(v.security.keyProtector).toMatchObject({kind: 'Local', guardian: 'UntrustedGuardian'})
  })

  it('a rollback of a started TPM guest removes the VM, its TPM and key protector with it, and completes', () => {
    const r = get(os)
    expect(r.undo.map((a) => a.ok)).toEqual([true, true, true])
    expect(r.undo[1].progress.map((p) => p.step)).toEqual(expect.arrayContaining(['enable-tpm', 'start-vm']))
    const undone = r.undo[2].data.undone as Array<{step: string; action: string; ok: boolean; message: string}>
    expect(undone.every((u) => u.ok), JSON.stringify(undone)).toBe(true)
    expect(undone.map((u) => u.action)).toContain('remove-vm')
    expect(undone.map((u) => u.step)).not.toContain('enable-tpm')
    expect(vm(r.afterUndo, 'w11b')).toBeUndefined()
    expect(vm(r.afterUndo, 'w11a')).toBeDefined()
  })

  it('the emulator: Enable-VMTPM fails on Gen1 and before a key protector; Get-VMSecurity reports TpmEnabled', () => {
    const r = get(os)
    expect(r.commands).toEqual(['Set-VMKeyProtector', 'Get-VMKeyProtector', 'Enable-VMTPM', 'Disable-VMTPM', 'Get-VMSecurity'])
    expect(r.raw.gen1).toMatch(/Generation 2 virtual machines only.*'raw1' is Generation 1/)
    expect(r.raw.noProtector).toContain('no key protector')
    expect(r.raw).toMatchObject({before: false, emptyProtector: 0, after: true, gen1Security: false, disabled: false})
    expect(r.raw.protector).toBeGreaterThan(0)
  })
})

describe('a TPM guest on an emulated 2012 R2 host (no virtual TPM)', () => {
  it('the host has none of the TPM cmdlets', () => {
    expect(get('windows-server-2012r2').commands).toEqual([])
  })

  it('create-guest fails at set-key-protector naming the missing cmdlets and the host it needs; the rollback leaves no VM', () => {
    const r = get('windows-server-2012r2')
    const [begin, create, rollback] = r.create
    expect(begin.ok).toBe(true)
    expect(create.ok).toBe(false)
    expect(create.error).toMatchObject({step: 'set-key-protector', cmdlet: 'Set-VMKeyProtector', category: 'NotImplemented'})
    expect(create.error!.message).toContain('this host has no Set-VMKeyProtector or Enable-VMTPM')
    expect(create.error!.message).toContain('Windows Server 2016 or Windows 10 1511')
    expect(create.progress.map((p) => p.step)).not.toContain('enable-tpm')
    expect(rollback.ok, JSON.stringify(rollback.error)).toBe(true)
    expect(r.created.vms ?? []).toEqual([])
  })
})
