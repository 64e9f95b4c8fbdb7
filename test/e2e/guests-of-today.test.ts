/**
 * The built-in templates of today's guests (Ubuntu 24.04/26.04, Debian 13, Rocky and AlmaLinux
 * 9/10, Windows Server 2025) created through the BUILT CLI on emulated hosts of a fitting version:
 * Windows Server 2025 for the 2025/26.04/10 releases, 2022 for the others. ONE `create` per host
 * (all its templates in that run: each run starts a pwsh), and the layout read back from the
 * emulator's state and the boot disk's header: boot disk on IDE 0:0 as a differencing child of
 * the template's parent image, the first-boot seed DVD on IDE 1:0, one synthetic adapter on Lab.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {makeEmulatorProject, prebuildEmulatorProjects, type EmulatorProject, type EmulatorProjectOptions} from '../helpers/emulator-project.js'
import {runCli, type CliResult} from '../helpers/run-cli.js'

interface Case {
  template: string
  image: string
  /** os of the emulated image (family/distro/version). */
  os: string
  windows?: boolean
}

const HOST_2025: Case[] = [
  {template: 'ubuntu-2604', image: 'ubuntu-26.04.vhdx', os: 'linux/ubuntu/26.04'},
  {template: 'rocky-10', image: 'rocky-10.vhdx', os: 'linux/rocky/10'},
  {template: 'alma-10', image: 'alma-10.vhdx', os: 'linux/almalinux/10'},
  {template: 'ws2025', image: 'ws2025.vhdx', os: 'windows/2025', windows: true},
]
const HOST_2022: Case[] = [
  {template: 'ubuntu-2404', image: 'ubuntu-24.04.vhdx', os: 'linux/ubuntu/24.04'},
  {template: 'debian-13', image: 'debian-13.vhdx', os: 'linux/debian/13'},
  {template: 'rocky-9', image: 'rocky-9.vhdx', os: 'linux/rocky/9'},
  {template: 'alma-9', image: 'alma-9.vhdx', os: 'linux/almalinux/9'},
]

const ps = (s: string) => `'${s.replaceAll("'", "''")}'`
const hostOptions = (hostOs: string, cases: Case[]): EmulatorProjectOptions => ({
  hostOs,
  guestTiming: {heartbeatSeconds: 0, addressSeconds: 0},
  setup: cases
    .map((c) =>
      c.windows
        ? `New-HvEmulatorImage -Path ${ps(`C:\\Images\\${c.image}`)} -Os ${ps(c.os)} | Out-Null`
        : `New-HvEmulatorImage -Path ${ps(`C:\\Images\\${c.image}`)} -Os ${ps(c.os)} -Software 'cloud-init','openssh-server' | Out-Null`,
    )
    .join('\n'),
})
const WS2025 = hostOptions('windows-server-2025', HOST_2025)
const WS2022 = hostOptions('windows-server-2022', HOST_2022)
beforeAll(() => prebuildEmulatorProjects([WS2025, WS2022]), 120_000)

/** The emulator's VHD header (magic line, then one JSON line): format, type, parentPath. */
function vhdHeader(p: EmulatorProject, windowsPath: string): Record<string, any> {
  const text = readFileSync(join(p.dir, '.hvguest', 'drives', 'C', ...windowsPath.slice(3).split('\\'))).toString('utf8')
  const [magic, json] = text.split('\n', 2)
  expect(magic).toBe('HVEMU-VHD/1')
  return JSON.parse(json)
}

function createAll(opts: EmulatorProjectOptions, cases: Case[]): {p: EmulatorProject; r: CliResult} {
  const p = makeEmulatorProject(opts)
  const r = runCli(['create', ...cases.map((c) => c.template), '--set', 'adminPassword=S3cret pass!', '--json'], {cwd: p.dir})
  return {p, r}
}

function expectLayout(p: EmulatorProject, r: CliResult, cases: Case[]) {
  expect(r.code, r.stdout + r.stderr).toBe(0)
  const out = JSON.parse(r.stdout)
  expect(out.status).toBe('ok')
  expect(out.guests).toHaveLength(cases.length)
  const vms = p.state().vms as any[]
  for (const [i, c] of cases.entries()) {
    const g = out.guests[i]
    expect(g, c.template).toMatchObject({status: 'created', error: null, warnings: []})
    const vm = vms.find((v) => v.name === g.name)
    expect(vm, `${c.template}: VM ${g.name} in the host state`).toBeDefined()
    expect(vm, c.template).toMatchObject({generation: 1, state: 'Off', path: `C:\\Hyper-V\\${g.name}`})
    expect(vm.hardDrives, c.template).toEqual([
      expect.objectContaining({controllerType: 'IDE', controllerNumber: 0, controllerLocation: 0, path: `C:\\Hyper-V\\${g.name}\\${g.name}-boot.vhdx`}),
    ])
    expect(vhdHeader(p, vm.hardDrives[0].path), c.template).toMatchObject({type: 'Differencing', parentPath: `C:\\Images\\${c.image}`})
    expect(vm.dvdDrives, c.template).toEqual([
      expect.objectContaining({controllerType: 'IDE', controllerNumber: 1, controllerLocation: 0, path: `C:\\Hyper-V\\${g.name}\\${g.name}-firstboot.iso`}),
    ])
    expect(
      vm.networkAdapters.map((a: any) => [a.switchName, a.isLegacy, a.vlan.mode]),
      c.template,
    ).toEqual([['Lab', false, 'Untagged']])
    // Linux templates turn Guest Service Interface on (Copy-VMFile); ws2025 leaves Hyper-V's default.
    const gsi = vm.integrationServices.find((s: any) => s.guid.toUpperCase() === '6C09BB55-D683-4DA0-8931-C9BF705F6480')
    expect(gsi?.enabled, `${c.template}: Guest Service Interface`).toBe(!c.windows)
  }
}

describe("today's guests from the built-in templates", {timeout: 120_000}, () => {
  it('on a Windows Server 2025 host: ubuntu-2604, rocky-10, alma-10, ws2025', () => {
    const {p, r} = createAll(WS2025, HOST_2025)
    expectLayout(p, r, HOST_2025)
  })

  it('on a Windows Server 2022 host: ubuntu-2404, debian-13, rocky-9, alma-9', () => {
    const {p, r} = createAll(WS2022, HOST_2022)
    expectLayout(p, r, HOST_2022)
  })
})
