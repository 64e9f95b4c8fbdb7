/**
 * The wire protocol (docs/execution.md section 3) as a pwsh session sees it: stdout carries
 * only `{"hvguest":1,…}` lines, exactly one result per request and last; errors are results
 * (step, cmdlet, the cmdlet's own message, category), never a thrown error; noise from the
 * commands the runtime calls (warnings, Write-Host, information, verbose, debug, direct console
 * writes, stray output objects) never reaches stdout. Also: facts and preflight.
 */
import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {newHost, runSession, runShared} from '../fixtures/runtime/harness.js'
import {RICH_HOST, richGen1Plan, singleGuestPlan, UBUNTU_PARENT} from '../fixtures/runtime/plans.js'

/** Global functions shadowing emulated cmdlets: each writes to every stream, then does its job. */
const NOISE = [
  // Loaded first: a module loaded later would replace the shadowing functions with its own.
  'Import-Module -Name Hyper-V, NetAdapter -Global',
  "function global:Get-VMSwitch { Write-Warning 'noise: warning'; Write-Host 'noise: host'; Write-Information 'noise: information'; Write-Verbose 'noise: verbose' -Verbose; Write-Debug 'noise: debug' -Debug; [Console]::Out.WriteLine('noise: console'); [Console]::Error.WriteLine('noise: stderr'); 'noise: output object'; Hyper-V\\Get-VMSwitch @args }",
  "function global:New-VHD { [CmdletBinding()] param($Path, $SizeBytes, $ParentPath, [switch]$Differencing, [switch]$Dynamic, [switch]$Fixed, $BlockSizeBytes, $LogicalSectorSizeBytes, $PhysicalSectorSizeBytes) Write-Warning 'noise: New-VHD warning'; Write-Host 'noise: New-VHD host'; [Console]::Out.WriteLine('noise: New-VHD console'); Hyper-V\\New-VHD @PSBoundParameters }",
  "function global:Set-NetAdapterAdvancedProperty { Write-Warning 'noise: restart the adapter'; Write-Host 'noise: adapter host'; NetAdapter\\Set-NetAdapterAdvancedProperty @args }",
]

