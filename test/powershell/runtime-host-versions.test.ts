/**
 * The runtime on every host OS it manages (docs/execution.md, "How the runtime adapts to the
 * host"): the same Generation 1 guest is created and destroyed on emulated 2012, 2012 R2, 2016,
 * 2019, 2022 and 2025 hosts and on Windows 10 and 11, each host binding its own version's
 * parameter sets. The runtime asks the cmdlets what they take: a planned setting the host lacks
 * (checkpoint type before 2016, the secure boot template on 2012 R2) is a warning in the answer,
 * a Generation 2 guest on 2012 is refused before any change, automatic checkpoints are turned off
 * (Windows 10 and 11 turn them on), and destroy leaves the host as it was before the run: the VM's
 * own folder (New-VM -Path P keeps it in P\<name>\Virtual Machines) goes, a folder that was there
 * before and a sibling stay.
 *
 * One session per OS, all sessions at once (each its own pwsh and host).
 */
import {mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {dirname, join, relative} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {makeEmulatorProject, prebuildEmulatorProjects} from '../helpers/emulator-project.js'
import {openLiveSession, type Answer, type EmuHost} from '../fixtures/runtime/harness.js'
import {clone, singleGuestPlan} from '../fixtures/runtime/plans.js'

const GIB = 1024 ** 3
const OSES = [
  'windows-server-2012',
  'windows-server-2012r2',
  'windows-server-2016',
  'windows-server-2019',
  'windows-server-2022',
  'windows-server-2025',
  'windows-10',
  'windows-11',
] as const
type Os = (typeof OSES)[number]
/** What the version's documentation says its cmdlets take (ps/emulator/reference/versions). */
const HAS_CHECKPOINT_TYPE = (os: Os) => os !== 'windows-server-2012' && os !== 'windows-server-2012r2'
const HAS_AUTOMATIC_CHECKPOINTS = HAS_CHECKPOINT_TYPE
const CLIENT = (os: Os) => os === 'windows-10' || os === 'windows-11'
/**
 * web1, the guest of the issue, on every OS; the other guests only where they show something
 * (the file's time budget): web2 (a folder that exists before the run, checkpoints: standard)
 * on 2012 (a warning) and Windows 11 (applied; started, its automatic checkpoints left on, so it
 * has one); g2 (Generation 2, secure boot template, checkpoints: standard) on 2012 R2 (two warnings)
 * and 2016 (applied).
 */
const EXTRA: Record<Os, Array<'web2' | 'g2'>> = {
  'windows-server-2012': ['web2'],
  'windows-server-2012r2': ['g2'],
  'windows-server-2016': ['g2'],
  'windows-server-2019': [],
  'windows-server-2022': [],
  'windows-server-2025': [],
  'windows-10': [],
  'windows-11': ['web2'],
}

const ROOT = 'C:\\Hyper-V'
const SEED_TEXT = 'first boot seed\n'
const NOTES = "the admin's own notes\n"
const SIBLING = 'a sibling\n'

const disk = (type: 'Dynamic', sizeBytes: number) => ({type, sizeBytes, parentPath: null, blockSizeBytes: null, sectorSizeBytes: null, format: 'vhdx'})
const drive = (d: Record<string, unknown>) => ({path: null, create: null, copyFrom: null, diskNumber: null, pinned: false, ...d})

/** The Generation 1 guest of the issue: IDE 0:0 boot disk, SCSI data disk, first-boot DVD, an adapter, ICs by GUID. */
function gen1Guest(base: any, name: string, checkpoints: string | null, start: boolean): any {
  const g = clone(base)
  g.name = name
  g.hostname = name
  g.path = `${ROOT}\\${name}`
  g.generation = 1
  g.drives = [
    drive({kind: 'hdd', role: 'boot', name: 'boot', controller: {type: 'IDE', number: 0, location: 0}, path: `${g.path}\\boot.vhdx`, create: disk('Dynamic', 4 * GIB)}),
    drive({kind: 'dvd', role: 'firstboot-media', name: 'seed', controller: {type: 'IDE', number: 1, location: 0}, path: `${g.path}\\seed.iso`}),
    drive({kind: 'hdd', role: 'data', name: 'data1', controller: {type: 'SCSI', number: 0, location: 0}, path: `${g.path}\\data1.vhdx`, create: disk('Dynamic', 1 * GIB)}),
  ]
  g.networkAdapters = [{name: 'Net', switch: 'Lab', legacy: false, vlan: null, jumboPacket: null, vmq: false, macAddress: null, macSpoofing: false, ipConfig: null}]
  // Every service by GUID, one of them off (the host's default is on).
  for (const s of g.integration.services) s.enabled = s.key !== 'timeSynchronization'
  g.bootOrder = ['IDE', 'CD', 'LegacyNetworkAdapter', 'Floppy']
  g.checkpoints = checkpoints
  g.start = start
  return g
}

function gen2Guest(base: any, name: string): any {
  const g = clone(base)
  g.name = name
  g.hostname = name
  g.path = `${ROOT}\\${name}`
  g.generation = 2
  g.drives = [drive({kind: 'hdd', role: 'boot', name: 'boot', controller: {type: 'SCSI', number: 0, location: 0}, path: `${g.path}\\boot.vhdx`, create: disk('Dynamic', 4 * GIB)})]
  g.networkAdapters = [{name: 'Net', switch: 'Lab', legacy: false, vlan: null, jumboPacket: null, vmq: false, macAddress: null, macSpoofing: false, ipConfig: null}]
  g.bootOrder = ['SCSI 0:0']
  g.firmware = {secureBoot: 'on', secureBootTemplate: 'MicrosoftUEFICertificateAuthority'}
  g.checkpoints = 'standard'
  g.start = false
  return g
}

const seed = (g: any) => [{path: `${g.path}\\seed.iso`, contentBase64: Buffer.from(SEED_TEXT).toString('base64')}]

/** Every file and folder of the host (relative local paths; folders end in /), but the runtime's own .hvguest records. */
function tree(host: EmuHost): string[] {
  const own = host.local(`${ROOT}\\.hvguest`)
  const out: string[] = []
  const walk = (dir: string) => {
    for (const e of readdirSync(dir).sort()) {
      const p = join(dir, e)
      // The state file and the emulator's lock beside it are the host's bookkeeping, not its files.
      if (p === own || p === host.stateFile || p === `${host.stateFile}.lock`) continue
      if (statSync(p).isDirectory()) {
        out.push(relative(host.dir, p) + '/')
        walk(p)
      } else out.push(relative(host.dir, p))
    }
  }
  walk(host.dir)
  return out
}

/**
 * A fresh emulated host of this OS, as the harness's sessions take it. The hosts of every OS are
 * built in ONE pwsh (prebuildEmulatorProjects), not one pwsh each: that is most of this file's time.
 */
function hostOf(os: Os, files: Array<{path: string; text: string}>): EmuHost {
  const p = makeEmulatorProject({hostOs: os})
  const dir = dirname(p.stateFile)
  const host: EmuHost = {
    dir,
    stateFile: p.stateFile,
    state: () => p.state(),
    local(winPath: string) {
      const m = /^([A-Za-z]):[\\/]?(.*)$/.exec(winPath)
      if (!m) throw new Error(`not a drive path: ${winPath}`)
      const root = (p.state().drives as Record<string, string>)[m[1].toUpperCase()]
      if (root === undefined) throw new Error(`the emulated host has no drive ${m[1]}:`)
      return join(dir, root, ...m[2].split(/[\\/]/).filter(Boolean))
    },
  }
  for (const f of files) {
    mkdirSync(dirname(host.local(f.path)), {recursive: true})
    writeFileSync(host.local(f.path), f.text)
  }
  return host
}

interface OsRun {
  os: Os
  host: EmuHost
  plan: any
  before: string[]
  beforeVms: unknown
  /** The host's state and files after commit, before destroy. */
  created: any
  createdTree: string[]
  /** After destroy (and on 2012 the refused Generation 2 run). */
  destroyedTree: string[]
  destroyedVms: unknown
  /** The emulator alone (batch 3): New-VM -Path C:\\Raw then Remove-VM, the VM as Get-VM gave it, and the files left. */
  raw: {path: string; has: boolean; auto: boolean | null; generation: boolean; firmware: boolean; cached: boolean}
  rawTree: string[]
  bootstrap: Answer
  stray: string[]
  answers: Record<string, Answer>
}

const runs = new Map<Os, OsRun>()

/**
 * One line (the harness's raw lines are one line each): the emulated New-VM and Remove-VM, no
 * runtime; and what the runtime's capability checks answer in this session (cached: create-guest
 * asked about Set-VM already).
 */
const RAW_VM =
  "$vm = New-VM -Name 'raw1' -Path 'C:\\Raw' -NoVHD -MemoryStartupBytes 512MB; " +
  '$m = Get-Module HvGuest; ' +
  "[Console]::Out.WriteLine('RAW ' + (ConvertTo-Json -Compress -InputObject @{ path = [string]$vm.Path; has = [bool]($vm.PSObject.Properties.Name -contains 'AutomaticCheckpointsEnabled'); auto = $vm.AutomaticCheckpointsEnabled; " +
  "generation = (& $m { Test-HvCommandParameter -Command 'New-VM' -Parameter 'Generation' }); firmware = (& $m { Test-HvCommand -Command 'Set-VMFirmware' }); cached = (& $m { $script:HvCommandParameters.ContainsKey('set-vm') }) })); " +
  'Remove-VM -VM $vm -Force'

/**
 * One session per OS. Batch 1: preflight, begin, the guests, commit. The test reads the host,
 * then batch 2: destroy (and on 2012 a second run that asks for a Generation 2 guest).
 */
async function runOs(os: Os): Promise<OsRun> {
  const host = hostOf(os, [{path: `${ROOT}\\web2\\notes.txt`, text: NOTES}, {path: `${ROOT}\\keep\\file.txt`, text: SIBLING}])
  const plan = singleGuestPlan('ubuntu-2204')
  plan.hosts[0].os = os
  plan.hosts[0].network = {jumbo: [], chimney: null, vmq: null}
  const base = plan.guests[0]
  plan.guests = [
    // Started where a start would take an automatic checkpoint (the emulator's boot costs time).
    gen1Guest(base, 'web1', null, CLIENT(os)),
    ...(EXTRA[os].includes('web2') ? [gen1Guest(base, 'web2', 'standard', CLIENT(os))] : []),
    ...(EXTRA[os].includes('g2') ? [gen2Guest(base, 'g2')] : []),
  ]
  const names: string[] = plan.guests.map((g: any) => g.name)
  const before = tree(host)
  const beforeVms = host.state().vms ?? []
  const runId = `run-${os}`
  const create = [
    {action: 'preflight', plan, replace: false},
    {action: 'begin', runId, host: plan.hosts[0], vmRoot: ROOT, lockTimeoutSeconds: 10},
    ...plan.guests.map((g: any) => ({action: 'create-guest', runId, guest: g, replace: false, media: g.generation === 1 ? seed(g) : []})),
    {action: 'commit', runId},
  ]
  const createLabels = ['preflight', 'begin', ...names, 'commit']
  const destroy: Array<Record<string, unknown>> = [{action: 'destroy', names, keepDisks: false, vmRoot: ROOT, lockTimeoutSeconds: 10}]
  const destroyLabels = ['destroy']
  if (os === 'windows-server-2012') {
    destroy.push(
      {action: 'begin', runId: 'run-gen2', host: plan.hosts[0], vmRoot: ROOT, lockTimeoutSeconds: 10},
      {action: 'create-guest', runId: 'run-gen2', guest: gen2Guest(base, 'g2'), replace: false},
      {action: 'rollback', runId: 'run-gen2'},
    )
    destroyLabels.push('begin-gen2', 'gen2', 'rollback-gen2')
  }
  // Generous ceilings: only a machine under heavy load comes near them.
  const session = await openLiveSession(host, {timeoutMs: 240_000})
  try {
    const first = await session.send(create)
    const created = host.state()
    const createdTree = tree(host)
    const second = await session.send(destroy)
    const destroyedTree = tree(host)
    const destroyedVms = host.state().vms ?? []
    const third = await session.send([{raw: RAW_VM}])
    const rawLine = third.stray.find((l) => l.startsWith('RAW '))
    if (!rawLine) throw new Error(`${os}: the emulator check printed nothing: ${JSON.stringify(third)}`)
    const answers: Record<string, Answer> = Object.fromEntries([...createLabels.map((l, i) => [l, first.answers[i]]), ...destroyLabels.map((l, i) => [l, second.answers[i]])])
    return {
      os, host, plan, before, beforeVms, created, createdTree, destroyedTree, destroyedVms, raw: JSON.parse(rawLine.slice(4)), rawTree: tree(host),
      bootstrap: session.bootstrap, stray: [...first.stray, ...second.stray], answers,
    }
  } finally {
    await session.close()
  }
}

beforeAll(async () => {
  prebuildEmulatorProjects(OSES.map((hostOs) => ({hostOs})))
  for (const r of await Promise.all(OSES.map((os) => runOs(os)))) runs.set(r.os, r)
}, 400_000)

const get = (os: Os) => runs.get(os)!
const answer = (r: OsRun, label: string) => {
  const a = r.answers[label]
  expect(a, `${r.os}: no answer for ${label}`).toBeDefined()
  expect(a.ok, `${r.os} ${label}: ${JSON.stringify(a.error)}`).toBe(true)
  return a
}
const vmOf = (r: OsRun, name: string) => r.created.vms.find((v: any) => v.name === name)
const setVmDetail = (r: OsRun, name: string) => answer(r, name).progress.find((p) => p.step === 'set-vm')?.detail ?? ''
const local = (r: OsRun, winPath: string) => relative(r.host.dir, r.host.local(winPath))

describe.each(OSES)('the runtime on an emulated %s host', (os) => {
  it('creates the Generation 1 guest as planned: IDE boot disk, first-boot DVD, SCSI data disk, adapter, services by GUID', () => {
    const r = get(os)
    expect(r.bootstrap.ok, JSON.stringify(r.bootstrap.error)).toBe(true)
    expect(r.stray).toEqual([])
    for (const l of ['preflight', 'begin', 'web1', 'commit']) answer(r, l)
    expect(answer(r, 'preflight').data.problems).toEqual([])
    const vm = vmOf(r, 'web1')
    expect(vm.generation).toBe(1)
    const slots = [...vm.hardDrives.map((d: any) => `hdd ${d.controllerType} ${d.controllerNumber}:${d.controllerLocation} ${d.path}`), ...vm.dvdDrives.map((d: any) => `dvd ${d.controllerType ?? 'IDE'} ${d.controllerNumber}:${d.controllerLocation} ${d.path}`)]
    expect(slots.sort()).toEqual([`dvd IDE 1:0 ${ROOT}\\web1\\seed.iso`, `hdd IDE 0:0 ${ROOT}\\web1\\boot.vhdx`, `hdd SCSI 0:0 ${ROOT}\\web1\\data1.vhdx`])
    expect(r.createdTree).toContain(local(r, `${ROOT}\\web1\\seed.iso`))
    expect(vm.networkAdapters.map((a: any) => [a.name, a.switchName, a.isLegacy])).toEqual([['Net', 'Lab', false]])
    const enabled = Object.fromEntries(vm.integrationServices.map((s: any) => [s.guid.toUpperCase(), s.enabled]))
    for (const s of r.plan.guests[0].integration.services) expect(enabled[s.id.toUpperCase()], `${os} ${s.name}`).toBe(s.enabled)
    expect(vm.state).toBe(CLIENT(os) ? 'Running' : 'Off')
    expect(answer(r, 'web1').data.warnings).toEqual([])
  })

  it('keeps the VM\'s own files in the guest folder (New-VM -Path P makes P\\<name>\\Virtual Machines)', () => {
    const r = get(os)
    const vm = vmOf(r, 'web1')
    // The runtime passes the guest folder's parent, so the VM is the guest folder.
    expect(vm.path).toBe(`${ROOT}\\web1`)
    const configDir = local(r, `${ROOT}\\web1\\Virtual Machines`)
    const config = r.createdTree.filter((f) => f.startsWith(`${configDir}/`) && f !== `${configDir}/`)
    expect(config.length).toBeGreaterThan(0)
    for (const f of config) expect(f.slice(configDir.length + 1).toLowerCase().startsWith(vm.id.toLowerCase()), f).toBe(true)
    expect(answer(r, 'web1').data.directories).toEqual(expect.arrayContaining([`${ROOT}\\web1`]))
  })

  it('turns automatic checkpoints off where the host has them, so a started guest has no checkpoint', () => {
    const r = get(os)
    const vm = vmOf(r, 'web1')
    if (HAS_AUTOMATIC_CHECKPOINTS(os)) {
      expect(setVmDetail(r, 'web1')).toContain('automatic checkpoints off')
      expect(vm.automaticCheckpointsEnabled).toBe(false)
    } else {
      // This host's module has no automatic checkpoints: nothing to turn off, nothing reported.
      expect(setVmDetail(r, 'web1')).not.toContain('automatic')
      expect('automaticCheckpointsEnabled' in vm).toBe(false)
    }
    expect(vm.checkpoints).toEqual([])
  })

  it('the emulator alone: New-VM -Path P makes P\\<name>\\Virtual Machines, Remove-VM leaves the folders; automatic checkpoints as this OS has them', () => {
    const r = get(os)
    expect(r.raw.path).toBe('C:\\Raw\\raw1')
    const configDir = `${local(r, 'C:\\Raw\\raw1\\Virtual Machines')}/`
    // The configuration files are gone with the VM; the folders New-VM made stay, empty.
    expect(r.rawTree.filter((f) => !r.destroyedTree.includes(f))).toEqual([`${local(r, 'C:\\Raw')}/`, `${local(r, 'C:\\Raw\\raw1')}/`, configDir])
    expect(r.raw.has).toBe(HAS_AUTOMATIC_CHECKPOINTS(os))
    if (r.raw.has) expect(r.raw.auto).toBe(CLIENT(os))
  })

  it('asks the cmdlets, once per session: New-VM -Generation and Set-VMFirmware exist from 2012 R2 on', () => {
    const r = get(os)
    expect(r.raw.generation).toBe(os !== 'windows-server-2012')
    expect(r.raw.firmware).toBe(os !== 'windows-server-2012')
    expect(r.raw.cached).toBe(true)
  })

  it('destroys what it made and nothing else: the host is as it was before the run', () => {
    const r = get(os)
    const destroyed = answer(r, 'destroy').data.guests
    expect(destroyed.map((g: any) => g.name).sort()).toEqual(r.plan.guests.map((g: any) => g.name).sort())
    expect(r.createdTree).toContain(`${local(r, `${ROOT}\\web1\\Virtual Machines`)}/`)
    expect(r.destroyedVms).toEqual(r.beforeVms)
    expect(r.destroyedTree).toEqual(r.before)
    expect(readFileSync(r.host.local(`${ROOT}\\web2\\notes.txt`), 'utf8')).toBe(NOTES)
    expect(readFileSync(r.host.local(`${ROOT}\\keep\\file.txt`), 'utf8')).toBe(SIBLING)
  })
})

describe('a folder that existed before, and a planned checkpoint type', () => {
  it('2012: no -CheckpointType, so a warning in the answer and no checkpoint setting', () => {
    const r = get('windows-server-2012')
    expect(answer(r, 'web2').data.warnings).toEqual([
      {code: 'setting-unsupported-host', setting: 'checkpoints', message: expect.stringContaining('Set-VM has no -CheckpointType: the setting is not applied (its checkpoints are standard ones, as planned)')},
    ])
    expect(setVmDetail(r, 'web2')).not.toContain('checkpoints')
    expect(vmOf(r, 'web2').checkpointType).toBe('Standard') // the only kind a 2012 host has
  })

  it('Windows 11: applied, no warning, and the host\'s automatic checkpoints kept (a checkpoint at start)', () => {
    const r = get('windows-11')
    expect(answer(r, 'web2').data.warnings).toEqual([])
    expect(vmOf(r, 'web2').checkpointType).toBe('Standard')
    expect(setVmDetail(r, 'web2')).not.toContain('automatic')
    expect(vmOf(r, 'web2').automaticCheckpointsEnabled).toBe(true)
    expect(vmOf(r, 'web2').checkpoints).toHaveLength(1)
  })

  it('destroy removes only the Virtual Machines folder New-VM added to the existing folder', () => {
    for (const os of ['windows-server-2012', 'windows-11'] as const) {
      const r = get(os)
      expect(answer(r, 'web2').data.directories, os).toEqual([`${ROOT}\\web2\\Virtual Machines`])
      expect(r.before, os).toContain(local(r, `${ROOT}\\web2\\notes.txt`))
      expect(r.createdTree, os).toContain(`${local(r, `${ROOT}\\web2\\Virtual Machines`)}/`)
    }
  })
})

describe('Generation 2 where the host has it', () => {
  it('2012 R2: created, with warnings for the secure boot template and checkpoint type it cannot take', () => {
    const r = get('windows-server-2012r2')
    expect(vmOf(r, 'g2').generation).toBe(2)
    expect(answer(r, 'g2').data.warnings).toEqual([
      {code: 'setting-unsupported-host', setting: 'firmware.secureBootTemplate', message: expect.stringContaining('Set-VMFirmware has no -SecureBootTemplate')},
      {code: 'setting-unsupported-host', setting: 'checkpoints', message: expect.stringContaining('Set-VM has no -CheckpointType')},
    ])
    const firmware = answer(r, 'g2').progress.find((p) => p.step === 'set-firmware')?.detail ?? ''
    expect(firmware).toContain('secure boot On')
    expect(firmware).not.toContain('template')
  })

  it('2016: the template and the checkpoint type are applied, no warning', () => {
    const r = get('windows-server-2016')
    expect(answer(r, 'g2').data.warnings).toEqual([])
    expect(vmOf(r, 'g2').firmware.secureBootTemplate).toBe('MicrosoftUEFICertificateAuthority')
    expect(vmOf(r, 'g2').checkpointType).toBe('Standard')
  })

  it('2012: refused before any change, naming what the host can make', () => {
    const r = get('windows-server-2012')
    const refused = r.answers.gen2
    expect(refused.ok).toBe(false)
    expect(refused.error).toMatchObject({step: 'new-vm', cmdlet: 'New-VM', category: 'InvalidArgument'})
    expect(refused.error!.message).toContain('Generation 1 VMs only')
    expect(refused.data.steps).toBe(0)
    answer(r, 'rollback-gen2')
    expect(r.destroyedVms).toEqual(r.beforeVms)
    expect(r.destroyedTree).toEqual(r.before)
  })
})
