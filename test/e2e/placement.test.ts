/**
 * Placement by free memory through the BUILT CLI, with three emulated hosts of 16, 32 and 8 GB
 * (free memory: that, less 2 GB for the host, less every running guest's): `plan` shows where
 * each guest goes and why, a guest that fits nowhere is exit 2 with nothing changed on any host,
 * and a guest that starts takes its memory from its host, so the next plan sees less there. A lab
 * is placed the same way, with its internal network's guests together, and they stay where the
 * lab made them.
 */
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {parse, stringify} from 'yaml'
import {makeEmulatorProject, prebuildEmulatorProjects, type EmulatorProject, type EmulatorProjectOptions} from '../helpers/emulator-project.js'
import {runCli, type CliResult} from '../helpers/run-cli.js'

const GB = 2 ** 30
const HOSTS: EmulatorProjectOptions = {
  memoryBytes: 16 * GB,
  switches: ['Lab'],
  guestTiming: {heartbeatSeconds: 0, addressSeconds: 0},
  // Each host in a folder of its own: an emulated host's drives are beside its state file.
  setup: [
    "New-HvEmulatorState -Path '.hvguest/b/state.json' -Switches 'Lab' -MemoryBytes 32GB -GuestHeartbeatSeconds 0 -GuestAddressSeconds 0 | Out-Null",
    "New-HvEmulatorState -Path '.hvguest/c/state.json' -Switches 'Lab' -MemoryBytes 8GB -GuestHeartbeatSeconds 0 -GuestAddressSeconds 0 | Out-Null",
  ].join('\n'),
}
beforeAll(() => prebuildEmulatorProjects([HOSTS]), 300_000)

const STATES = {a: '.hvguest/emulator-state.json', b: '.hvguest/b/state.json', c: '.hvguest/c/state.json'}

/** The project with its three hosts in one inventory, and a template of `memory` startup memory. */
function project(memory = '8GB', reserveOfC?: string): EmulatorProject {
  const p = makeEmulatorProject(HOSTS)
  const host = (name: keyof typeof STATES) => ({
    name,
    transport: 'emulator',
    os: 'windows-server-2022',
    vmRoot: 'C:\\Hyper-V',
    switches: ['Lab'],
    emulator: {stateFile: STATES[name]},
    ...(name === 'c' && reserveOfC ? {memoryReserve: reserveOfC} : {}),
  })
  writeFileSync(join(p.dir, 'hosts.yaml'), stringify({apiVersion: 'hvguest/v1', kind: 'HostInventory', hosts: [host('a'), host('b'), host('c')]}))
  mkdirSync(join(p.dir, 'templates'), {recursive: true})
  writeFileSync(
    join(p.dir, 'templates', 'web.yaml'),
    stringify({apiVersion: 'hvguest/v1', kind: 'GuestTemplate', metadata: {name: 'web'}, spec: {os: {family: 'linux', distro: 'ubuntu', version: '22.04'}, memory: {startup: memory}, bootDisk: {size: '20GB'}, networkAdapters: [{switch: 'Lab'}]}}),
  )
  return p
}