describe('the protocol', () => {
  it('answers every request with exactly one result line, errors included, and nothing else on stdout', () => {
    const host = newHost()
    const requests = [
      {raw: "Invoke-HvGuestRequest -RequestBase64 'not base64 at all!'"},
      {raw: `Invoke-HvGuestRequest -RequestBase64 '${Buffer.from('{"action": "facts",', 'utf8').toString('base64')}'`},
      {raw: `Invoke-HvGuestRequest -RequestBase64 '${Buffer.from('[1, 2]', 'utf8').toString('base64')}'`},
      {raw: "Invoke-HvGuestRequest -RequestBase64 ''"},
      {action: 'no-such-action'},
      {action: 'begin'},
      {action: 'rollback', runId: '..\\..\\Windows'},
      {action: 'create-guest', runId: 'never-begun', guest: {name: 'x'}},
      {action: 'destroy', names: ['nobody'], vmRoot: 'C:\\Hyper-V'},
    ]
    // The version of the pwsh running the session, read apart from the bootstrap (on stderr, which is not the protocol's).
    const run = runSession(host, [...requests, {raw: "[Console]::Error.WriteLine('session-psversion=' + $PSVersionTable.PSVersion.ToString())"}])
    expect(run.bootstrap.ok).toBe(true)
    const version = /^session-psversion=(\S+)$/m.exec(run.stderr)?.[1]
    expect(version, run.stderr).toMatch(/^(\d+)\.(\d+)\.(\d+)/)
    expect(Number(version!.split('.')[0])).toBeGreaterThanOrEqual(7)
    expect(run.bootstrap.data).toMatchObject({powershell: version, emulator: true})
    expect(run.stray).toEqual([])
    expect(run.answers).toHaveLength(requests.length)
    // What each must say (docs/execution.md, ps/HvGuest/README.md): a request the runtime cannot
    // read or accept is step 'request', InvalidArgument, no cmdlet; a run that is not active is the
    // journal's ObjectNotFound; only the destroy names a cmdlet (the Get-VM that found no VM).
    const request = {step: 'request', cmdlet: null, category: 'InvalidArgument'}
    const expected = [request, request, request, request, request, request, request, {step: 'journal', cmdlet: null, category: 'ObjectNotFound'}, {step: 'find-vm', cmdlet: 'Get-VM', category: 'ObjectNotFound'}]
    run.answers.forEach((a, i) => {
      expect(a.ok, JSON.stringify(a)).toBe(false)
      expect(a.error).toEqual({...expected[i], message: expect.stringMatching(/\S/)})
    })
    const [b64, json, array, empty, unknown, noRun, traversal, notBegun, nobody] = run.answers
    expect(b64.error).toMatchObject({step: 'request', category: 'InvalidArgument', message: expect.stringMatching(/not base64/)})
    expect(json.error).toMatchObject({step: 'request', message: expect.stringMatching(/not valid JSON/)})
    expect(array.error).toMatchObject({step: 'request', message: 'the request must be a JSON object'})
    expect(empty.error).toMatchObject({step: 'request', message: 'the request is empty'})
    expect(unknown).toMatchObject({action: 'no-such-action', error: {step: 'request', message: expect.stringMatching(/unknown action 'no-such-action'/)}})
    expect(noRun.error!.message).toMatch(/no runId/)
    expect(traversal.error!.message).toMatch(/runId .* is not valid/)
    expect(notBegun).toMatchObject({action: 'create-guest', guest: 'x', error: {step: 'journal', category: 'ObjectNotFound'}})
    expect(nobody.error).toMatchObject({step: 'find-vm', cmdlet: 'Get-VM', category: 'ObjectNotFound'})
  }, 120_000)

  it('keeps stdout clean when the cmdlets it calls write warnings, host text, console text and stray objects', () => {
    const host = newHost(RICH_HOST)
    const plan = richGen1Plan({start: false})
    const run = runSession(host, [
      ...NOISE.map((raw) => ({raw})),
      {action: 'facts'},
      {action: 'preflight', plan, replace: false},
      {action: 'begin', runId: 'run-n1', host: plan.hosts[0], vmRoot: 'C:\\Hyper-V', lockTimeoutSeconds: 5},
      {action: 'create-guest', runId: 'run-n1', guest: plan.guests[0], replace: false},
      {action: 'commit', runId: 'run-n1'},
    ])
    expect(run.stray).toEqual([])
    expect(run.stdout).not.toContain('noise:')
    expect(run.stderr).toContain('noise: stderr') // the shadowing functions really ran
    for (const a of run.answers) expect(a.ok, `${a.action}: ${JSON.stringify(a.error)}`).toBe(true)
    expect(run.answers[0].data.switches.map((s: any) => s.name)).toEqual(['Lab'])
    expect(run.answers[3].progress.filter((p) => p.step === 'new-vhd')).toHaveLength(5)
    // Every stdout line is a protocol line: ASCII only, starting {"hvguest":1,
    for (const line of run.stdout.split('\n').filter(Boolean)) {
      expect(line.startsWith('{"hvguest":1,'), line).toBe(true)
      expect(/^[\x20-\x7e]*$/.test(line), line).toBe(true)
    }
  }, 180_000)

  it('reads values as JSON says: a date-like string stays a string, keys differing only in case are both kept', async () => {
    const host = newHost({parents: [{path: UBUNTU_PARENT}]})
    const plan = singleGuestPlan('ubuntu-2204')
    const g = plan.guests[0]
    g.notes = '2024-01-01T10:00:00Z'
    g.firstBoot = {kind: 'cloudInit', template: 'x', media: 'C:\\Hyper-V\\ubuntu-2204\\cidata.iso', label: 'cidata', values: {user: 'a', User: 'b', when: '2024-01-01T10:00:00'}}
    // commit keeps what the caller says of each guest as data, in the manifest: there both keys
    // must arrive, and the guest's own entry must be found by its exact name (not 'UBUNTU-2204').
    const planned = {template: 'ubuntu-2204', tags: {user: 'a', User: 'b', when: '2024-01-01T10:00:00'}}
    const run = await runShared(host, [
      {action: 'begin', runId: 'run-json', host: plan.hosts[0], vmRoot: 'C:\\Hyper-V', lockTimeoutSeconds: 5},
      {action: 'create-guest', runId: 'run-json', guest: g, replace: false},
      {action: 'commit', runId: 'run-json', guests: {[g.name]: planned, [g.name.toUpperCase()]: {template: 'other', tags: {USER: 'c'}}}},
      {action: 'list', vmRoot: 'C:\\Hyper-V'},
    ])
    for (const a of run.answers) expect(a.ok, `${a.action}: ${JSON.stringify(a.error)}`).toBe(true)
    expect(host.state().vms[0].notes).toBe('2024-01-01T10:00:00Z')
    expect(run.answers[3].data.guests[0].notes).toBe('2024-01-01T10:00:00Z')
    expect(run.answers[2].data.guests.map((x: any) => x.name)).toEqual([g.name])
    const manifest = JSON.parse(readFileSync(host.local(run.answers[2].data.guests[0].manifest), 'utf8'))
    expect(manifest.guest).toEqual({template: 'ubuntu-2204', tags: {user: 'a', User: 'b', when: '2024-01-01T10:00:00'}})
    expect(Object.keys(manifest.guest.tags)).toEqual(['user', 'User', 'when'])
  }, 120_000)

  it('bootstrap failures are a result line too', () => {
    const host = newHost()
    // A state file that does not exist.
    const missing = {...host, stateFile: `${host.stateFile}.missing`}
    const r = runSession(missing, [{action: 'facts'}])
    expect(r.bootstrap.ok).toBe(false)
    expect(r.bootstrap.error).toMatchObject({step: 'emulator', cmdlet: 'Initialize-HvEmulator'})
    expect(r.bootstrap.error!.message).toMatch(/does not exist/)
  }, 120_000)
})

