/**
 * Host readiness and network defaults end to end: `doctor`, `net show`, `net apply`, `net restore` through the BUILT CLI,
 * real pwsh and emulated hosts (docs/emulator-state.md, "Host conditions"). doctor: a ready
 * host passes every check, then each failing condition is set up in turn and reported alone.
 * net: apply then restore returns the state file byte for byte, a second apply is a no-op,
 * --dry-run changes nothing, bad input changes nothing (exit 2), a failure halfway is undone (exit 1).
 */
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {beforeAll, describe, expect, it} from 'vitest'
import {stringify} from 'yaml'
import {makeEmulatorProject, prebuildEmulatorProjects, type EmulatorProject, type EmulatorProjectOptions} from '../helpers/emulator-project.js'
import {runCli, type CliResult} from '../helpers/run-cli.js'

/** The starter project's profile: jumbo 9014, chimney disabled, VMQ on. */
const LAB_10G = fileURLToPath(new URL('../../templates/init/profiles/lab-10g.yaml', import.meta.url))

function json(r: CliResult): any {
  try {
    return JSON.parse(r.stdout)
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`)
  }
}

/** doctor --json on a fresh emulated host: the exit code and the codes of lines that fail or warn. */
function doctor(opts: EmulatorProjectOptions, edit?: (p: EmulatorProject) => void, profile = LAB_10G) {
  const p = makeEmulatorProject(opts)
  edit?.(p)
  const r = runCli(['doctor', '--profile', profile, '--json'], {cwd: p.dir})
  const result = json(r)
  return {
    code: r.code,
    result,
    problems: (result.checks as any[]).filter((c) => c.status === 'fail' || c.status === 'warn').map((c) => c.code),
    infos: (result.checks as any[]).filter((c) => c.status === 'info').map((c) => c.code),
    human: () => runCli(['doctor', '--profile', profile], {cwd: p.dir}),
  }
}

/** Every emulated host of this file (listed below), built in one pwsh before the first test; each test gets its own copy. */
const HOSTS: EmulatorProjectOptions[] = []
const host = (opts: EmulatorProjectOptions): EmulatorProjectOptions => (HOSTS.push(opts), opts)
beforeAll(() => prebuildEmulatorProjects(HOSTS), 300_000)
const DEFAULT = host({})

describe('doctor on an emulated host', () => {
  const READY = host({hostOs: 'windows-server-2022'})

  it('a ready host: every check passes, exit 0, a table with one line per check', () => {
    const d = doctor(READY)
    expect(d.code).toBe(0)
    expect(d.result.ready).toBe(true)
    expect(d.problems).toEqual([])
    expect(d.result.checks.map((c: any) => c.check)).toEqual(['hyper-v', 'host-os', 'config-versions', 'locale', 'wireless', 'vm-root', 'free-space', 'nic-jumbo', 'nic-vmq'])
    // vmRoot does not exist yet on a fresh host: said, not failed
    expect(d.infos).toEqual(['vmroot-created-on-first-run'])
    const human = d.human()
    expect(human.code).toBe(0)
    expect(human.stdout).toMatch(/^emu1\s+nic-jumbo\s+ok\s+Ethernet 2 behind switch Lab accepts \*JumboPacket 9014/m)
    expect(human.stdout).toContain('Ready: 1 host checked.')
  }, 60_000)

  // [condition, host, an edit of its state file (no pwsh), the codes that fail or warn, their status, doctor's exit code]
  // Exit codes (hvguest doctor --help): 0 ready (warnings allowed), 1 a check failed.
  const conditions: Array<[string, EmulatorProjectOptions, ((p: EmulatorProject) => void) | undefined, string[], 'fail' | 'warn', 0 | 1]> = [
    ['Hyper-V not installed', host({hyperV: 'not-installed'}), undefined, ['hyperv-unavailable'], 'fail', 1],
    ['Hyper-V refuses the user', host({hyperV: 'access-denied'}), undefined, ['hyperv-access-denied'], 'fail', 1],
    ['a wireless adapter behind the external switch', host({switches: [{name: 'Lab', wireless: true}]}), undefined, ['wireless-adapter-switch'], 'fail', 1],
    [
      'a VM whose configuration version the host does not support',
      host({setup: "New-VM -Name old -Generation 1 -NoVHD -Path 'C:\\VMs' | Out-Null"}),
      (p) => {
        const state = p.state()
        state.vms[0].version = '254.0'
        writeFileSync(p.stateFile, JSON.stringify(state, null, 2))
      },
      ['config-version-unsupported'],
      'fail',
      1,
    ],
    // 5 GB: under the 10 GB below which a lab build fails (a warning from 10 to 50 GB)
    ['little free space under vmRoot', host({freeSpaceBytes: 5 * 1024 ** 3}), undefined, ['disk-space-low'], 'fail', 1],
    ['vmguest.iso missing on a 2012 R2 host', host({hostOs: 'windows-server-2012r2', setup: "Remove-Item -LiteralPath 'C:\\Windows\\System32\\vmguest.iso'"}), undefined, ['ic-media-missing'], 'fail', 1],
    ['a NIC that does not take the profile\'s jumbo value', host({switches: [{name: 'Lab', jumboValues: ['1514', '4088']}]}), undefined, ['jumbo-unsupported'], 'fail', 1],
    ['a NIC without VMQ', host({switches: [{name: 'Lab', vmq: false}]}), undefined, ['vmq-unsupported-nic'], 'warn', 0],
    ['the inventory says another OS than the host runs', host({hostOs: 'windows-server-2019', extraHost: {os: 'windows-server-2022'}}), undefined, ['host-os-mismatch'], 'warn', 0],
  ]
  for (const [name, opts, edit, codes, status, exit] of conditions) {
    it(`${name}: ${codes.join(', ')} (${status}) and nothing else, exit ${exit}`, () => {
      const d = doctor(opts, edit)
      expect(d.problems, JSON.stringify(d.result.checks, null, 1)).toEqual(codes)
      const named = (d.result.checks as any[]).filter((x) => codes.includes(x.code))
      expect(named.map((c) => c.status)).toEqual(codes.map(() => status))
      expect(d.code).toBe(exit)
      expect(d.result.ready).toBe(exit === 0)
      for (const c of named) expect(c.fix, c.code).toMatch(/\w+/)
    }, 60_000)
  }

  const GERMAN = host({locale: 'de-DE'})
  it('a German host is information, not a problem (exit 0)', () => {
    const d = doctor(GERMAN)
    expect(d.code).toBe(0)
    expect(d.problems).toEqual([])
    expect(d.infos).toContain('host-locale-not-en-us')
  }, 60_000)

  it('bad input: an unknown host or profile is exit 2', () => {
    const p = makeEmulatorProject(DEFAULT)
    expect(runCli(['doctor', '--host', 'nosuch'], {cwd: p.dir}).code).toBe(2)
    const r = runCli(['doctor', '--profile', 'nosuch'], {cwd: p.dir})
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('profile-not-found')
  }, 60_000)
})

describe('doctor on an emulated cluster', () => {
  /** Node HV1 of cluster LAB, with node HV2's state file beside its own (both nodes' state files in one project). */
  const node = (node2Switches: string[], more: string[] = []) =>
    host({
      hostName: 'hv1',
      computerName: 'HV1',
      cluster: 'LAB',
      clusterNodes: ['HV1', 'HV2'],
      switches: ['Lab', 'Storage'],
      setup: [`New-HvEmulatorState -Path '.hvguest/node2.json' -ComputerName HV2 -Cluster LAB -ClusterNodes HV1,HV2 -Switches ${node2Switches.map((s) => `'${s}'`).join(',')} | Out-Null`, ...more].join('\n'),
    })
  const SAME = node(['Lab', 'Storage'])
  const DIFFERENT = node(['Lab', 'Backup'])
  // A VM with nothing bootable, started on hv1: it never answers its heartbeat.
  const SILENT_GUEST = node(['Lab', 'Storage'], ["New-VM -Name db1 -Generation 1 -NoVHD -Path 'C:\\VMs' | Out-Null", 'Start-VM -Name db1'])

  /** Two nodes (two state files) in one inventory under cluster LAB. */
  function cluster(opts: EmulatorProjectOptions, node2Switches: string[]) {
    const p = makeEmulatorProject(opts)
    const host = (name: string, stateFile: string, switches: string[]) => ({name, transport: 'emulator', os: 'windows-server-2022', cluster: 'LAB', vmRoot: 'C:\\ClusterStorage\\Volume1\\Hyper-V', imageRoot: 'C:\\Images', isoRoot: 'C:\\ISO', switches, emulator: {stateFile}})
    writeFileSync(
      join(p.dir, 'hosts.yaml'),
      stringify({apiVersion: 'hvguest/v1', kind: 'HostInventory', hosts: [host('hv1', '.hvguest/emulator-state.json', ['Lab', 'Storage']), host('hv2', '.hvguest/node2.json', node2Switches)]}),
    )
    const r = runCli(['doctor', '--profile', LAB_10G, '--json'], {cwd: p.dir})
    const result = json(r)
    return {code: r.code, result, problems: (result.checks as any[]).filter((c) => c.status === 'fail' || c.status === 'warn').map((c) => c.code)}
  }

  it('the same switches on both nodes: ready', () => {
    const c = cluster(SAME, ['Lab', 'Storage'])
    expect(c.problems).toEqual([])
    expect(c.code).toBe(0)
    expect(c.result.checks.find((x: any) => x.check === 'cluster-switches').message).toBe('cluster LAB: every node has the switches Lab, Storage')
  }, 90_000)

  it('switch-name-mismatch lists the differences per node, and only that', () => {
    const c = cluster(DIFFERENT, ['Lab', 'Backup'])
    expect(c.problems).toEqual(['switch-name-mismatch'])
    expect(c.code).toBe(1)
    expect(c.result.checks.find((x: any) => x.code === 'switch-name-mismatch').message).toBe('cluster LAB: virtual switch names differ between nodes: hv1 lacks Backup; hv2 lacks Storage')
  }, 90_000)

  it('a running guest without integration services before a failover: ic-not-ready-for-failover', () => {
    const c = cluster(SILENT_GUEST, ['Lab', 'Storage'])
    expect(c.problems).toEqual(['ic-not-ready-for-failover'])
    expect(c.code).toBe(1)
    expect(c.result.checks.find((x: any) => x.code === 'ic-not-ready-for-failover').message).toContain('db1 on hv1 (heartbeat NoContact)')
  }, 90_000)
})

describe('net show / apply / restore on an emulated host', () => {
  const WITH_WIFI = host({switches: ['Lab', {name: 'Air', wireless: true}]})
  const NO_JUMBO_9014 = host({switches: [{name: 'Lab', jumboValues: ['1514', '4088']}]})
  const NO_VMQ = host({switches: [{name: 'Lab', vmq: false}]})
  it('net show lists NICs, switches and their NIC, vEthernet adapters, jumbo values, chimney and VMQ', () => {
    const p = makeEmulatorProject(WITH_WIFI)
    const r = runCli(['net', 'show', '--host', 'emu1', '--json'], {cwd: p.dir})
    expect(r.code, r.stderr).toBe(0)
    const s = json(r)
    expect(s.switches.map((x: any) => [x.name, x.type, x.nics])).toEqual([
      ['Lab', 'External', ['Ethernet 2']],
      ['Air', 'External', ['Wi-Fi']],
    ])
    const eth = s.nics.find((n: any) => n.name === 'Ethernet 2')
    expect(eth.jumboPacket).toEqual({value: '1514', valid: ['1514', '4088', '9014']})
    expect(s.nics.find((n: any) => n.name === 'Wi-Fi').physicalMediaType).toBe('Native 802.11')
    const human = runCli(['net', 'show', '--host', 'emu1'], {cwd: p.dir}).stdout
    expect(human).toMatch(/Ethernet 2\s+Intel\(R\) Ethernet Converged Network Adapter X710 #1\s+Up\s+10 Gbps\s+802\.3\s+1514 \(valid 1514, 4088, 9014\)\s+enabled/)
    expect(human).toContain('Host vEthernet adapters')
    expect(human).toContain('TCP Chimney (global): Disabled')
  }, 60_000)

  it('dry run changes nothing; apply sets jumbo on the NIC and vEthernet; a second apply is a no-op; restore is byte-identical', () => {
    const p = makeEmulatorProject(DEFAULT)
    const original = readFileSync(p.stateFile, 'utf8')
    const dry = runCli(['net', 'apply', '--profile', LAB_10G, '--host', 'emu1', '--dry-run', '--json'], {cwd: p.dir})
    expect(dry.code, dry.stderr).toBe(0)
    expect(json(dry)).toMatchObject({status: 'dry-run'})
    expect(json(dry).settings.filter((s: any) => s.action === 'set').map((s: any) => [s.adapter, s.before, s.after])).toEqual([
      ['Ethernet 2', '1514', '9014'],
      ['vEthernet (Lab)', '1514', '9014'],
    ])
    expect(readFileSync(p.stateFile, 'utf8')).toBe(original)

    const applied = runCli(['net', 'apply', '--profile', LAB_10G, '--host', 'emu1', '--json'], {cwd: p.dir})
    expect(applied.code, applied.stderr).toBe(0)
    const a = json(applied)
    expect(a.status).toBe('ok')
    expect(a.settings.filter((s: any) => s.action === 'set').map((s: any) => `${s.adapter}:${s.before}->${s.after}`)).toEqual(['Ethernet 2:1514->9014', 'vEthernet (Lab):1514->9014'])
    const jumbo = (name: string) => p.state().netAdapters.find((n: any) => n.name === name).advancedProperties.find((x: any) => x.registryKeyword === '*JumboPacket').registryValue
    expect([jumbo('Ethernet 2'), jumbo('vEthernet (Lab)')]).toEqual(['9014', '9014'])
    const afterApply = readFileSync(p.stateFile, 'utf8')

    const again = runCli(['net', 'apply', '--profile', LAB_10G, '--host', 'emu1'], {cwd: p.dir})
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).toContain("Nothing to change: the host already has the profile's settings.")
    expect(readFileSync(p.stateFile, 'utf8')).toBe(afterApply)

    const restored = runCli(['net', 'restore', '--host', 'emu1', '--json'], {cwd: p.dir})
    expect(restored.code, restored.stderr).toBe(0)
    expect(json(restored).settings.map((s: any) => `${s.adapter}:${s.before}->${s.after}`)).toEqual(['Ethernet 2:9014->1514', 'vEthernet (Lab):9014->1514'])
    expect(readFileSync(p.stateFile, 'utf8')).toBe(original)
    // nothing left to restore
    const twice = runCli(['net', 'restore', '--host', 'emu1', '--json'], {cwd: p.dir})
    expect(json(twice).status).toBe('nothing-recorded')
  }, 120_000)

  it('a second apply with another profile keeps the first originals: restore goes back to before hvguest', () => {
    const p = makeEmulatorProject(DEFAULT)
    const original = readFileSync(p.stateFile, 'utf8')
    expect(runCli(['net', 'apply', '--profile', LAB_10G, '--host', 'emu1'], {cwd: p.dir}).code).toBe(0)
    const profile4088 = join(p.dir, 'p4088.yaml')
    writeFileSync(profile4088, readFileSync(LAB_10G, 'utf8').replace('jumboPacket: 9014', 'jumboPacket: 4088').replace('jumboPacketValues: [1514, 9014]', 'jumboPacketValues: [1514, 4088, 9014]').replace(/name: lab-10g/, 'name: lab-4088'))
    expect(readFileSync(profile4088, 'utf8')).toContain('jumboPacketValues: [1514, 4088, 9014]')
    expect(runCli(['net', 'apply', '--profile', profile4088, '--host', 'emu1'], {cwd: p.dir}).code).toBe(0)
    expect(runCli(['net', 'restore', '--host', 'emu1'], {cwd: p.dir}).code).toBe(0)
    expect(readFileSync(p.stateFile, 'utf8')).toBe(original)
  }, 120_000)

  it('net restore also puts back what a create changed on the host (begin\'s jumbo frames)', () => {
    const p = makeEmulatorProject(DEFAULT)
    const original = readFileSync(p.stateFile, 'utf8')
    const template = join(p.dir, 'small.yaml')
    writeFileSync(
      template,
      stringify({apiVersion: 'hvguest/v1', kind: 'GuestTemplate', metadata: {name: 'small'}, spec: {os: {family: 'linux', distro: 'ubuntu', version: '22.04'}, bootDisk: {size: '10GB'}, networkAdapters: [{switch: 'Lab'}]}}),
    )
    const created = runCli(['create', template, '--profile', LAB_10G], {cwd: p.dir})
    expect(created.code, created.stderr + created.stdout).toBe(0)
    const jumbo = () => p.state().netAdapters.find((n: any) => n.name === 'Ethernet 2').advancedProperties.find((x: any) => x.registryKeyword === '*JumboPacket').registryValue
    expect(jumbo()).toBe('9014')
    expect(runCli(['destroy', 'small', '--yes'], {cwd: p.dir}).code).toBe(0)
    const restored = runCli(['net', 'restore', '--host', 'emu1', '--json'], {cwd: p.dir})
    expect(restored.code, restored.stderr).toBe(0)
    expect(json(restored).status).toBe('ok')
    expect(readFileSync(p.stateFile, 'utf8')).toBe(original)
  }, 120_000)

  it('bad input changes nothing: exit 2 for a jumbo value the NIC does not list, an unknown host, an unknown profile', () => {
    const p = makeEmulatorProject(NO_JUMBO_9014)
    const original = readFileSync(p.stateFile, 'utf8')
    const r = runCli(['net', 'apply', '--profile', LAB_10G, '--host', 'emu1'], {cwd: p.dir})
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('[jumbo-unsupported]')
    expect(r.stderr).toContain('accepts *JumboPacket 1514, 4088, not 9014')
    expect(runCli(['net', 'apply', '--profile', LAB_10G, '--host', 'nosuch'], {cwd: p.dir}).code).toBe(2)
    expect(runCli(['net', 'apply', '--profile', 'nosuch', '--host', 'emu1'], {cwd: p.dir}).code).toBe(2)
    expect(runCli(['net', 'apply', '--profile', LAB_10G, '--host', 'emu1', '--switch', 'Nope'], {cwd: p.dir}).stderr).toContain('[switch-missing]')
    expect(readFileSync(p.stateFile, 'utf8')).toBe(original)
  }, 60_000)

  it('a failure halfway puts back what the run changed: exit 1, the state as before', () => {
    const p = makeEmulatorProject(DEFAULT)
    const original = readFileSync(p.stateFile, 'utf8')
    const r = runCli(['net', 'apply', '--profile', LAB_10G, '--host', 'emu1'], {cwd: p.dir, env: {HVGUEST_EMULATOR_FAIL: 'Set-NetAdapterAdvancedProperty:2'}})
    expect(r.code, r.stdout + r.stderr).toBe(1)
    expect(r.stdout).toContain('What this run changed was put back.')
    expect(readFileSync(p.stateFile, 'utf8')).toBe(original)
    // and nothing was recorded to restore
    expect(json(runCli(['net', 'restore', '--host', 'emu1', '--json'], {cwd: p.dir})).status).toBe('nothing-recorded')
  }, 60_000)

  it('settings the hardware or OS cannot take are named, never skipped silently', () => {
    const p = makeEmulatorProject(NO_VMQ)
    const r = runCli(['net', 'apply', '--profile', 'broadcom-10g', '--host', 'emu1', '--dry-run'], {cwd: p.dir})
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('[chimney-unsupported-host]')
    expect(r.stdout).toContain('[vmq-unsupported-nic]')
    expect(r.stdout).toMatch(/VMQ\s+Lab\s+Ethernet 2\s+-\s+enabled\s+skipped \(no VMQ on this NIC\)/)
  }, 60_000)
})