const json = (r: CliResult): any => {
  try {
    return JSON.parse(r.stdout)
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`)
  }
}
const states = (p: EmulatorProject) => Object.values(STATES).map((s) => readFileSync(join(p.dir, s), 'utf8'))

describe('placement by free memory', {timeout: 120_000}, () => {
  it('plan: each guest on the host with the most available, and why; memory counted as the run places it', () => {
    const p = project('8GB', '1GB')
    const r = runCli(['plan', 'web', '--count', '4', '--name', 'w{{index}}', '--json'], {cwd: p.dir})
    expect(r.code, r.stderr).toBe(0)
    const plan = json(r)
    // available: a 14-2=12, b 30-2=28, c 6-1=5 → b 20 → b 12 → a (tied with b, first in the inventory) 4 → b 4
    expect(plan.guests.map((g: any) => [g.name, g.host])).toEqual([
      ['w1', 'b'],
      ['w2', 'b'],
      ['w3', 'a'],
      ['w4', 'b'],
    ])
    expect(plan.guests[0].placement).toEqual({freeBytes: 30 * GB, reserveBytes: 2 * GB, placedBytes: 0, reason: 'the most memory available: 28GB on b (30GB free, less the 2GB reserve) for the 8GB it needs; next a with 12GB'})
    expect(plan.guests[3].placement.placedBytes).toBe(16 * GB)
  })

  it('a guest that fits nowhere: exit 2, the best host and the shortfall, and nothing changed on any host', () => {
    const p = project('24GB')
    const before = states(p)
    const r = runCli(['create', 'web', '--count', '2', '--name', 'big{{index}}', '--json'], {cwd: p.dir})
    expect(r.code).toBe(2)
    const out = json(r)
    const misfit = out.diagnostics.filter((d: any) => d.code === 'placement-no-fit')
    expect(misfit.map((d: any) => [d.guest, d.host])).toEqual([['big2', 'a']])
    expect(misfit[0].message).toContain('guest "big2" needs 24GB of memory and fits on no host: the most is on a, 12GB (14GB free, less the 2GB reserve), 12GB short')
    expect(states(p)).toEqual(before)
  })

  it('a guest that starts takes its memory from its host: the next plan sees less there; the text plan says why', () => {
    const p = project('8GB')
    const created = runCli(['create', 'web', '--name', 'first', '--start', '--json'], {cwd: p.dir})
    expect(created.code, created.stdout + created.stderr).toBe(0)
    expect(json(created).guests.map((g: any) => g.host)).toEqual(['b'])
    // b: 30GB free before, 22GB now that first runs (20GB available after the reserve)
    const next = runCli(['plan', 'web', '--name', 'second'], {cwd: p.dir})
    expect(next.code, next.stderr).toBe(0)
    expect(next.stdout).toContain('Placed on b: the most memory available: 20GB on b (22GB free, less the 2GB reserve) for the 8GB it needs; next a with 12GB')
  })

  it('near miss: --host places nothing by memory and asks no host (placement null)', () => {
    const p = project('8GB')
    // were any host asked, its memory read would fail and say so (a warning)
    const r = json(runCli(['plan', 'web', '--host', 'c', '--json'], {cwd: p.dir, env: {HVGUEST_EMULATOR_FAIL: 'Get-CimInstance:1'}}))
    expect(r.guests.map((g: any) => [g.host, g.placement])).toEqual([['c', null]])
    expect(r.diagnostics).toEqual([])
  })

  it('plan from where a host cannot be reached: that host gets no guest, with a warning, not exit 2', () => {
    const p = project('8GB')
    const inv = parse(readFileSync(join(p.dir, 'hosts.yaml'), 'utf8'))
    // host a over ssh to a port where nothing listens
    inv.hosts[0] = {name: 'a', transport: 'ssh', address: '127.0.0.1', port: 1, os: 'windows-server-2022', vmRoot: 'C:\\Hyper-V', switches: ['Lab']}
    writeFileSync(join(p.dir, 'hosts.yaml'), stringify(inv))
    const r = runCli(['plan', 'web', '--json'], {cwd: p.dir})
    expect(r.code, r.stdout + r.stderr).toBe(0)
    const plan = json(r)
    expect(plan.guests.map((g: any) => g.host)).toEqual(['b'])
    expect(plan.diagnostics.map((d: any) => [d.code, d.host])).toEqual([['placement-host-unasked', 'a']])
    expect(plan.diagnostics[0].message).toContain('Connection refused')
  })

  it('hosts that cannot say their free memory are left out, each with a warning; with none left, exit 2 and why', () => {
    const p = project('8GB')
    // each host's first Get-CimInstance call (the memory action's one query) fails
    const r = runCli(['plan', 'web', '--json'], {cwd: p.dir, env: {HVGUEST_EMULATOR_FAIL: 'Get-CimInstance:1'}})
    expect(r.code).toBe(2)
    const plan = json(r)
    expect(plan.diagnostics.map((d: any) => [d.code, d.host])).toEqual([
      ['placement-host-unasked', 'a'],
      ['placement-host-unasked', 'b'],
      ['placement-host-unasked', 'c'],
      ['placement-no-fit', null],
    ])
    expect(plan.diagnostics[0].message).toContain('Injected fault')
    expect(plan.diagnostics[3].message).toContain('no host of the inventory could be asked its free memory')
  })

  it('the emulated Start-VM refuses a guest the host has no memory for, with Hyper-V\'s words', () => {
    const p = makeEmulatorProject(HOSTS)
    // 16GB, 2GB of it the host's own: 14GB free; a 15GB guest does not fit, a 14GB one does
    const r = p.pwsh(
      "New-VM -Name 'huge' -MemoryStartupBytes 15GB -Generation 1 -NoVHD | Out-Null; try { Start-VM -Name 'huge'; 'started' } catch { $_.Exception.Message }; New-VM -Name 'small' -MemoryStartupBytes 14GB -Generation 1 -NoVHD | Out-Null; Start-VM -Name 'small'; 'small: ' + (Get-VM -Name 'small').State",
    )
    expect(r.stdout).toContain("'huge' failed to start. Not enough memory in the system to start the virtual machine huge with ram size 15360 megabytes.")
    expect(r.stdout).toContain('small: Running')
  })
})

describe('a lab placed by free memory', {timeout: 180_000}, () => {
  /** web1 and web2 on the lab's internal network lan (one host only), solo on the hosts' switch Lab, 8GB each. */
  const labFile = (extra: unknown[] = []) =>
    stringify({
      apiVersion: 'hvguest/v1',
      kind: 'Lab',
      metadata: {name: 'mem'},
      spec: {
        networks: [{name: 'lan', type: 'internal', subnet: '10.50.0.0/24'}],
        guests: [{name: 'web{{index}}', count: 2, template: 'web', networks: [{network: 'lan', address: '10.50.0.11/24'}]}, {name: 'solo', template: 'web'}, ...extra],
      },
    })
  const hostsOf = (guests: any[]) => Object.fromEntries(guests.map((g) => [g.name, g.host]))
  const actions = (guests: any[]) => Object.fromEntries(guests.map((g) => [g.name, `${g.host} ${g.action}`]))
  const reasons = (plan: any) => Object.fromEntries(plan.guests.map((g: any) => [g.name, g.placement?.reason ?? null]))

  it('lab up places a network\'s guests together by memory; lab plan and lab up keep them where they were made, and an added one follows its network', () => {
    const p = project('8GB')
    // hosts a and b only: two sessions per command
    const inventory = parse(readFileSync(join(p.dir, 'hosts.yaml'), 'utf8'))
    inventory.hosts = inventory.hosts.slice(0, 2)
    writeFileSync(join(p.dir, 'hosts.yaml'), stringify(inventory))
    writeFileSync(join(p.dir, 'lab.yaml'), labFile())
    // available: a 12, b 28. web1 + web2 (16GB, one network) → b, 12 left; solo → a (tied with b, first in the inventory)
    // (the reasons the plan gives: test/unit/lab/place-lab.test.ts)
    const up = runCli(['lab', 'up', '--json'], {cwd: p.dir})
    expect(up.code, up.stderr + up.stdout).toBe(0)
    expect(actions(json(up).guests)).toEqual({web1: 'b create', web2: 'b create', solo: 'a create'})

    // b now keeps 20GB for itself: placed afresh, web1 + web2 (16GB) would fit nowhere (a 12, b 10)
    inventory.hosts[1].memoryReserve = '20GB'
    writeFileSync(join(p.dir, 'hosts.yaml'), stringify(inventory))
    const before = states(p)
    const replanned = runCli(['lab', 'plan', '--json'], {cwd: p.dir})
    expect(replanned.code, replanned.stderr + replanned.stdout).toBe(0)
    expect(hostsOf(json(replanned).guests)).toEqual({web1: 'b', web2: 'b', solo: 'a'})
    expect(reasons(json(replanned).plan).web1).toBe("an earlier lab up made it on b, and a lab's guest stays where it was made")
    const again = runCli(['lab', 'up', '--json'], {cwd: p.dir})
    expect(again.code, again.stderr + again.stdout).toBe(0)
    expect(json(again).status).toBe('unchanged')
    expect(hostsOf(json(again).guests)).toEqual({web1: 'b', web2: 'b', solo: 'a'})
    expect(states(p)).toEqual(before)

    // web3 on lan goes where its network's guests are, though a has more available (12 against b's 10)
    writeFileSync(join(p.dir, 'lab.yaml'), labFile([{name: 'web3', template: 'web', networks: [{network: 'lan', address: '10.50.0.13/24'}]}]))
    const added = runCli(['lab', 'up', '--json'], {cwd: p.dir})
    expect(added.code, added.stderr + added.stdout).toBe(0)
    expect(actions(json(added).guests)).toEqual({web1: 'b exists', web2: 'b exists', solo: 'a exists', web3: 'b create'})
  })
})
