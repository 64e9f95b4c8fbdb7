/**
 * Issue 3, item 6: `create` through the BUILT CLI, real pwsh, an emulated host. Each test
 * starts from a fresh emulator state made by the emulator itself.
 */
import {spawn} from 'node:child_process'
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {stringify} from 'yaml'
import {makeEmulatorProject, type EmulatorProject} from '../helpers/emulator-project.js'
import {BIN, runCli} from '../helpers/run-cli.js'

const PARENT = 'C:\\Images\\base.vhdx'

/** A Gen1 template that exercises every mutating step the runtime has. */
function writeTemplate(p: EmulatorProject, over: Record<string, unknown> = {}, name = 'lab'): string {
  mkdirSync(join(p.dir, 'templates'), {recursive: true})
  const file = join(p.dir, 'templates', `${name}.yaml`)
  writeFileSync(
    file,
    stringify({
      apiVersion: 'hvguest/v1',
      kind: 'GuestTemplate',
      metadata: {name},
      spec: {
        os: {family: 'linux', distro: 'ubuntu', version: '22.04'},
        notes: 'built by the e2e test',
        processors: 2,
        memory: {startup: '2GB', dynamic: true, minimum: '1GB', maximum: '4GB'},
        bootDisk: {parent: PARENT},
        dataDisks: [
          {name: 'data1', size: '10GB', blockSize: '1MB'},
          {name: 'pinned', size: '5GB', controller: {type: 'scsi', number: 1, location: 3}},
        ],
        dvdDrives: [{}],
        networkAdapters: [{switch: 'Lab', vlan: 20}],
        integration: {services: {guestServiceInterface: true, timeSynchronization: false}},
        ...over,
      },
    }),
  )
  return file
}

/** The base image a differencing boot disk needs: it exists before the run and must survive it. */
function makeParent(p: EmulatorProject): void {
  const r = p.pwsh("New-Item -ItemType Directory -Path 'C:\\Images' -Force | Out-Null; New-VHD -Path 'C:\\Images\\base.vhdx' -SizeBytes 30GB -Dynamic | Out-Null")
  if (r.code !== 0) throw new Error(r.stderr + r.stdout)
}

function project(opts: Parameters<typeof makeEmulatorProject>[0] = {}): EmulatorProject {
  const p = makeEmulatorProject({profile: 'intel-10g', ...opts})
  makeParent(p)
  return p
}

const create = (p: EmulatorProject, args: string[], env: Record<string, string> = {}) => runCli(['create', ...args], {cwd: p.dir, env})
const vm = (p: EmulatorProject, name: string) => p.state().vms.find((v: {name: string}) => v.name === name)
const slotOf = (d: {controllerType: string; controllerNumber: number; controllerLocation: number}) => `${d.controllerType} ${d.controllerNumber}:${d.controllerLocation}`

