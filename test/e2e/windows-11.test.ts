/**
 * Windows 11 through the BUILT CLI (docs/windows-11.md): the built-in win11 template creates a
 * Generation 2 VM with Secure Boot (MicrosoftWindows), a local key protector and a virtual TPM on an
 * emulated Windows Server 2025 host; a Generation 1 copy of it is refused at plan time at its
 * generation line; on a 2012 R2 host (no virtual TPM) the TPM line is refused and the host is not
 * touched. Few CLI runs: each starts a pwsh.
 */
import {readFileSync, writeFileSync, mkdirSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {beforeAll, describe, expect, it} from 'vitest'
import {makeEmulatorProject, prebuildEmulatorProjects, type EmulatorProjectOptions} from '../helpers/emulator-project.js'
import {runCli} from '../helpers/run-cli.js'

const WIN11_TEMPLATE = fileURLToPath(new URL('../../templates/guests/win11.yaml', import.meta.url))
const WS2025: EmulatorProjectOptions = {
  hostOs: 'windows-server-2025',
  guestTiming: {heartbeatSeconds: 0, addressSeconds: 0},
  setup: "New-HvEmulatorImage -Path 'C:\\Images\\win11.vhdx' -Os 'windows/11' | Out-Null",
}
const WS2012R2: EmulatorProjectOptions = {hostOs: 'windows-server-2012r2'}
beforeAll(() => prebuildEmulatorProjects([WS2025, WS2012R2]), 120_000)

describe('win11 on an emulated Windows Server 2025 host', () => {
  it('creates a Generation 2 VM with Secure Boot, a key protector and the TPM', () => {
    const p = makeEmulatorProject(WS2025)
    const r = runCli(['create', 'win11', '--name', 'w11', '--json'], {cwd: p.dir})
    expect(r.code, r.stdout + r.stderr).toBe(0)
    const result = JSON.parse(r.stdout)
    expect(result.guests[0]).toMatchObject({name: 'w11', status: 'created'})
    const vm = (p.state().vms as any[]).find((v) => v.name === 'w11')
    expect(vm.generation).toBe(2)
    expect(vm.firmware).toMatchObject({secureBoot: 'On', secureBootTemplate: 'MicrosoftWindows'})
    expect(vm.security.keyProtector).toMatchObject({kind: 'Local', guardian: 'UntrustedGuardian'})
    expect(vm.security.tpmEnabled).toBe(true)
    expect(vm.memory).toMatchObject({startupBytes: 4 * 1024 ** 3, dynamicMemoryEnabled: false})
    expect(vm.processorCount).toBe(2)
    expect(vm.hardDrives[0]).toMatchObject({controllerType: 'SCSI', controllerNumber: 0, controllerLocation: 0})
  }, 120_000)

  it('a Generation 1 copy is refused at its generation line (exit 2), nothing created', () => {
    const p = makeEmulatorProject(WS2025)
    mkdirSync(join(p.dir, 'templates'), {recursive: true})
    const text = readFileSync(WIN11_TEMPLATE, 'utf8')
    const lines = text.split('\n')
    const at = lines.findIndex((l) => /^ {2}generation: 2\b/.test(l))
    expect(at).toBeGreaterThan(0)
    const file = join(p.dir, 'templates', 'win11-gen1.yaml')
    writeFileSync(file, text.replace(/^ {2}generation: 2\b/m, '  generation: 1').replace('name: win11\n', 'name: win11-gen1\n'))
    const before = p.files()
    const r = runCli(['create', file, '--name', 'w11g1'], {cwd: p.dir})
    expect(r.code, r.stdout + r.stderr).toBe(2)
    const out = r.stdout + r.stderr
    expect(out).toMatch(new RegExp(`win11-gen1\\.yaml:${at + 1}:15: error \\[os-requires-generation-2\\] Windows 11 runs only on Generation 2 VMs.*set generation: 2`))
    expect(out).toContain('[tpm-gen1]')
    expect(p.state().vms ?? []).toEqual([])
    expect(p.files()).toEqual(before)
  }, 120_000)
})

describe('win11 on an emulated Windows Server 2012 R2 host', () => {
  it('is refused at the TPM line with the reason (exit 2), and the host is not changed', () => {
    const p = makeEmulatorProject(WS2012R2)
    const line = readFileSync(WIN11_TEMPLATE, 'utf8').split('\n').findIndex((l) => /^ {4}tpm: true\b/.test(l)) + 1
    expect(line).toBeGreaterThan(1)
    const state = p.state()
    const files = p.files()
    const r = runCli(['create', 'win11', '--name', 'w11'], {cwd: p.dir})
    expect(r.code, r.stdout + r.stderr).toBe(2)
    expect(r.stdout + r.stderr).toMatch(new RegExp(`win11\\.yaml:${line}:\\d+: error \\[tpm-unsupported-host\\] security\\.tpm: a windows-server-2012r2 host has no virtual TPM \\(Enable-VMTPM and Set-VMKeyProtector arrived with Windows Server 2016 and Windows 10 1511`))
    expect(p.state()).toEqual(state)
    expect(p.files()).toEqual(files)
  }, 120_000)
})