describe('facts', () => {
  it('reports the host: OS, Hyper-V, locale, switches and their NICs, jumbo/VMQ values, chimney, vmguest.iso, space, VMs', () => {
    const host = newHost({hostOs: 'windows-server-2012r2', switches: ['Lab', {Name: 'Internal', Type: 'Internal'}]})
    const r = runSession(host, [{action: 'facts', vmRoot: 'C:\\Hyper-V'}])
    const f = r.answers[0]
    expect(f.ok).toBe(true)
    expect(f.data).toMatchObject({
      hyperV: true,
      locale: 'en-US',
      os: {version: expect.stringMatching(/^6\.3\./)},
      chimney: 'Disabled',
      configurationVersions: null,
      vmguestIso: {path: 'C:\\Windows\\System32\\vmguest.iso', present: true},
      freeBytes: expect.any(Number),
      vmNames: [],
    })
    // A 2012 R2 host has no Get-VMHostSupportedVersion (2016 and later): the runtime asks
    // Get-Command, does not call it, and reports the list as unknown (null), not as an error.
    expect(f.data.errors).toEqual([])
    expect(f.data.switches).toEqual([
      expect.objectContaining({name: 'Lab', type: 'External', nics: ['Ethernet 2'], hostAdapter: 'vEthernet (Lab)'}),
      expect.objectContaining({name: 'Internal', type: 'Internal', nics: [], hostAdapter: 'vEthernet (Internal)'}),
    ])
    const nic = f.data.nics.find((n: any) => n.name === 'Ethernet 2')
    expect(nic.jumboPacket).toEqual({value: '1514', valid: ['1514', '4088', '9014']})
    expect(nic.vmq).toMatchObject({value: '1'})
  }, 120_000)

  it('on a machine without Hyper-V (no emulator): facts still answers, saying so', () => {
    const r = runSession(null, [{action: 'facts', vmRoot: 'C:\\Hyper-V'}])
    expect(r.bootstrap.ok).toBe(true)
    expect(r.stray).toEqual([])
    expect(r.answers[0].ok).toBe(true)
    expect(r.answers[0].data.hyperV).toBe(false)
    expect(r.answers[0].data.errors.map((e: any) => e.cmdlet)).toContain('Get-VMHost')
  }, 120_000)
})

describe('preflight', () => {
  it('finds every problem at once and changes nothing', async () => {
    const host = newHost({files: [{path: 'C:\\Hyper-V\\web1\\data1.vhdx', text: 'someone else'}]})
    const before = host.state()
    const plan = richGen1Plan()
    const g = plan.guests[0]
    g.drives[5].diskNumber = 0 // the host's own (online) boot disk
    g.drives.push({kind: 'hdd', role: 'data', name: 'pass9', controller: {type: 'SCSI', number: 0, location: 9}, path: null, create: null, copyFrom: null, diskNumber: 9, pinned: false})
    g.networkAdapters[1].switch = 'Nope'
    g.floppy = 'C:\\Hyper-V\\boot.vfd'
    plan.hosts[0].network.jumbo = [{switch: 'Lab', value: 9000, targets: ['physical-nic', 'host-vethernet']}, {switch: 'Gone', value: 9014, targets: ['physical-nic']}]
    const offline = singleGuestPlan('ws2012r2-offline').guests[0]
    plan.guests.push(offline)
    const r = await runShared(host, [
      {raw: "New-VM -Name 'web1' -Generation 1 -NoVHD -MemoryStartupBytes 1GB | Out-Null"},
      {action: 'preflight', plan, replace: false},
    ])
    const p = r.answers[0]
    expect(p.ok, JSON.stringify(p.error)).toBe(true)
    const codes = p.data.problems.map((x: any) => `${x.code}:${x.guest ?? '-'}`).sort()
    expect(codes).toEqual(
      [
        'jumbo-value-invalid:-',
        'jumbo-value-invalid:-',
        'switch-missing:-',
        'vm-exists:web1',
        'parent-missing:web1',
        'iso-missing:web1',
        'target-exists:web1',
        'passthrough-disk-online:web1',
        'passthrough-disk-missing:web1',
        'switch-missing:web1',
        'floppy-unsupported:web1',
        'parent-missing:ws12off',
        'offline-package-missing:ws12off',
      ].sort(),
    )
    for (const x of p.data.problems) expect(x.message).toMatch(/\S/)
    const after = host.state()
    after.vms = after.vms.filter((v: any) => v.name !== 'web1')
    expect(after).toEqual(before)
  }, 120_000)

  it('passes a plan the host is ready for', async () => {
    const host = newHost({parents: [{path: UBUNTU_PARENT}]})
    const r = await runShared(host, [{action: 'preflight', plan: singleGuestPlan('ubuntu-2204'), replace: false}])
    expect(r.answers[0].ok).toBe(true)
    expect(r.answers[0].data.problems).toEqual([])
  }, 120_000)
})