describe('create against an emulated host', () => {
  it('leaves the Gen1 layout in the host state equal to the plan, slot for slot', () => {
    const p = project()
    writeTemplate(p)
    const planned = JSON.parse(runCli(['plan', 'lab', '--name', 'web1', '--json'], {cwd: p.dir}).stdout).guests[0]
    const r = create(p, ['lab', '--name', 'web1', '--json'])
    expect(r.code, r.stdout + r.stderr).toBe(0)
    expect(JSON.parse(r.stdout).guests[0]).toMatchObject({name: 'web1', status: 'created'})
    const v = vm(p, 'web1')
    const actual = [...v.hardDrives.map((d: any) => `${slotOf(d)} hdd ${d.path}`), ...v.dvdDrives.map((d: any) => `${slotOf(d)} dvd ${d.path}`)].sort()
    const expected = planned.drives.map((d: any) => `${d.controller.type} ${d.controller.number}:${d.controller.location} ${d.kind} ${d.path}`).sort()
    expect(actual).toEqual(expected)
    expect(v.networkAdapters.map((a: any) => [a.name, a.switchName, a.isLegacy, a.vlan.accessVlanId])).toEqual([['Network Adapter', 'Lab', false, 20]])
    expect(v.bios.startupOrder).toEqual(planned.bootOrder)
    expect(v.processorCount).toBe(2)
    const ics = Object.fromEntries(v.integrationServices.map((s: any) => [s.guid.toUpperCase(), s.enabled]))
    for (const s of planned.integration.services) expect(ics[s.id.toUpperCase()], s.name).toBe(s.enabled)
  })

  it('applies the profile host settings, and rollback restores them', () => {
    const p = project()
    writeTemplate(p)
    const jumbo = (s: any) =>
      s.netAdapters.map((n: any) => [n.name, n.advancedProperties.find((a: any) => a.registryKeyword === '*JumboPacket')?.registryValue])
    const before = jumbo(p.state())
    expect(create(p, ['lab', '--name', 'web1']).code).toBe(0)
    expect(jumbo(p.state())).toEqual(before.map(([n, v]: [string, string]) => [n, v === undefined ? v : '9014']))
    const q = project()
    writeTemplate(q)
    const qBefore = q.state()
    const failed = create(q, ['lab', '--name', 'web1'], {HVGUEST_EMULATOR_FAIL: 'Set-VMBios:1'})
    expect(failed.code).toBe(1)
    expect(q.state()).toEqual(qBefore)
  })

  // Every mutating cmdlet the run calls, with how many calls this template makes of it.
  const MUTATING: Array<[string, number]> = [
    ['Set-NetAdapterAdvancedProperty', 2],
    ['New-VHD', 3],
    ['New-VM', 1],
    ['Remove-VMNetworkAdapter', 1],
    ['Remove-VMDvdDrive', 1],
    ['Set-VMProcessor', 1],
    ['Set-VMMemory', 1],
    ['Add-VMScsiController', 1],
    ['Add-VMHardDiskDrive', 3],
    ['Add-VMDvdDrive', 1],
    ['Add-VMNetworkAdapter', 1],
    ['Set-VMNetworkAdapterVlan', 1],
    ['Set-VMNetworkAdapter', 1],
    ['Set-VMBios', 1],
    ['Enable-VMIntegrationService', 1],
    ['Disable-VMIntegrationService', 1],
    ['Set-VM', 1],
  ]

  it('a fault at each mutating step: exit 1, state as before, pre-existing files byte-identical', {timeout: 300_000}, () => {
    const p = project()
    writeTemplate(p)
    const state = p.state()
    const files = p.files()
    for (const [cmdlet, calls] of MUTATING) {
      for (let n = 1; n <= calls; n++) {
        const r = create(p, ['lab', '--name', 'web1', '--json'], {HVGUEST_EMULATOR_FAIL: `${cmdlet}:${n}`})
        expect(r.code, `${cmdlet}:${n} ${r.stdout}`).toBe(1)
        const out = JSON.parse(r.stdout)
        expect(out.guests[0].error.cmdlet ?? out.guests[0].error.message, `${cmdlet}:${n}`).toMatch(new RegExp(cmdlet))
        expect(p.state(), `state after ${cmdlet}:${n}`).toEqual(state)
        expect(p.files(), `files after ${cmdlet}:${n}`).toEqual(files)
      }
    }
  })

  it('a killed CLI leaves a journal that recover completes', {timeout: 120_000}, async () => {
    const p = project()
    writeTemplate(p, {dataDisks: Array.from({length: 12}, (_, i) => ({name: `d${i}`, size: '1GB'}))})
    const before = p.state()
    const files = p.files()
    const child = spawn(process.execPath, [BIN, 'create', 'lab', '--name', 'web1'], {cwd: p.dir, detached: true, stdio: ['ignore', 'ignore', 'pipe']})
    await new Promise<void>((resolve, reject) => {
      let seen = ''
      child.stderr.on('data', (b) => {
        seen += b
        // Killed in the middle of attaching disks: the VM and its VHDs exist, the run is not committed.
        if (/add-hard-disk .*d3\.vhdx/.test(seen)) {
          process.kill(-child.pid!, 'SIGKILL')
          resolve()
        }
      })
      child.on('exit', () => reject(new Error(`the run ended before it could be killed: ${seen}`)))
    }).catch((e) => {
      throw e
    })
    await new Promise((r) => child.once('exit', r))
    expect(vm(p, 'web1'), 'the VM exists after the kill').toBeDefined()
    // The host side of a killed CLI may still be finishing the step it was given (as a remote
    // host would); recover leaves a run alone while its process lives, so ask until it is gone.
    let r = runCli(['recover', '--json'], {cwd: p.dir})
    for (let i = 0; i < 60 && JSON.parse(r.stdout).hosts[0].data.skipped.length > 0; i++) {
      await new Promise((done) => setTimeout(done, 1000))
      r = runCli(['recover', '--json'], {cwd: p.dir})
    }
    expect(r.code, r.stdout).toBe(0)
    expect(JSON.parse(r.stdout).hosts[0].data.runs.length, r.stdout).toBe(1)
    expect(p.state(), r.stdout).toEqual(before)
    expect(p.files()).toEqual(files)
  })

  it('two concurrent creates of one name: one VM, and a clear error for the other', async () => {
    const p = project()
    writeTemplate(p)
    const run = () =>
      new Promise<{code: number | null; out: string}>((resolve) => {
        const c = spawn(process.execPath, [BIN, 'create', 'lab', '--name', 'twin', '--json'], {cwd: p.dir})
        let out = ''
        c.stdout.on('data', (b) => (out += b))
        c.on('exit', (code) => resolve({code, out}))
      })
    const [a, b] = await Promise.all([run(), run()])
    expect([a.code, b.code].sort()).toEqual([0, expect.any(Number)])
    const loser = a.code === 0 ? b : a
    expect(loser.code).not.toBe(0)
    expect(loser.out).toMatch(/exist|twin/i)
    expect(p.state().vms.filter((v: {name: string}) => v.name === 'twin')).toHaveLength(1)
  })

  it('hostile values arrive in the host state exactly as given', () => {
    const hostile = `Lab 'q' "d" \`b\` $(whoami); x‘’“” ünï`
    const switchName = `Lab 'q' \`b\` $(whoami); ‘’“” ü`
    const p = project({switches: [switchName]})
    writeTemplate(p, {
      notes: `${hostile}\nsecond line`,
      dataDisks: [{name: `data ‘q’ $(x); ü`, size: '1GB'}],
      networkAdapters: [{switch: '{{sw}}'}],
    })
    // The switch name goes in through a --set value, the notes through the template.
    const yamlFile = join(p.dir, 'templates', 'lab.yaml')
    writeFileSync(yamlFile, readFileSync(yamlFile, 'utf8').replace('metadata:', 'parameters:\n  sw: {type: string}\nmetadata:'))
    const r = create(p, ['lab', '--name', 'web1', '--set', `sw=${switchName}`, '--json'])
    expect(r.code, r.stdout + r.stderr).toBe(0)
    const v = vm(p, 'web1')
    expect(v.notes).toBe(`${hostile}\nsecond line`)
    expect(v.networkAdapters[0].switchName).toBe(switchName)
    expect(v.hardDrives.map((d: any) => d.path)).toContain('C:\\Hyper-V\\web1\\data ‘q’ $(x); ü.vhdx')
  })

  it('a missing pwsh gives exit 2 with how to install it', () => {
    const p = project()
    writeTemplate(p)
    const r = create(p, ['lab', '--name', 'web1'], {HVGUEST_PWSH: join(p.dir, 'no-such-pwsh')})
    expect(r.code).toBe(2)
    expect(r.stderr + r.stdout).toMatch(/dotnet tool install/)
  })

  it('preflight: an existing VM name or a missing parent is exit 2 and changes nothing', () => {
    const p = project()
    writeTemplate(p)
    expect(create(p, ['lab', '--name', 'web1']).code).toBe(0)
    const state = p.state()
    const again = create(p, ['lab', '--name', 'web1'])
    expect(again.code).toBe(2)
    expect(again.stdout + again.stderr).toMatch(/already exists/)
    writeTemplate(p, {bootDisk: {parent: 'C:\\Images\\missing.vhdx'}}, 'orphan')
    const orphan = create(p, ['orphan', '--name', 'web2', '--json'])
    expect(orphan.code).toBe(2)
    expect(JSON.parse(orphan.stdout).problems.map((d: {code: string}) => d.code)).toContain('parent-missing')
    writeTemplate(p, {dataDisks: [{name: 'old', type: 'existing', path: 'C:\\Data\\gone.vhdx'}]}, 'reuse')
    const reuse = create(p, ['reuse', '--name', 'web3', '--json'])
    expect(reuse.code).toBe(2)
    expect(JSON.parse(reuse.stdout).problems).toContainEqual(expect.objectContaining({code: 'disk-missing', guest: 'web3'}))
    expect(p.state()).toEqual(state)
  })

  it('--dry-run shows what would run and changes nothing', () => {
    const p = project()
    writeTemplate(p)
    const state = p.state()
    const r = create(p, ['lab', '--name', 'web1', '--dry-run'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/Would run/)
    expect(r.stdout).toMatch(/Add-VMHardDiskDrive .* at SCSI 1:3/)
    expect(p.state()).toEqual(state)
  })

  it('--emit writes a script that pwsh parses, and that leaves the same state as create', () => {
    const a = project()
    const b = project()
    writeTemplate(a)
    writeTemplate(b)
    expect(create(a, ['lab', '--name', 'web1']).code).toBe(0)
    const script = join(b.dir, 'create-web1.ps1')
    expect(create(b, ['lab', '--name', 'web1', '--emit', script]).code).toBe(0)
    const parsed = b.pwsh(`$t = $null; $e = $null; [void][System.Management.Automation.Language.Parser]::ParseFile('${script}', [ref]$t, [ref]$e); $e.Count`)
    expect(parsed.stdout.trim()).toBe('0')
    const ran = b.pwsh(`& '${script}'; exit $LASTEXITCODE`)
    expect(ran.code, ran.stdout + ran.stderr).toBe(0)
    // Same state but for the identifiers Hyper-V makes up (VM, controller and adapter GUIDs).
    const normal = (s: unknown) => JSON.stringify(s).replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, 'GUID')
    expect(normal(b.state())).toBe(normal(a.state()))
  })

  it('list shows the guest; destroy removes it and only the files hvguest created', () => {
    const p = project()
    writeTemplate(p)
    expect(create(p, ['lab', '--name', 'web1']).code).toBe(0)
    const listed = JSON.parse(runCli(['list', '--json'], {cwd: p.dir}).stdout).hosts[0].data.guests
    expect(listed.map((g: any) => [g.name, g.managed])).toEqual([['web1', true]])
    expect(runCli(['destroy', 'web1'], {cwd: p.dir}).code, 'no --yes without a terminal').toBe(2)
    const d = runCli(['destroy', 'web1', '--yes', '--json'], {cwd: p.dir})
    expect(d.code, d.stdout).toBe(0)
    expect(vm(p, 'web1')).toBeUndefined()
    const left = Object.keys(p.files())
    expect(left.some((f) => f.includes('base.vhdx')), 'the parent image is never deleted').toBe(true)
    expect(left.some((f) => f.includes('web1')), 'every file the run created is gone').toBe(false)
  })
})
